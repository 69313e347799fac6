// What the tests of deferred rows compare: surveys of a ruleset in names and texts, made with a picker that marks
// most rules of a dump (shared by deferred-rules.test.ts and native-lines.test.ts).

import type { RulePicker, RulesetSurvey } from "../../../src/engine/index.js";
import type { Match } from "../../../src/model/firewall.js";

/** Marks every field match by what it names, and NAT and verdict targets, so most rules of a dump are picked. */
export const PICKER: RulePicker = {
  target: (kind) => (kind === "dnat" ? 1 : kind === "verdict" ? 2 : kind === "mark" ? 4 : 0),
  match: (match: Match) => {
    if (match.kind !== "field") return 0;
    const [lo, hi] = match.values[0]!;
    return (match.field === "proto" ? 8 : match.field === "dport" ? 16 : 32) | ((lo + hi) % 7 === 0 ? 64 : 0) | (match.negated ? 128 : 0);
  },
};

/** A survey in names and texts, comparable between two models. */
export function surveyed(survey: RulesetSurvey): unknown {
  return {
    names: [...survey.interfaceNames].sort(),
    prefixes: [...survey.interfacePrefixes].sort(),
    callees: [...survey.callees].map(([chain, callees]) => `${chain.table} ${chain.name} -> ${callees.map((c) => c.name).join(",")}`),
    picked: survey.picked.map(({ rule, chain, table, marks, targetKind }) => `${table} ${chain.name}#${rule.index} ${rule.text} ${marks} ${targetKind}`),
  };
}
