// The Vyatta-family grammar (Chevrotain, grammar only). Both forms are flat on purpose: a statement is a run of
// words ended by `{`, `}` or a line break (config.boot), or a line of words (`set` commands). Nesting is done by the
// iterative tree builder (config-tree.ts), so 100,000 nested braces cannot overflow the stack.
//
// Source: vyos/vyos1x-config src/vyos1x_parser.mly (leaf `name value?`, tag node `name value { ... }`,
// node `name { ... }`); VyOS CLI `show configuration commands` output for the command form.

import { EmbeddedActionsParser } from "../chevrotain.js";
import type { IToken } from "chevrotain";
import { allTokens, CommandWord, Newline, Terminator, Value } from "./tokens.js";

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

  /** config.boot: statements ended by `{`, `}` or a line break. */
  public curlyDocument = this.RULE("curlyDocument", (): Statement[] => {
    const statements: Statement[] = [];
    this.MANY(() => {
      statements.push(
        this.OR([
          {
            ALT: () => {
              const words: IToken[] = [];
              this.AT_LEAST_ONE(() => {
                words.push(this.CONSUME(Value));
              });
              const end = this.OPTION(() => this.CONSUME(Terminator));
              return end ? { words, end } : { words };
            },
          },
          { ALT: () => ({ words: [], end: this.CONSUME2(Terminator) }) },
        ]),
      );
    });
    return statements;
  });

  /** `set` commands: one command per line; braces are ordinary characters there. */
  public commandDocument = this.RULE("commandDocument", (): Statement[] => {
    const lines: Statement[] = [];
    this.MANY(() => {
      lines.push(
        this.OR([
          {
            ALT: () => {
              const words: IToken[] = [];
              this.AT_LEAST_ONE(() => {
                words.push(this.CONSUME(CommandWord));
              });
              const end = this.OPTION(() => this.CONSUME(Newline));
              return end ? { words, end } : { words };
            },
          },
          { ALT: () => ({ words: [], end: this.CONSUME2(Newline) }) },
        ]),
      );
    });
    return lines;
  });
}

let vyattaParser: VyattaParser | undefined;

export interface ParseOutput {
  readonly statements: Statement[];
  /** Only possible on token sequences the grammar cannot cover; kept for safety, reported as VPN000. */
  readonly errors: readonly { message: string; token: IToken }[];
}

export function parseStatements(tokens: IToken[], form: "curly" | "commands"): ParseOutput {
  const parser = (vyattaParser ??= new VyattaParser());
  parser.input = tokens;
  const statements = form === "curly" ? parser.curlyDocument() : parser.commandDocument();
  return { statements: statements ?? [], errors: parser.errors.map((e) => ({ message: e.message, token: e.token })) };
}
