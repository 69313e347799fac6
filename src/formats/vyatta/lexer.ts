// The Vyatta-family lexer: one token vocabulary for config.boot and `set` commands; positions are offsets only.

import { Lexer } from "../chevrotain.js";
import type { ILexingResult } from "chevrotain";
import { allTokens } from "./tokens.js";

const vyattaLexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: false });

/** Never throws: characters no token matches are reported in `errors` and skipped. */
export function tokenize(text: string): ILexingResult {
  return vyattaLexer.tokenize(text);
}
