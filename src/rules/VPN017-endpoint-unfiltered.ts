// VPN017 endpoint-unfiltered: a VPN endpoint whose input path from outside filters nothing at all.

import { deciderSubject } from "./context.js";
import { defineRule } from "./define.js";
import { describeDecider } from "./support/describe.js";
import type { Analysis, PacketQuery } from "../engine/api.js";
import { arrivals, endpointRulesets, unattachedVpnChains } from "./support/queries.js";
import { PROTO_GRE, PROTO_TCP, PROTO_UDP } from "./support/traffic.js";

const PROBES: readonly Partial<PacketQuery>[] = [
  { proto: PROTO_TCP, dport: 23 },
  { proto: PROTO_UDP, dport: 161 },
  { proto: PROTO_GRE },
];

/** A minimal local firewall for a VPN endpoint in the config's own generation (base chain on VyOS 1.4+). */
function vyattaLocalFirewall(generation: string, iface: string): string {
  const modern = /^vyos-1\.(4\+|4$|5)/.test(generation);
  const base = modern ? "set firewall ipv4 input filter" : "set firewall name WAN_LOCAL";
  const lines = [
    `${base} default-action 'drop'`,
    `${base} rule 10 action 'accept'`,
    modern ? `${base} rule 10 state 'established'` : `${base} rule 10 state established 'enable'`,
    modern ? `${base} rule 10 state 'related'` : `${base} rule 10 state related 'enable'`,
    `${base} rule 20 action 'accept'`,
    `${base} rule 20 protocol 'udp'`,
    `${base} rule 20 destination port '500,4500'`,
    `${base} rule 30 action 'accept'`,
    `${base} rule 30 protocol 'esp'`,
  ];
  if (!modern) lines.push(`set interfaces ethernet ${iface.includes(" ") ? "eth0" : iface} firewall local name 'WAN_LOCAL'`);
  return lines.join("\n");
}

export default defineRule({
  id: "VPN017",
  name: "endpoint-unfiltered",
  severity: "warning",
  description: "A VPN endpoint accepts every packet from outside: no firewall filters its input path",
  rationale:
    "An IPsec or L2TP endpoint faces the internet by definition. With no local firewall every service of the box is reachable, and L2TP in particular is reachable in cleartext, not only through IPsec. A local rule-set that accepts IKE, NAT-T, ESP and IPsec-protected L2TP and drops the rest is the documented setup on every platform.",
  securitySeverity: 6.0,
  precision: "high",
  tags: ["vpn", "security"],
  messages: {
    unfiltered: "New connections arriving on {{interfaces}}, telnet and SNMP included, are accepted by {{decider}}: nothing filters what reaches this VPN endpoint",
    noRules: "The file has no firewall rules, so nothing filters what reaches this VPN endpoint",
  },
  check(context) {
    const { model, roles } = context;
    if (!roles.ipsecEndpoint.value && !roles.l2tpEndpoint.value) return;
    // An unattached rule-set is VPN010's finding; a file that names no outside interface is a snippet we cannot judge.
    if (unattachedVpnChains(model).length > 0 || roles.externalInterfaces.value.length === 0) return;
    const vpnRange = model.host.ipsec?.range ?? model.host.l2tp?.range;
    if (model.rulesets.length === 0) {
      if (model.format === "vyatta") context.report({ messageId: "noRules", ...(vpnRange ? { range: vpnRange } : {}), facts: ["ipsecEndpoint"] });
      return;
    }
    for (const ruleset of endpointRulesets(model, roles)) {
      // "Everything is accepted", asked with probes no sane firewall lets in from outside (telnet, SNMP, GRE): asking
      // about every packet would make the engine split the set at each rule of a large ruleset.
      const isOpen = (analysis: Analysis): boolean =>
        analysis.parts.length > 0 && analysis.verdict === "accept" && analysis.parts.every((part) => !part.dnat && part.decidedBy.kind === "policy");
      const all = arrivals(roles);
      let first: Analysis | undefined;
      const everyProbeOpen = all.every((arrival) =>
        PROBES.every((probe) => {
          const analysis = context.analyze(ruleset, { hook: "input", state: "new", ...probe, ...arrival.query });
          first ??= analysis;
          return isOpen(analysis);
        }),
      );
      if (!everyProbeOpen || !first) continue;
      const decider = first.parts[0]!.decidedBy;
      context.report({
        messageId: "unfiltered",
        ...deciderSubject(decider),
        ...(vpnRange && decider.kind === "policy" && !decider.chain.policy?.range ? { range: vpnRange } : {}),
        data: { interfaces: all.map((arrival) => arrival.label).join(", "), decider: describeDecider(decider) },
        fix:
          model.format === "vyatta"
            ? {
                description: "Create a local rule-set that accepts the VPN and drops the rest, and attach it to the external interface",
                text: vyattaLocalFirewall(model.host.generation ?? "", all[0]!.label),
              }
            : {
                description: "Give INPUT a DROP policy after accepting loopback, replies and the VPN",
                text: ["-A INPUT -i lo -j ACCEPT", "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-A INPUT -p udp -m multiport --dports 500,4500 -j ACCEPT", "-A INPUT -p esp -j ACCEPT", "-P INPUT DROP"].join("\n"),
              },
        facts: ["ipsecEndpoint", "externalInterfaces"],
      });
    }
  },
});
