// Tokens of Vyatta-family configs, shared by the curly `config.boot` form and the `set` command form.
//
// Sources: the VyOS config.boot lexer (vyos/vyos1x-config src/vyos1x_lexer.mll: identifiers, single- and
// double-quoted strings, `/* */` comments, braces, newlines) and POSIX sh word rules for `set` lines (a `#` starts a
// comment only at the start of a word, single quotes take no escapes).

import { createToken, Lexer } from "../chevrotain.js";
import type { TokenType } from "chevrotain";

/** Categories, so the grammar consumes "a value" or "a terminator" in one step (no per-token alternatives). */
export const Value = createToken({ name: "Value", pattern: Lexer.NA });
export const Terminator = createToken({ name: "Terminator", pattern: Lexer.NA });
/** What a `set` line is made of: values and braces (braces are ordinary characters there). */
export const CommandWord = createToken({ name: "CommandWord", pattern: Lexer.NA });

/** Block comments: ordinary comments and the vyatta-config-version footer. */
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, line_breaks: true, group: "comments" });
/** A `/*` that never ends: the rest of the file would be swallowed by the loader. */
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, line_breaks: true, group: "invalid" });
/** `// ...` lines: the version footer of VyOS 1.3 and later. */
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments" });
/** `# ...` from the start of a word: a shell comment in `set` scripts; not config.boot syntax (reported there). */
export const HashComment = createToken({ name: "HashComment", pattern: /#[^\n\r]*/, group: "hash" });

export const DoubleQuoted = createToken({ name: "DoubleQuoted", pattern: /"(?:[^"\\]|\\[\s\S])*"/, line_breaks: true, categories: [Value, CommandWord] });
export const UnterminatedDoubleQuoted = createToken({ name: "UnterminatedDoubleQuoted", pattern: /"(?:[^"\\]|\\[\s\S])*/, line_breaks: true, group: "invalid" });
export const SingleQuoted = createToken({ name: "SingleQuoted", pattern: /'[^']*'/, line_breaks: true, categories: [Value, CommandWord] });
export const UnterminatedSingleQuoted = createToken({ name: "UnterminatedSingleQuoted", pattern: /'[^']*/, line_breaks: true, group: "invalid" });

export const LCurly = createToken({ name: "LCurly", pattern: "{", categories: [Terminator, CommandWord] });
export const RCurly = createToken({ name: "RCurly", pattern: "}", categories: [Terminator, CommandWord] });
export const Newline = createToken({ name: "Newline", pattern: /\r\n|\r|\n/, line_breaks: true, categories: [Terminator] });
export const Whitespace = createToken({ name: "Whitespace", pattern: /[ \t\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
/**
 * An unquoted word: node names, tag values, leaf values. Quotes open a string only at the start of a word, so an
 * apostrophe inside `description it's` does not swallow the rest of the file; `#` and `/` inside a word are ordinary.
 */
export const Word = createToken({ name: "Word", pattern: /[^\s{}"'][^\s{}]*/, categories: [Value, CommandWord] });

/** Order matters: comments and quotes are tried before a plain word at the same position. */
export const allTokens: TokenType[] = [
  Value,
  Terminator,
  CommandWord,
  Newline,
  Whitespace,
  BlockComment,
  UnterminatedComment,
  LineComment,
  HashComment,
  DoubleQuoted,
  UnterminatedDoubleQuoted,
  SingleQuoted,
  UnterminatedSingleQuoted,
  LCurly,
  RCurly,
  Word,
];
