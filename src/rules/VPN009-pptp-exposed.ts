// VPN009 pptp-exposed: PPTP (TCP 1723, with GRE) is accepted by the host or forwarded to a host behind it.

import type { Rule } from "../model/firewall.js";
import { defineRule } from "./define.js";
import { describeRule } from "./support/describe.js";
import { deleteRule } from "./support/fixes.js";
import { admittedParts, arrivals } from "./support/queries.js";
import { PROTO_GRE, PROTO_TCP, mentionsDestinationPort, mentionsProto, notableRules } from "./support/traffic.js";

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
      if (!notableRules(ruleset).some(({ rule }) => mentionsDestinationPort(rule, 1723))) continue;
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
          } else if (part.verdict === "accept" && !part.dnat && part.decidedBy.kind === "rule" && mentionsDestinationPort(part.decidedBy.rule, 1723)) {
            const list = accepted.get(part.decidedBy.rule) ?? [];
            if (!list.includes(arrival.label)) list.push(arrival.label);
            accepted.set(part.decidedBy.rule, list);
          }
        }
        if (accepted.size > 0 && !greAccepted) {
          const gre = context.analyze(ruleset, { hook: "input", proto: PROTO_GRE, state: "new", ...arrival.query });
          greAccepted = admittedParts(gre).some((part) => part.decidedBy.kind === "rule" && mentionsProto(part.decidedBy.rule, PROTO_GRE));
        }
      }
      for (const [rule, interfaces] of accepted) {
        context.report({
          messageId: "accepted",
          rule,
          data: { interfaces: interfaces.join(", "), rule: describeRule(rule), gre: greAccepted ? " (and GRE is accepted too)" : "" },
          fix: deleteRule(model, rule, "stop offering PPTP"),
          facts: ["externalInterfaces"],
        });
      }
      for (const [rule, { to, interfaces }] of forwarded) {
        context.report({
          messageId: "forwarded",
          rule,
          data: { interfaces: interfaces.join(", "), rule: describeRule(rule), to },
          fix: deleteRule(model, rule, "stop offering PPTP"),
          facts: ["externalInterfaces"],
        });
      }
    }
  },
});
