// VPN009 pptp-exposed: PPTP (TCP 1723, with GRE) is accepted by the host or forwarded to a host behind it.

import type { FirewallModel, Rule } from "../model/firewall.js";
import { defineRule } from "./define.js";
import { describeRule, namingDecider } from "./support/describe.js";
import type { FixReport } from "./context.js";
import { commandPrefix, deleteRule } from "./support/fixes.js";
import { admittedParts, arrivals } from "./support/queries.js";
import { NOTABLE_MARKS, PROTO_GRE, PROTO_TCP, letsThrough, mentionsDestinationPort, mentionsProto, notableRulesMarked, onlyPptpPort, type PlacedRule } from "./support/traffic.js";

/** Delete a PPTP-only rule; from a rule that also serves other ports, take out 1723 alone. */
function pptpFix(model: FirewallModel, rule: Rule): FixReport {
  if (onlyPptpPort(rule)) return deleteRule(model, rule, "stop offering PPTP");
  const without = rule.text.replace(/,1723\b|\b1723,/, "");
  if (model.format === "iptables" && without !== rule.text) {
    return { description: "Take TCP 1723 out of this rule; the other ports stay", text: commandPrefix(rule) + without, replace: rule.range };
  }
  return { description: "Take TCP 1723 out of this rule's ports; the other ports stay", text: "" };
}

export default defineRule({
  id: "VPN009",
  name: "pptp-exposed",
  severity: "warning",
  description: "PPTP (TCP 1723 and GRE) is accepted or forwarded",
  rationale:
    "PPTP authenticates with MS-CHAPv2, which is broken: a captured handshake reduces to a single DES key that is cracked in hours, giving the password and the MPPE session keys. Replace it with L2TP/IPsec or IKEv2 and close TCP 1723 and GRE.",
  securitySeverity: 7.0,
  precision: "high",
  tags: ["vpn", "security", "pptp"],
  messages: {
    accepted: "PPTP (TCP 1723) arriving on {{interfaces}} is accepted by {{rule}}{{gre}}: PPTP's MS-CHAPv2 is broken, use L2TP/IPsec or IKEv2",
    forwarded: "PPTP (TCP 1723) arriving on {{interfaces}} is destination-NATed to {{to}} by {{rule}}: PPTP's MS-CHAPv2 is broken, use L2TP/IPsec or IKEv2",
  },
  check(context) {
    const { model, roles } = context;
    for (const ruleset of model.rulesets) {
      // Only a rule that names TCP 1723 can be reported: without one, the engine need not be asked.
      const reportable = ({ rule, table }: PlacedRule): boolean =>
        mentionsDestinationPort(rule, 1723) && (table === "nat" ? rule.target.kind === "dnat" : letsThrough(rule));
      if (!notableRulesMarked(ruleset, NOTABLE_MARKS.port1723).some(reportable)) continue;
      const accepted = new Map<Rule, string[]>();
      const forwarded = new Map<Rule, { to: string; interfaces: string[] }>();
      let greAccepted = false;
      for (const arrival of arrivals(roles)) {
        const analysis = context.analyze(ruleset, { hook: "input", proto: PROTO_TCP, dport: 1723, state: "new", ...arrival.query });
        for (const part of analysis.parts) {
          if (part.dnat && mentionsDestinationPort(part.dnat.rule, 1723)) {
            const entry = forwarded.get(part.dnat.rule) ?? { to: part.dnat.to, interfaces: [] };
            if (!entry.interfaces.includes(arrival.label)) entry.interfaces.push(arrival.label);
            forwarded.set(part.dnat.rule, entry);
          } else if (part.verdict === "accept" && !part.dnat) {
            const naming = namingDecider(part, (rule) => letsThrough(rule) && mentionsDestinationPort(rule, 1723));
            if (naming.kind !== "rule" || !mentionsDestinationPort(naming.rule, 1723)) continue;
            const list = accepted.get(naming.rule) ?? [];
            if (!list.includes(arrival.label)) list.push(arrival.label);
            accepted.set(naming.rule, list);
          }
        }
        if (accepted.size > 0 && !greAccepted) {
          const gre = context.analyze(ruleset, { hook: "input", proto: PROTO_GRE, state: "new", ...arrival.query });
          greAccepted = admittedParts(gre).some((part) => {
            const naming = namingDecider(part, (rule) => letsThrough(rule) && mentionsProto(rule, PROTO_GRE));
            return naming.kind === "rule" && mentionsProto(naming.rule, PROTO_GRE) && letsThrough(naming.rule);
          });
        }
      }
      for (const [rule, interfaces] of accepted) {
        context.report({
          messageId: "accepted",
          rule,
          data: { interfaces: interfaces.join(", "), rule: describeRule(rule), gre: greAccepted ? " (and GRE is accepted too)" : "" },
          fix: pptpFix(model, rule),
          facts: ["externalInterfaces"],
        });
      }
      for (const [rule, { to, interfaces }] of forwarded) {
        context.report({
          messageId: "forwarded",
          rule,
          data: { interfaces: interfaces.join(", "), rule: describeRule(rule), to },
          fix: pptpFix(model, rule),
          facts: ["externalInterfaces"],
        });
      }
    }
  },
});
