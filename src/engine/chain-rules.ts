// A chain's rules as the engine reads them: by count and position. A deferred chain (model DeferredRules: the common
// lines of a large iptables dump) is read from its rows' summaries, and a rule is built only when a walk gets past
// its bounds: a question about UDP 500 builds none of a Kubernetes node's thousands of TCP service rules.

import type { Chain, DeferredRules, Rule } from "../model/firewall.js";

/** The chain's deferred rows while its rules are not built yet. */
export function unbuilt(chain: Chain): DeferredRules | undefined {
  const deferred = chain.deferred;
  return deferred !== undefined && !deferred.built ? deferred : undefined;
}

export function ruleCount(chain: Chain): number {
  const deferred = unbuilt(chain);
  return deferred !== undefined ? deferred.count : chain.rules.length;
}

/** The rule at 0-based `index` (the same object whether built alone or with its chain). */
export function ruleAt(chain: Chain, index: number): Rule {
  const deferred = unbuilt(chain);
  return deferred !== undefined ? deferred.rule(index) : chain.rules[index]!;
}

/**
 * Whether the rule at a position is loaded and has a target (the only rules that decide anything or cost work), as a
 * test made once for a loop over one chain.
 */
export function actingTest(chain: Chain): (index: number) => boolean {
  const deferred = unbuilt(chain);
  if (deferred !== undefined) return (index) => deferred.target(index).kind !== "none";
  const rules = chain.rules;
  return (index) => !rules[index]!.disabled && rules[index]!.target.kind !== "none";
}
