// VPN006 l2tp-forwarded: a NAT gateway destination-NATs UDP 1701 (L2TP) to an internal host.

import { defineRule } from "./define.js";
import { dnatHits } from "./support/dnat.js";
import { describeRule } from "./support/describe.js";
import { deleteRule } from "./support/fixes.js";
import { L2TP_CLEAR } from "./support/traffic.js";

export default defineRule({
  id: "VPN006",
  name: "l2tp-forwarded",
  severity: "warning",
  description: "UDP 1701 (L2TP) is destination-NATed to a host behind the gateway",
  rationale:
    "L2TP/IPsec carries L2TP inside IPsec, which crosses the NAT as UDP 4500. Legitimate L2TP never arrives at the gateway as plain UDP 1701, so forwarding it only lets anyone reach the internal server's L2TP daemon in cleartext, bypassing IPsec.",
  securitySeverity: 6.0,
  precision: "high",
  tags: ["vpn", "security", "l2tp", "nat"],
  messages: {
    forwarded: "UDP 1701 (L2TP) arriving on {{interfaces}} is destination-NATed to {{to}} by {{rule}}: L2TP travels inside IPsec (UDP 4500), so this only exposes cleartext L2TP",
  },
  check(context) {
    if (!context.roles.gateway.value) return;
    for (const hit of dnatHits(context, L2TP_CLEAR)) {
      context.report({
        messageId: "forwarded",
        rule: hit.rule,
        data: { interfaces: hit.interfaces.join(", "), to: hit.to, rule: describeRule(hit.rule) },
        fix: deleteRule(context.model, hit.rule, "L2TP/IPsec needs only UDP 500 and 4500 forwarded"),
        facts: ["gateway", "externalInterfaces"],
      });
    }
  },
});
