// The iptables-restore grammar (iptables-restore(8)): a document is a sequence of lines, each a table header, chain
// declarations, COMMIT, comments or commands. Which lines may follow which (tables, COMMIT, chains declared before
// use) is iptables-restore's state machine, applied in to-model.ts in file order.

import type { IToken } from "chevrotain";
import { CstParser } from "../chevrotain.js";
import type { DocumentCstNode } from "./cst-restore.js";
import type { ScriptCstNode } from "./cst-shell.js";
import {
  ChainLines,
  CommandLines,
  CommentLines,
  CommitLine,
  HeredocBody,
  HeredocStart,
  Newline,
  restoreTokens,
  ShellNewline,
  ShellOperator,
  shellTokens,
  ShellWord,
  TableLine,
} from "./tokens.js";

class RestoreParser extends CstParser {
  constructor() {
    super(restoreTokens, { recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  public document = this.RULE("document", () => {
    this.MANY(() => this.SUBRULE(this.lines));
  });

  public lines = this.RULE("lines", () => {
    this.OR([
      { ALT: () => this.CONSUME(TableLine) },
      { ALT: () => this.CONSUME(ChainLines) },
      { ALT: () => this.CONSUME(CommitLine) },
      { ALT: () => this.CONSUME(CommentLines) },
      { ALT: () => this.CONSUME(CommandLines) },
      { ALT: () => this.CONSUME(Newline) },
    ]);
  });
}

export const restoreParser = new RestoreParser();

/** The CST of a document's tokens. The grammar accepts every token sequence the lexer makes, so it has no errors. */
export function parseRestore(tokens: IToken[]): DocumentCstNode {
  restoreParser.input = tokens;
  return restoreParser.document() as DocumentCstNode;
}

/**
 * A shell script as a sequence of simple commands and separators (POSIX sh "Simple Commands"); compound commands
 * (`if`, `for`, functions) are read as the simple commands inside them, which is what iptables calls need.
 */
class ShellParser extends CstParser {
  constructor() {
    super(shellTokens, { recoveryEnabled: false, skipValidations: true });
    this.performSelfAnalysis();
  }

  public script = this.RULE("script", () => {
    this.MANY(() => this.SUBRULE(this.item));
  });

  public item = this.RULE("item", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.command) },
      { ALT: () => this.CONSUME(ShellNewline) },
      { ALT: () => this.CONSUME(ShellOperator) },
      { ALT: () => this.CONSUME(HeredocBody) },
    ]);
  });

  public command = this.RULE("command", () => {
    this.AT_LEAST_ONE(() => this.OR([{ ALT: () => this.CONSUME(ShellWord) }, { ALT: () => this.CONSUME(HeredocStart) }]));
  });
}

let shell: ShellParser | undefined;

/** Built on first use: most runs read no shell script. */
export function shellParser(): ShellParser {
  return (shell ??= new ShellParser());
}

export function parseShell(tokens: IToken[]): ScriptCstNode {
  const parser = shellParser();
  parser.input = tokens;
  return parser.script() as ScriptCstNode;
}
