// VPN011 masquerade-catches-tunnel: MASQUERADE/SNAT on an IPsec gateway also rewrites traffic meant for the tunnel.

import type { Rule } from "../model/firewall.js";
import { defineRule } from "./define.js";
import { describeRule } from "./support/describe.js";
import { commandPrefix } from "./support/fixes.js";
import { hasPolicyMatch, letsThrough, notableRules, policyAllows, reachingHooks } from "./support/traffic.js";

/** The rule leaves IPsec-bound packets alone: `-m policy --dir out --pol none`, or a `! -d` exception someone wrote. */
function exemptsTunnel(rule: Rule): boolean {
  if (hasPolicyMatch(rule, "ipsecOut") && !policyAllows(rule, "ipsecOut", true)) return true;
  return rule.matches.some((match) => match.kind === "address" && match.direction === "dst" && match.negated);
}

/** An earlier nat rule that lets IPsec-bound packets out unchanged (`-m policy --dir out --pol ipsec -j ACCEPT`). */
function isTunnelExemption(rule: Rule): boolean {
  const passes = (rule.target.kind === "verdict" && rule.target.verdict === "accept") || rule.target.kind === "return";
  return passes && hasPolicyMatch(rule, "ipsecOut") && !policyAllows(rule, "ipsecOut", false);
}

export default defineRule({
  id: "VPN011",
  name: "masquerade-catches-tunnel",
  severity: "warning",
  description: "MASQUERADE/SNAT has no IPsec exemption on a host that routes traffic through IPsec tunnels",
  rationale:
    "Source NAT runs in POSTROUTING before the kernel looks up the IPsec policy for the packet. A MASQUERADE or SNAT rule that also matches traffic for the remote subnet rewrites its source address, the packet no longer matches the tunnel's traffic selector, and it leaves unencrypted to the internet instead: the tunnel is up but nothing passes (or worse, leaks). Exempt tunnel traffic with `-m policy --dir out --pol none` on the NAT rule, or an `--pol ipsec -j ACCEPT` rule before it.",
  securitySeverity: 5.0,
  precision: "medium",
  tags: ["vpn", "correctness", "nat", "ipsec"],
  messages: {
    catches: "{{rule}} also rewrites packets meant for the IPsec tunnel (nothing exempts IPsec-bound traffic from it), while {{forwardRule}} forwards IPsec traffic",
  },
  check(context) {
    const { model, roles } = context;
    if (!roles.ipsecEndpoint.value) return;
    for (const ruleset of model.rulesets) {
      const hooks = reachingHooks(ruleset);
      let forwardsIpsec: Rule | undefined;
      let exempted = false;
      const natRules: Rule[] = [];
      for (const pick of notableRules(ruleset)) {
        const { chain, table } = pick;
        const reached = hooks.get(chain);
        // kube-proxy's DNAT rules are reached from neither FORWARD nor POSTROUTING: passed over unbuilt.
        if (!reached || !reached.has(table === "filter" ? "FORWARD" : "POSTROUTING")) continue;
        const rule = pick.rule;
        if (table === "filter" && reached.has("FORWARD") && !forwardsIpsec && letsThrough(rule)) {
          const ipsecMatch = (["ipsecIn", "ipsecOut"] as const).some((field) => hasPolicyMatch(rule, field) && !policyAllows(rule, field, false));
          if (ipsecMatch) forwardsIpsec = rule;
        }
        if (table === "nat" && reached.has("POSTROUTING")) {
          if (isTunnelExemption(rule)) exempted = true;
          else if ((rule.target.kind === "masquerade" || rule.target.kind === "snat") && !exempted && !exemptsTunnel(rule)) natRules.push(rule);
        }
      }
      if (!forwardsIpsec) continue;
      for (const rule of natRules) {
        const fix =
          model.format === "iptables" && rule.text.includes(" -j ")
            ? {
                description: "Leave IPsec-bound packets out of the source NAT",
                text: commandPrefix(rule) + rule.text.replace(" -j ", " -m policy --dir out --pol none -j "),
                replace: rule.range,
              }
            : { description: "Add a source NAT `exclude` rule for the tunnel's remote subnets before this rule", text: `set nat source rule <N> exclude\nset nat source rule <N> destination address '<remote subnet>'` };
        context.report({
          messageId: "catches",
          rule,
          data: { rule: describeRule(rule), forwardRule: describeRule(forwardsIpsec) },
          related: [{ rule: forwardsIpsec, message: "this rule forwards IPsec-protected traffic" }],
          fix,
          facts: ["ipsecEndpoint"],
        });
      }
    }
  },
});
