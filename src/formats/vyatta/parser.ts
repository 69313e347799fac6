// The Vyatta-family grammar (Chevrotain, grammar only). Both forms are flat on purpose: a statement is a run of
// words ended by `{`, `}` or a line break (config.boot), or a line of words (`set` commands). Nesting is done by the
// iterative tree builder (config-tree.ts), so 100,000 nested braces cannot overflow the stack.
//
// Source: vyos/vyos1x-config src/vyos1x_parser.mly (leaf `name value?`, tag node `name value { ... }`,
// node `name { ... }`); VyOS CLI `show configuration commands` output for the command form.

import { EmbeddedActionsParser, type IToken } from "chevrotain";
import { allTokens, DoubleQuoted, LCurly, Newline, RCurly, SingleQuoted, Word } from "./tokens.js";

/** Words up to a terminator: `rule 10 {`, `action accept` + newline, `}`. */
export interface Statement {
  readonly words: IToken[];
  /** `{`, `}` or a line break; absent at the end of the file. */
  readonly end?: IToken;
}

class VyattaParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  /** config.boot: statements ended by braces or line breaks. */
  public curlyDocument = this.RULE("curlyDocument", (): Statement[] => {
    const statements: Statement[] = [];
    this.MANY(() => {
      statements.push(this.SUBRULE(this.curlyStatement));
    });
    return statements;
  });

  private curlyStatement = this.RULE("curlyStatement", (): Statement => {
    return this.OR([
      {
        ALT: () => {
          const words: IToken[] = [];
          this.AT_LEAST_ONE(() => {
            words.push(this.SUBRULE(this.word));
          });
          const end = this.OPTION(() => this.SUBRULE(this.terminator));
          return end ? { words, end } : { words };
        },
      },
      { ALT: () => ({ words: [], end: this.SUBRULE2(this.terminator) }) },
    ]);
  });

  private terminator = this.RULE("terminator", (): IToken =>
    this.OR([{ ALT: () => this.CONSUME(LCurly) }, { ALT: () => this.CONSUME(RCurly) }, { ALT: () => this.CONSUME(Newline) }]),
  );

  private word = this.RULE("word", (): IToken =>
    this.OR([{ ALT: () => this.CONSUME(Word) }, { ALT: () => this.CONSUME(DoubleQuoted) }, { ALT: () => this.CONSUME(SingleQuoted) }]),
  );

  /** `set` commands: one command per line; braces are ordinary characters there. */
  public commandDocument = this.RULE("commandDocument", (): Statement[] => {
    const lines: Statement[] = [];
    this.MANY(() => {
      lines.push(this.SUBRULE(this.commandLine));
    });
    return lines;
  });

  private commandLine = this.RULE("commandLine", (): Statement => {
    return this.OR([
      {
        ALT: () => {
          const words: IToken[] = [];
          this.AT_LEAST_ONE(() => {
            words.push(this.SUBRULE(this.commandWord));
          });
          const end = this.OPTION(() => this.CONSUME(Newline));
          return end ? { words, end } : { words };
        },
      },
      { ALT: () => ({ words: [], end: this.CONSUME2(Newline) }) },
    ]);
  });

  private commandWord = this.RULE("commandWord", (): IToken =>
    this.OR([
      { ALT: () => this.SUBRULE(this.word) },
      { ALT: () => this.CONSUME(LCurly) },
      { ALT: () => this.CONSUME(RCurly) },
    ]),
  );
}

const parser = new VyattaParser();

export interface ParseOutput {
  readonly statements: Statement[];
  /** Only possible on token sequences the grammar cannot cover; kept for safety, reported as VPN000. */
  readonly errors: readonly { message: string; token: IToken }[];
}

export function parseStatements(tokens: IToken[], form: "curly" | "commands"): ParseOutput {
  parser.input = tokens;
  const statements = form === "curly" ? parser.curlyDocument() : parser.commandDocument();
  return { statements: statements ?? [], errors: parser.errors.map((e) => ({ message: e.message, token: e.token })) };
}
