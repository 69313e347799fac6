// VPN016 l2tp-established-cleartext: NEW cleartext UDP 1701 is blocked, but cleartext 1701 of known flows is accepted.

import type { Decider } from "../engine/api.js";
import { deciderSubject } from "./context.js";
import { defineRule } from "./define.js";
import { describeDecider } from "./support/describe.js";
import { ruleBeforeDecider } from "./support/fixes.js";
import { admittedParts, arrivals, endpointRulesets } from "./support/queries.js";
import { L2TP_CLEAR, classQuery } from "./support/traffic.js";

export default defineRule({
  id: "VPN016",
  name: "l2tp-established-cleartext",
  severity: "note",
  description: "Cleartext UDP 1701 belonging to an existing L2TP flow is accepted, although new cleartext L2TP is not",
  rationale:
    "Conntrack does not know that an L2TP flow was set up inside IPsec: a cleartext UDP 1701 packet with the same addresses and ports is ESTABLISHED too, and a generic `RELATED,ESTABLISHED -j ACCEPT` lets it in, so anyone who can spoof a connected client's address can inject into its L2TP session. Drop UDP 1701 without IPsec (`-m policy --dir in --pol none -j DROP`) before the conntrack accept, as the widely used setup-ipsec-vpn scripts do.",
  securitySeverity: 3.0,
  precision: "medium",
  tags: ["vpn", "security", "l2tp", "hardening"],
  messages: {
    established: "ESTABLISHED UDP 1701 without IPsec on {{interfaces}} is accepted by {{decider}} (NEW cleartext 1701 is not), so spoofed packets can join a client's L2TP session",
  },
  check(context) {
    const { model, roles } = context;
    if (!roles.l2tpEndpoint.value) return;
    for (const ruleset of endpointRulesets(model, roles)) {
      const reports = new Map<unknown, { decider: Decider; interfaces: string[] }>();
      let newAdmitted = false;
      for (const arrival of arrivals(roles)) {
        const fresh = context.analyze(ruleset, classQuery(L2TP_CLEAR, { hook: "input", state: "new", ...arrival.query }));
        if (fresh.parts.length === 0 || admittedParts(fresh).length > 0) {
          newAdmitted = true;
          break;
        }
        const known = context.analyze(ruleset, classQuery(L2TP_CLEAR, { hook: "input", state: "established", ...arrival.query }));
        const part = admittedParts(known).find((candidate) => candidate.verdict === "accept");
        if (!part) continue;
        const key = part.decidedBy.kind === "rule" ? part.decidedBy.rule : part.decidedBy.chain;
        const entry = reports.get(key);
        if (entry) entry.interfaces.push(arrival.label);
        else reports.set(key, { decider: part.decidedBy, interfaces: [arrival.label] });
      }
      if (newAdmitted) continue;
      for (const { decider, interfaces } of reports.values()) {
        context.report({
          messageId: "established",
          ...deciderSubject(decider),
          data: { interfaces: interfaces.join(", "), decider: describeDecider(decider) },
          fix: ruleBeforeDecider(model, decider, { proto: L2TP_CLEAR.proto, dport: 1701, ipsecIn: false, action: "drop" }, "dropping UDP 1701 that did not come through IPsec"),
          facts: ["l2tpEndpoint", "externalInterfaces"],
        });
      }
    }
  },
});
