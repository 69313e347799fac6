// Words for messages: how a rule, a chain's policy and a deciding step are named in the user's own terms.

import type { Decider, OutcomePart } from "../../engine/api.js";
import type { Chain, Rule } from "../../model/firewall.js";

/** `rule 12 (-A INPUT -p udp --dport 1701 -j ACCEPT)`, or the Vyatta path `firewall name WAN_LOCAL rule 22`. */
export function describeRule(rule: Rule): string {
  if (rule.text.startsWith("-")) return `rule ${rule.index} (${rule.text})`;
  return rule.text;
}

/** `the policy DROP of INPUT`, `the default-action drop of firewall name WAN_LOCAL`, `the built-in default ACCEPT of INPUT`. */
export function describePolicy(chain: Chain): string {
  const verdict = chain.policy?.verdict ?? "accept";
  if (chain.origin) return `the default-action ${verdict} of ${chain.origin.label}`;
  if (!chain.policy?.range) return `the built-in default ${verdict.toUpperCase()} of ${chain.name} (no rule applies)`;
  return `the policy ${verdict.toUpperCase()} of ${chain.name}`;
}

export function describeDecider(decider: Decider): string {
  return decider.kind === "rule" ? describeRule(decider.rule) : describePolicy(decider.chain);
}

/** The deciding rule or policy has no place in the file: nothing in the file filters these packets. */
export function isImplicitDefault(decider: Decider): boolean {
  return decider.kind === "policy" && !decider.chain.policy?.range && !decider.chain.range;
}

/** Deduplicates parts by their decider, keeping the first part of each (engine order). */
export function byDecider(parts: readonly OutcomePart[]): OutcomePart[] {
  const seen = new Set<unknown>();
  const unique: OutcomePart[] = [];
  for (const part of parts) {
    const key = part.decidedBy.kind === "rule" ? part.decidedBy.rule : part.decidedBy.chain;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(part);
  }
  return unique;
}

/** Where the packets come from, in words: `on eth0`, `on any interface but lo`. */
export function describeInterfaces(interfaces: readonly string[]): string {
  if (interfaces.length === 0) return "on any interface but lo";
  return `on ${interfaces.join(", ")}`;
}

/**
 * The part whose decider is the broadest (a chain policy, else the rule with the fewest matches): the catch-all a user
 * recognises, rather than an anti-spoofing rule that happens to decide a sliver of the set first.
 */
export function broadestPart(parts: readonly OutcomePart[]): OutcomePart | undefined {
  let best: OutcomePart | undefined;
  let bestScore = Infinity;
  for (const part of parts) {
    // Address matches make a rule narrow (anti-spoofing, single hosts): they weigh a little more than other matches.
    const score = part.decidedBy.kind === "policy" ? 0 : part.decidedBy.rule.matches.reduce((sum, match) => sum + (match.kind === "address" ? 1.5 : 1), 0);
    if (score < bestScore) {
      best = part;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The rule of a part's path a user would point at: the decider when `names` holds for it, else the last step whose
 * rule does (the `-j L_ACCEPT` that names the port, when the deciding `-j ACCEPT` sits in the shared user chain).
 */
export function namingDecider(part: OutcomePart, names: (rule: Rule) => boolean): Decider {
  const decider = part.decidedBy;
  if (decider.kind === "rule" && names(decider.rule)) return decider;
  for (let i = part.path.length - 1; i >= 0; i--) {
    const step = part.path[i]!;
    if (step.rule && names(step.rule)) return { kind: "rule", rule: step.rule, chain: step.chain };
  }
  return decider;
}
