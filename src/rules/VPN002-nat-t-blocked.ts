// VPN002 nat-t-blocked: an IPsec endpoint accepts no NEW UDP 4500 from its external interfaces.

import { defineRule } from "./define.js";
import { reportBlocked } from "./support/blocked.js";
import { NAT_T } from "./support/traffic.js";

export default defineRule({
  id: "VPN002",
  name: "nat-t-blocked",
  severity: "error",
  description: "NAT-T (UDP 4500) cannot reach the IPsec endpoint from outside",
  rationale:
    "Once a NAT is detected on the path, IKE and ESP move to UDP 4500. Remote-access clients sit behind NAT almost always, so without UDP 4500 they negotiate on port 500 and then fail: the classic \"connects, then times out\".",
  securitySeverity: 5.0,
  precision: "high",
  tags: ["vpn", "availability", "ipsec"],
  messages: {
    blocked: "{{family}}{{traffic}} arriving on {{interfaces}} is {{verb}} by {{decider}}: no NEW NAT-T packet from outside reaches the IPsec endpoint",
  },
  check(context) {
    reportBlocked(context, NAT_T);
  },
});
