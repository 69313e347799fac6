// VPN007 port-forward-blocked: IKE or NAT-T is destination-NATed to an internal host, but the forward path drops it.

import { defineRule } from "./define.js";
import { deciderSubject } from "./context.js";
import { dnatAddress, dnatHits } from "./support/dnat.js";
import { describeDecider, describeRule } from "./support/describe.js";
import { ruleBeforeDecider } from "./support/fixes.js";
import { IKE, NAT_T } from "./support/traffic.js";

export default defineRule({
  id: "VPN007",
  name: "port-forward-blocked",
  severity: "error",
  description: "UDP 500 or 4500 is destination-NATed to a VPN server, but the forward path drops it",
  rationale:
    "Destination NAT only rewrites the address; the packet must still pass the FORWARD chain (or the Vyatta forward / `in` rule-sets). A FORWARD policy of DROP (Docker sets one) or a missing accept rule silently eats the forwarded IKE or NAT-T, so the VPN server behind the gateway is unreachable although the port forward looks right.",
  securitySeverity: 5.0,
  precision: "high",
  tags: ["vpn", "availability", "nat"],
  messages: {
    blocked: "{{traffic}} arriving on {{interfaces}} is destination-NATed to {{to}} by {{rule}}, then {{verb}} on the forward path by {{decider}}",
  },
  check(context) {
    if (!context.roles.gateway.value) return;
    for (const traffic of [IKE, NAT_T]) {
      for (const hit of dnatHits(context, traffic)) {
        const verdict = hit.part.verdict;
        if (hit.parts.some((part) => part.verdict === "accept" || part.verdict === "maybe")) continue;
        const decider = hit.part.decidedBy;
        const single = hit.interfaces.length === 1 && !hit.interfaces[0]!.includes(" ") ? { inInterface: hit.interfaces[0]! } : {};
        context.report({
          messageId: "blocked",
          rule: hit.rule,
          data: {
            traffic: traffic.label,
            interfaces: hit.interfaces.join(", "),
            to: hit.to,
            rule: describeRule(hit.rule),
            verb: verdict === "reject" ? "rejected" : "dropped",
            decider: describeDecider(decider),
          },
          related: [{ ...deciderSubject(decider), message: `${describeDecider(decider)} drops the forwarded ${traffic.label}` }],
          fix: ruleBeforeDecider(
            context.model,
            decider,
            { proto: traffic.proto, dport: traffic.dport!, destination: dnatAddress(hit.to), ...single, action: "accept" },
            `accepting the forwarded ${traffic.label}`,
          ),
          facts: ["gateway", "externalInterfaces"],
        });
      }
    }
  },
});
