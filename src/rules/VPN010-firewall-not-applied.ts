// VPN010 firewall-not-applied: a Vyatta-family rule-set holding VPN rules is attached to no interface, zone or hook.

import type { Chain } from "../model/firewall.js";
import { defineRule } from "./define.js";
import { unattachedVpnChains } from "./support/queries.js";

/** `set` commands that attach the rule-set as the local (to-the-router) firewall of `iface`, per config generation. */
function attachCommands(chain: Chain, iface: string): string {
  const name = chain.origin!.label.replace(/^firewall (?:ipv[46] )?(?:ipv6-)?name /, "");
  if (/^firewall ipv[46] name /.test(chain.origin!.label)) {
    const family = chain.origin!.label.startsWith("firewall ipv6") ? "ipv6" : "ipv4";
    return [
      `set firewall ${family} input filter rule 10 action 'jump'`,
      `set firewall ${family} input filter rule 10 jump-target '${name}'`,
      `set firewall ${family} input filter rule 10 inbound-interface name '${iface}'`,
    ].join("\n");
  }
  const kind = iface.startsWith("pppoe") ? "pppoe" : iface.startsWith("bond") ? "bonding" : iface.startsWith("dp0") ? "dataplane" : "ethernet";
  const direction = chain.origin!.label.includes("ipv6-name") ? "ipv6-name" : "name";
  return `set interfaces ${kind} ${iface} firewall local ${direction} '${name}'`;
}

export default defineRule({
  id: "VPN010",
  name: "firewall-not-applied",
  severity: "warning",
  description: "A rule-set with VPN rules is attached to no interface, zone or hook, so it filters nothing",
  rationale:
    "On Vyatta, VyOS and EdgeOS a `firewall name` rule-set does nothing until an interface (`firewall local`/`in`), a zone or a base chain (`firewall ipv4 input filter`, VyOS 1.4+) uses it. Rules that look right in the config then protect nothing: the router accepts whatever reaches it, cleartext L2TP included.",
  securitySeverity: 6.0,
  precision: "high",
  tags: ["vpn", "security", "vyatta"],
  messages: {
    unattached: "{{ruleset}} holds VPN rules but is attached to no interface, zone or hook, so it filters nothing",
  },
  check(context) {
    const iface = context.roles.externalInterfaces.value[0] ?? "eth0";
    for (const { chain } of unattachedVpnChains(context.model)) {
      context.report({
        messageId: "unattached",
        chain,
        ...(chain.range ? { range: chain.range } : {}),
        data: { ruleset: chain.origin!.label },
        fix: {
          description: `Attach ${chain.origin!.label} to the traffic it is meant for, e.g. as the local firewall of ${iface}`,
          text: attachCommands(chain, iface),
        },
        facts: ["externalInterfaces"],
      });
    }
  },
});
