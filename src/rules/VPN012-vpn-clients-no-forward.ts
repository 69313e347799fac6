// VPN012 vpn-clients-no-forward: remote-access VPN clients connect, but the forward path drops everything they send.

import { deciderSubject } from "./context.js";
import { defineRule } from "./define.js";
import { analyzeClients, clientPaths } from "./support/clients.js";
import { broadestPart, describeDecider } from "./support/describe.js";
import { ruleBeforeDecider } from "./support/fixes.js";
import { admittedParts, blockedParts, endpointRulesets } from "./support/queries.js";

export default defineRule({
  id: "VPN012",
  name: "vpn-clients-no-forward",
  severity: "warning",
  description: "VPN clients have no forward path: everything they send through the server is dropped",
  rationale:
    "A remote-access server must also route its clients' traffic: L2TP clients arrive on ppp interfaces, IKEv2 clients IPsec-decapsulated. When FORWARD drops all of it (a catch-all REJECT, a DROP policy with no accept for the client pool), the VPN connects and then reaches nothing: the most common complaint about hand-made VPN servers.",
  securitySeverity: 2.0,
  precision: "medium",
  tags: ["vpn", "availability"],
  messages: {
    blocked: "{{clients}} connect, but new connections they open through the server (HTTPS, for one) are {{verb}} by {{decider}}: the VPN reaches nothing beyond this host",
  },
  check(context) {
    const { model, roles } = context;
    for (const ruleset of endpointRulesets(model, roles)) {
      for (const path of clientPaths(context)) {
        const analysis = analyzeClients(context, ruleset, path);
        if (analysis.parts.length === 0 || admittedParts(analysis).length > 0) continue;
        const part = broadestPart(blockedParts(analysis));
        if (!part) continue;
        const decider = part.decidedBy;
        context.report({
          messageId: "blocked",
          ...deciderSubject(decider),
          data: { clients: path.label, verb: part.verdict === "reject" ? "rejected" : "dropped", decider: describeDecider(decider) },
          fix: ruleBeforeDecider(model, decider, { ...(path.interfacePattern ? { inInterface: path.interfacePattern } : { ipsecIn: true }), action: "accept" }, `accepting what ${path.label} send`),
          facts: [roles.l2tpEndpoint.value ? "l2tpEndpoint" : "ipsecEndpoint"],
        });
      }
    }
  },
});
