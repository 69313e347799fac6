// VPN014 ipv4-ipv6-disagree: the IPv4 and IPv6 rulesets of one host treat a VPN packet class differently.

import type { Analysis, Decider } from "../engine/api.js";
import type { Ruleset } from "../model/firewall.js";
import { deciderSubject } from "./context.js";
import { defineRule } from "./define.js";
import { describeDecider } from "./support/describe.js";
import { admittedParts, arrivals } from "./support/queries.js";
import { ESP, IKE, L2TP_CLEAR, NAT_T, classQuery } from "./support/traffic.js";

interface Stance {
  readonly open: boolean;
  readonly decider: Decider;
}

function stanceOf(analyses: readonly Analysis[]): Stance | undefined {
  for (const analysis of analyses) {
    const admitted = admittedParts(analysis)[0];
    if (admitted) return { open: true, decider: admitted.decidedBy };
  }
  const first = analyses.find((analysis) => analysis.parts.length > 0)?.parts[0];
  return first ? { open: false, decider: first.decidedBy } : undefined;
}

export default defineRule({
  id: "VPN014",
  name: "ipv4-ipv6-disagree",
  severity: "warning",
  description: "The IPv4 and IPv6 rules of the host disagree on a VPN port or protocol",
  rationale:
    "Hosts are usually tightened for IPv4 and forgotten for IPv6, which most VPN clients prefer when they have it. If IPv6 accepts cleartext L2TP that IPv4 drops, the hole is simply reached over IPv6; if IPv6 blocks IKE that IPv4 accepts, dual-stack clients fail or fall back slowly. Both families should say the same about the VPN.",
  securitySeverity: 5.0,
  precision: "high",
  tags: ["vpn", "security", "ipv6"],
  messages: {
    disagree: "{{traffic}} is {{v6}} over IPv6 by {{decider6}} but {{v4}} over IPv4 by {{decider4}}",
  },
  check(context) {
    const { model, roles } = context;
    if (!roles.ipsecEndpoint.value && !roles.l2tpEndpoint.value) return;
    const v4 = model.rulesets.find((ruleset) => ruleset.family === "ipv4");
    const v6 = model.rulesets.find((ruleset) => ruleset.family === "ipv6");
    if (!v4 || !v6) return;
    const classes = roles.l2tpEndpoint.value ? [IKE, NAT_T, ESP, L2TP_CLEAR] : [IKE, NAT_T, ESP];
    for (const traffic of classes) {
      const ask = (ruleset: Ruleset): Stance | undefined =>
        stanceOf(arrivals(roles).map((arrival) => context.analyze(ruleset, classQuery(traffic, { hook: "input", state: "new", ...arrival.query }))));
      const four = ask(v4);
      const six = ask(v6);
      if (!four || !six || four.open === six.open) continue;
      // IPv6 closed while IPv4 is open is a choice (an IPv4-only VPN) unless the IPv6 rules themselves try to serve it.
      if (!six.open && !roles.vpnFamilies.has("ipv6")) continue;
      context.report({
        messageId: "disagree",
        ...deciderSubject(six.decider),
        data: {
          traffic: traffic.label,
          v6: six.open ? "accepted" : "blocked",
          v4: four.open ? "accepted" : "blocked",
          decider6: describeDecider(six.decider),
          decider4: describeDecider(four.decider),
        },
        related: [{ ...deciderSubject(four.decider), message: `IPv4: ${describeDecider(four.decider)}` }],
        facts: [roles.l2tpEndpoint.value ? "l2tpEndpoint" : "ipsecEndpoint", "externalInterfaces"],
      });
    }
  },
});
