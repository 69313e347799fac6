// Placeholder until the rule-spec parser lands: every rule matches everything and has no target.

import type { RuleSpec, RuleSpecContext, Word } from "./types.js";

export function parseRuleSpec(_words: readonly Word[], _context: RuleSpecContext): RuleSpec {
  return { matches: [], target: { kind: "none" }, errors: [] };
}
