// The lexers of iptables-restore documents and of shell scripts that call iptables.

import type { IToken } from "chevrotain";
import { Lexer } from "../chevrotain.js";
import { restoreTokens, shellTokens } from "./tokens.js";

// safeMode: the catch-all CommandLines pattern starts with a complement set, which rules out the first-character table.
// skipValidations: the definitions are checked by a test (test/formats/lexer-definitions.test.ts), not on every start.
const restoreLexer = new Lexer(restoreTokens, { positionTracking: "onlyOffset", safeMode: true, skipValidations: true });

/**
 * The tokens of `text[start, stop)`, offsets relative to `start`. Tokens are runs of lines, so even a 100k-rule dump
 * makes only a few of them and one tokenize call is cheap. Every character belongs to a token (CommandLines takes any
 * line the others do not), so the lexer never reports errors.
 */
export function lexRestore(text: string, start: number, stop: number): IToken[] {
  return restoreLexer.tokenize(start === 0 && stop === text.length ? text : text.slice(start, stop)).tokens;
}

let shellLexer: Lexer | undefined;

/** Shell scripts are small: one tokenize call. Characters no token takes (a lone `<<`) are skipped, as errors are. */
export function lexShell(text: string): IToken[] {
  shellLexer ??= new Lexer(shellTokens, { positionTracking: "onlyOffset", safeMode: true, skipValidations: true });
  return shellLexer.tokenize(text).tokens;
}
