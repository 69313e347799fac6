// The lexers run with Chevrotain's definition checks skipped (they cost every start-up a few milliseconds): the
// same token vocabularies are checked here instead, with every validation on.

import { describe, expect, it } from "vitest";
import type { TokenType } from "chevrotain";
import { createToken, Lexer } from "../../src/formats/chevrotain.js";
import { restoreTokens, shellTokens } from "../../src/formats/iptables/tokens.js";
import { allTokens } from "../../src/formats/vyatta/tokens.js";

const vocabularies: Record<string, { tokens: TokenType[]; safeMode: boolean }> = {
  "iptables-restore": { tokens: restoreTokens, safeMode: true },
  shell: { tokens: shellTokens, safeMode: true },
  vyatta: { tokens: allTokens, safeMode: false },
};

describe("lexer definitions", () => {
  for (const [name, { tokens, safeMode }] of Object.entries(vocabularies)) {
    it(`${name}: pass Chevrotain's validations`, () => {
      const lexer = new Lexer(tokens, { positionTracking: "onlyOffset", safeMode, ensureOptimizations: false, deferDefinitionErrorsHandling: true });
      expect(lexer.lexerDefinitionErrors).toEqual([]);
    });
  }

  it("would report a broken definition (the check can fail)", () => {
    const broken = [...restoreTokens, createToken({ name: "MatchesNothing", pattern: /x*/ })];
    const lexer = new Lexer(broken, { positionTracking: "onlyOffset", safeMode: true, deferDefinitionErrorsHandling: true });
    expect(lexer.lexerDefinitionErrors.length).toBeGreaterThan(0);
  });
});
