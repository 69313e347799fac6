// The questions most checks ask: which rulesets to check as an endpoint, from which interfaces, and which parts of an
// answer let packets in.

import type { Analysis, OutcomePart, PacketQuery } from "../../engine/api.js";
import type { Chain, FirewallModel, Ruleset } from "../../model/firewall.js";
import type { Roles } from "../context.js";
import { AH, ESP, IKE, L2TP_CLEAR, NAT_T, namesClass, type TrafficClass } from "./traffic.js";

/** Rulesets an endpoint check looks at: those whose own rules show VPN intent, else the IPv4 one (or the only one). */
export function endpointRulesets(model: FirewallModel, roles: Roles): Ruleset[] {
  if (roles.vpnFamilies.size > 0) return model.rulesets.filter((ruleset) => roles.vpnFamilies.has(ruleset.family));
  return model.rulesets.filter((ruleset) => ruleset.family === "ipv4" || model.rulesets.length === 1);
}

/** Where packets "from outside" arrive: one query fragment per external interface, or any interface but loopback. */
export interface Arrival {
  readonly query: Pick<PacketQuery, "in" | "notIn">;
  /** `eth0`, or `any interface but lo`. */
  readonly label: string;
}

export function arrivals(roles: Roles): Arrival[] {
  const names = roles.externalInterfaces.value;
  if (names.length === 0) return [{ query: { notIn: ["lo"] }, label: "any interface but lo" }];
  // A wildcard (`eth+`) stands for its members; the engine takes one concrete name, so ask about a representative.
  return names.map((name) => ({ query: { in: name.endsWith("+") ? `${name.slice(0, -1)}0` : name }, label: name }));
}

/** Parts that may reach the host itself (accepted or maybe, and not destination-NATed elsewhere). */
export function admittedParts(analysis: Analysis): OutcomePart[] {
  return analysis.parts.filter((part) => (part.verdict === "accept" || part.verdict === "maybe") && !part.dnat);
}

export function blockedParts(analysis: Analysis): OutcomePart[] {
  return analysis.parts.filter((part) => part.verdict === "drop" || part.verdict === "reject");
}

/** `from any source`, or the part in the engine's words when only some packets share this outcome. */
export function whoOf(analysis: Analysis, part: OutcomePart): string {
  return analysis.parts.length <= 1 ? "from any source" : `(${part.description})`;
}

export const VPN_CLASSES: readonly TrafficClass[] = [IKE, NAT_T, ESP, AH, L2TP_CLEAR];

/** Rule-sets the config defines but attaches nowhere, that hold rules naming VPN traffic (VPN010's subject). */
const unattachedMemo = new WeakMap<FirewallModel, { chain: Chain; ruleset: Ruleset }[]>();

export function unattachedVpnChains(model: FirewallModel): { chain: Chain; ruleset: Ruleset }[] {
  const memo = unattachedMemo.get(model);
  if (memo) return memo;
  const found: { chain: Chain; ruleset: Ruleset }[] = [];
  for (const ruleset of model.rulesets) {
    for (const table of ruleset.tables.values()) {
      // Only rule-sets of Vyatta-family configs have an origin; forEach reads kube's thousands of chains without
      // iterator objects.
      table.chains.forEach((chain) => {
        if (!chain.origin || chain.origin.attached) return;
        if (chain.rules.some((rule) => !rule.disabled && VPN_CLASSES.some((traffic) => namesClass(rule, { ...traffic, ipsec: undefined } as TrafficClass)))) {
          found.push({ chain, ruleset });
        }
      });
    }
  }
  unattachedMemo.set(model, found);
  return found;
}
