// The iptables-restore lexer, run over chunks of a few thousand lines so big dumps never hold all their tokens at once.

import type { IToken } from "chevrotain";
import { Lexer } from "./chevrotain.js";
import { restoreTokens, shellTokens } from "./tokens.js";

// safeMode: the catch-all CommandLine pattern is a complement set, which rules out the first-character table anyway.
const restoreLexer = new Lexer(restoreTokens, { positionTracking: "onlyOffset", safeMode: true });

/** Lines per tokenize call: big enough to amortize Chevrotain's per-call cost, small enough to keep memory flat. */
export const CHUNK_LINES = 4096;

/** A chunk of the document: its tokens' offsets are relative to `base`. */
export interface TokenChunk {
  readonly base: number;
  readonly tokens: IToken[];
}

/**
 * Calls `each` with consecutive chunks of `text[start, stop)`, split after line breaks. Every character belongs to a
 * token (CommandLine matches any line), so the lexer never reports errors.
 */
export function lexChunks(text: string, start: number, stop: number, each: (chunk: TokenChunk) => void): void {
  let base = start;
  while (base < stop) {
    let end = base;
    for (let n = 0; n < CHUNK_LINES && end !== -1; n++) {
      end = text.indexOf("\n", end);
      if (end !== -1) end++;
    }
    if (end === -1 || end > stop) end = stop;
    const tokens = restoreLexer.tokenize(base === 0 && end === text.length ? text : text.slice(base, end)).tokens;
    each({ base, tokens });
    base = end;
  }
}

const shellLexer = new Lexer(shellTokens, { positionTracking: "onlyOffset", safeMode: true });

/** Shell scripts are small: one tokenize call. Characters no token takes (a lone `<<`) are skipped, as errors are. */
export function lexShell(text: string): IToken[] {
  return shellLexer.tokenize(text).tokens;
}
