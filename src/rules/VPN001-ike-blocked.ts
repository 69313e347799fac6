// VPN001 ike-blocked: an IPsec endpoint accepts no NEW UDP 500 from its external interfaces.

import { defineRule } from "./define.js";
import { reportBlocked } from "./support/blocked.js";
import { IKE } from "./support/traffic.js";

export default defineRule({
  id: "VPN001",
  name: "ike-blocked",
  severity: "error",
  description: "IKE (UDP 500) cannot reach the IPsec endpoint from outside",
  rationale:
    "Every IPsec connection starts with IKE on UDP 500 (IKEv1 and IKEv2). If no NEW UDP 500 packet from outside is accepted, no peer or client can start a connection or rekey one it started: the VPN is down, or works only while this host initiates.",
  securitySeverity: 5.0,
  precision: "high",
  tags: ["vpn", "availability", "ipsec"],
  messages: {
    blocked: "{{family}}{{traffic}} arriving on {{interfaces}} is {{verb}} by {{decider}}: no NEW IKE packet from outside reaches the IPsec endpoint",
  },
  check(context) {
    reportBlocked(context, IKE);
  },
});
