// VPN015 no-mss-clamping: VPN clients' TCP is forwarded without any TCPMSS rule on its path.

import { defineRule } from "./define.js";
import { analyzeClients, clientPaths } from "./support/clients.js";
import { describeDecider, isImplicitDefault } from "./support/describe.js";
import { admittedParts, endpointRulesets } from "./support/queries.js";
import { deciderSubject } from "./context.js";

export default defineRule({
  id: "VPN015",
  name: "no-mss-clamping",
  severity: "note",
  description: "TCP from VPN clients is forwarded with no MSS clamping on its path",
  rationale:
    "IPsec and L2TP headers shrink the path MTU. Where ICMP \"fragmentation needed\" is filtered somewhere on the internet, TCP connections through the tunnel stall after the handshake (some sites load, others hang). Clamping the MSS of forwarded SYNs (`-j TCPMSS --clamp-mss-to-pmtu` or `--set-mss 1360`) in mangle FORWARD, or before the accept rules, avoids it.",
  securitySeverity: 1.0,
  precision: "medium",
  tags: ["vpn", "availability", "mtu"],
  messages: {
    unclamped: "TCP SYNs from {{clients}} are accepted by {{decider}} without passing any TCPMSS rule: tunnelled connections may hang on paths that filter ICMP",
  },
  check(context) {
    const { model, roles } = context;
    // Vyatta-family routers clamp in interface settings (`adjust-mss`), which the firewall model does not hold.
    if (model.format !== "iptables") return;
    for (const ruleset of endpointRulesets(model, roles)) {
      for (const path of clientPaths(context)) {
        const analysis = analyzeClients(context, ruleset, path);
        const admitted = admittedParts(analysis);
        if (admitted.length === 0) continue;
        const clamped = admitted.some((part) => part.path.some((step) => step.rule?.target.kind === "continue" && step.rule.target.name === "TCPMSS"));
        if (clamped) continue;
        const decider = admitted[0]!.decidedBy;
        // A file that configures no forwarding at all (the built-in ACCEPT decides) is not where clamping would live.
        if (isImplicitDefault(decider)) continue;
        context.report({
          messageId: "unclamped",
          ...deciderSubject(decider),
          data: { clients: path.label, decider: describeDecider(decider) },
          fix: {
            description: "Clamp the MSS of forwarded SYNs in the mangle table (it runs before filter)",
            text: "-t mangle -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
          },
          facts: [roles.l2tpEndpoint.value ? "l2tpEndpoint" : "ipsecEndpoint"],
        });
      }
    }
  },
});
