// The Vyatta-family lexer: one token vocabulary for config.boot and `set` commands; positions are offsets only.

import { Lexer } from "../chevrotain.js";
import type { ILexingResult } from "chevrotain";
import { allTokens } from "./tokens.js";

let vyattaLexer: Lexer | undefined;

/** Never throws: characters no token matches are reported in `errors` and skipped. */
export function tokenize(text: string): ILexingResult {
  // The definitions are validated by a test (test/formats/lexer-definitions.test.ts), not on every start.
  vyattaLexer ??= new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: false, skipValidations: true });
  return vyattaLexer.tokenize(text);
}
