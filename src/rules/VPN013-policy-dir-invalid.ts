// VPN013 policy-dir-invalid: `-m policy --dir in` reachable from OUTPUT/POSTROUTING, or `--dir out` from PREROUTING/INPUT.

import type { BuiltinChainName } from "../model/firewall.js";
import { defineRule } from "./define.js";
import { describeRule } from "./support/describe.js";
import { NOTABLE_MARKS, notableRulesMarked, reachingHooks } from "./support/traffic.js";

/** Where each direction is valid (xt_policy: `--dir in` needs an input hook, `--dir out` an output hook). */
const INVALID: Readonly<Record<"ipsecIn" | "ipsecOut", readonly BuiltinChainName[]>> = {
  ipsecIn: ["OUTPUT", "POSTROUTING"],
  ipsecOut: ["PREROUTING", "INPUT"],
};

export default defineRule({
  id: "VPN013",
  name: "policy-dir-invalid",
  severity: "error",
  description: "`-m policy --dir` is used in a chain where that direction is invalid, so the kernel refuses the ruleset",
  rationale:
    "The policy match can only look at how a packet arrived (`--dir in`) in PREROUTING, INPUT and FORWARD, and at how it will leave (`--dir out`) in FORWARD, OUTPUT and POSTROUTING. A rule with the wrong direction, also in a user chain jumped to from such a hook, makes the kernel refuse the whole table (iptables-restore: `Invalid argument`), so none of the file's rules load.",
  securitySeverity: 5.0,
  precision: "very-high",
  tags: ["vpn", "correctness", "ipsec"],
  messages: {
    invalid: "`--dir {{dir}}` is invalid in {{rule}}: its chain is reached from {{hooks}}, where only `--dir {{other}}` is allowed, so the kernel refuses the table",
  },
  check(context) {
    const { model } = context;
    if (model.format !== "iptables") return;
    for (const ruleset of model.rulesets) {
      const hooksOf = reachingHooks(ruleset);
      for (const { rule, chain } of notableRulesMarked(ruleset, NOTABLE_MARKS.policy)) {
        for (const match of rule.matches) {
          if (match.kind !== "field" || (match.field !== "ipsecIn" && match.field !== "ipsecOut")) continue;
          const reached = hooksOf.get(chain);
          const bad = reached ? INVALID[match.field].filter((hook) => reached.has(hook)) : [];
          if (bad.length === 0) continue;
          const alreadyRefused = model.diagnostics.some((diagnostic) => diagnostic.range.start >= rule.range.start && diagnostic.range.start < rule.range.end);
          if (alreadyRefused) continue;
          const dir = match.field === "ipsecIn" ? "in" : "out";
          context.report({
            messageId: "invalid",
            rule,
            chain,
            ...(match.range ? { range: match.range } : {}),
            data: { dir, other: dir === "in" ? "out" : "in", rule: describeRule(rule), hooks: bad.join(" and ") },
            facts: [],
          });
          break;
        }
      }
    }
  },
});
