// VPN005 esp-forwarded-behind-nat: a NAT gateway destination-NATs ESP or AH to an internal VPN server.

import { defineRule } from "./define.js";
import { dnatHits } from "./support/dnat.js";
import { describeRule } from "./support/describe.js";
import { deleteRule } from "./support/fixes.js";
import { AH, ESP } from "./support/traffic.js";

export default defineRule({
  id: "VPN005",
  name: "esp-forwarded-behind-nat",
  severity: "warning",
  description: "ESP or AH is destination-NATed to a VPN server behind the gateway",
  rationale:
    "A VPN server behind NAT is reached with NAT-T: IKE detects the NAT and both sides wrap ESP in UDP 4500, so forwarding IP protocol 50 is needless. AH authenticates the IP header itself and cannot cross NAT at all. The forward only opens another path into the internal network, and with several servers it cannot work (ESP has no ports to tell them apart).",
  securitySeverity: 4.0,
  precision: "high",
  tags: ["vpn", "security", "nat"],
  messages: {
    forwarded: "{{traffic}} arriving on {{interfaces}} is destination-NATed to {{to}} by {{rule}}: behind NAT, IPsec uses NAT-T (UDP 4500){{ah}}",
  },
  check(context) {
    if (!context.roles.gateway.value) return;
    for (const traffic of [ESP, AH]) {
      for (const hit of dnatHits(context, traffic)) {
        context.report({
          messageId: "forwarded",
          rule: hit.rule,
          data: {
            traffic: traffic.label,
            interfaces: hit.interfaces.join(", "),
            to: hit.to,
            rule: describeRule(hit.rule),
            ah: traffic === AH ? ", and AH cannot cross NAT at all" : ", so forwarding ESP is needless",
          },
          fix: deleteRule(context.model, hit.rule, "forward UDP 500 and 4500 only; NAT-T carries ESP inside UDP 4500"),
          facts: ["gateway", "externalInterfaces"],
        });
      }
    }
  },
});
