// VPN003 esp-blocked: an IPsec endpoint that is not behind NAT accepts no ESP from its external interfaces.

import { defineRule } from "./define.js";
import { reportBlocked } from "./support/blocked.js";
import { ESP } from "./support/traffic.js";

export default defineRule({
  id: "VPN003",
  name: "esp-blocked",
  severity: "error",
  description: "ESP (IP protocol 50) cannot reach an IPsec endpoint that is not behind NAT",
  rationale:
    "Between public addresses, with no NAT on the path, IPsec carries its data as ESP (IP protocol 50), not inside UDP. IKE then succeeds and the tunnel comes up, but no data passes. Behind NAT, NAT-T wraps ESP in UDP 4500 and this check does not apply (say so with --behind-nat or `behind-nat: true`).",
  securitySeverity: 5.0,
  precision: "high",
  tags: ["vpn", "availability", "ipsec"],
  messages: {
    blocked: "{{family}}{{traffic}} arriving on {{interfaces}} is {{verb}} by {{decider}}: IPsec data from peers with public addresses cannot arrive",
  },
  check(context) {
    if (context.roles.behindNat.value) return;
    reportBlocked(context, ESP);
  },
});
