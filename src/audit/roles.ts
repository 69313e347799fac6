// What the host is: IPsec / L2TP endpoint, gateway, behind NAT, external interfaces. Options win over the config file,
// which wins over inference from the model; every value carries the reasons the text output prints.

import type { BuiltinChainName, Chain, FirewallModel, Rule, Ruleset } from "../model/firewall.js";
import { resolveRange, type SourceRange } from "../model/source.js";
import type { RoleFact, Roles, RoleSource } from "../rules/context.js";
import {
  AH,
  ESP,
  IKE,
  L2TP_CLEAR,
  NAT_T,
  callersOf,
  hasPolicyMatch,
  inInterface,
  isInternalInterfaceName,
  letsThrough,
  mentionsPort,
  mentionsProto,
  outInterface,
  NOTABLE_MARKS,
  notableRules,
  reachingHooks,
  type TrafficClass,
} from "../rules/support/traffic.js";

/** Role settings from options or a config file; absent fields are inferred. */
export interface RoleSettings {
  readonly roles?: readonly ("endpoint" | "gateway")[];
  readonly behindNat?: boolean;
  readonly externalInterfaces?: readonly string[];
}

const MAX_REASONS = 3;

class Evidence {
  readonly reasons: string[] = [];
  count = 0;
  add(reason: string): void {
    this.count++;
    if (this.reasons.length < MAX_REASONS && !this.reasons.includes(reason)) this.reasons.push(reason);
  }
  list(): string[] {
    const more = this.count - this.reasons.length;
    return more > 0 ? [...this.reasons, `and ${more} more`] : [...this.reasons];
  }
}

function line(range: SourceRange | undefined): string {
  return range ? `line ${resolveRange(range).startLine}` : "implied";
}

function classWords(traffic: TrafficClass): string {
  return traffic.dport !== undefined ? `udp/${traffic.dport}` : traffic === ESP ? "ESP" : "AH";
}

const NAMED_CLASSES: readonly TrafficClass[] = [IKE, NAT_T, L2TP_CLEAR, ESP, AH];
/** The notable marks of rules that may name one of NAMED_CLASSES (ports for UDP, protocol numbers for ESP/AH). */
const CLASS_MARKS = NOTABLE_MARKS.port500 | NOTABLE_MARKS.port4500 | NOTABLE_MARKS.port1701 | NOTABLE_MARKS.esp | NOTABLE_MARKS.ah;

/** The VPN classes a rule names explicitly (ports for UDP, protocol numbers for ESP/AH); empty for most rules. */
function namedVpnClasses(rule: Rule): TrafficClass[] {
  const named: TrafficClass[] = [];
  for (const traffic of NAMED_CLASSES) {
    if (traffic.dport !== undefined ? mentionsPort(rule, traffic.dport) : mentionsProto(rule, traffic.proto)) named.push(traffic);
  }
  return named;
}

interface Inferred {
  readonly ipsec: Evidence;
  readonly l2tp: Evidence;
  readonly gateway: Evidence;
  /** Interfaces of the VPN rules themselves (strongest evidence of "external"). */
  readonly vpnInterfaces: Map<string, string>;
  /** Interfaces of DNAT, MASQUERADE/SNAT and Vyatta VPN sections. */
  readonly edgeInterfaces: Map<string, string>;
  /** Interfaces a Vyatta local (to-the-router) rule-set is attached to: WAN and LAN ones alike. */
  readonly localFirewallInterfaces: Map<string, string>;
  readonly vpnFamilies: Set<string>;
}

function inferFromRuleset(ruleset: Ruleset, found: Inferred): void {
  const hooks = reachingHooks(ruleset);
  const callerInterfaces = new Map<Chain, string[]>();
  const interfacesOf = (rule: Rule, chain: Chain): string[] => {
    const own = inInterface(rule);
    if (own) return [own];
    if (chain.builtin) return [];
    let cached = callerInterfaces.get(chain);
    if (!cached) {
      cached = [];
      for (const caller of callersOf(ruleset, chain)) {
        const name = inInterface(caller.rule);
        if (name && !cached.includes(name)) cached.push(name);
      }
      callerInterfaces.set(chain, cached);
    }
    return cached;
  };
  for (const pick of notableRules(ruleset)) {
    const { chain, table, marks } = pick;
    // Most notable rules of a big dump are NAT rules naming no VPN class: their marks say so without a look.
    const namesClasses = (marks & CLASS_MARKS) !== 0;
    const reached = hooks.get(chain);
    if (table === "nat") {
      const kind = pick.targetKind;
      // kube-proxy's thousands of DNAT rules name neither a VPN class nor an interface: they are not even built.
      if (kind === "dnat" && reached?.has("PREROUTING") && (namesClasses || !pick.knownNoInterfaces)) {
        const rule = pick.rule;
        const [traffic] = namesClasses ? namedVpnClasses(rule) : [];
        const iface = inInterface(rule);
        if (traffic) found.gateway.add(`${line(rule.range)} destination-NATs ${classWords(traffic)} to another host`);
        if (iface) found.edgeInterfaces.set(iface, `DNAT rule (${line(rule.range)})`);
      }
      if ((kind === "masquerade" || kind === "snat") && reached?.has("POSTROUTING") && !pick.knownNoInterfaces) {
        const rule = pick.rule;
        const iface = outInterface(rule);
        if (iface) found.edgeInterfaces.set(iface, `${kind === "snat" ? "SNAT" : "MASQUERADE"} rule (${line(rule.range)})`);
      }
      continue;
    }
    const onInput = reached ? reached.has("INPUT" as BuiltinChainName) : !chain.builtin;
    if (!onInput) continue;
    const rule = pick.rule;
    if (rule.synthesized && (rule.target.kind === "jump" || rule.target.kind === "goto") && chain.builtin) {
      const iface = inInterface(rule);
      if (iface) found.localFirewallInterfaces.set(iface, `it carries a local firewall (${line(rule.range)})`);
    }
    const named = namesClasses ? namedVpnClasses(rule) : [];
    const policy = (marks & NOTABLE_MARKS.policy) !== 0 && hasPolicyMatch(rule, "ipsecIn");
    if (named.length === 0 && !policy) continue;
    const l2tp = named.includes(L2TP_CLEAR);
    if (named.length > 0 && !letsThrough(rule) && !(l2tp && policy)) continue;
    const verb = letsThrough(rule) ? "accepts" : "filters";
    const what = named.length > 0 ? `${verb} ${named.map(classWords).join(", ")}` : "matches the IPsec policy";
    found.ipsec.add(`a rule ${what} (${line(rule.range)})`);
    if (l2tp) found.l2tp.add(`a rule ${verb} udp/1701 (${line(rule.range)})`);
    found.vpnFamilies.add(ruleset.family);
    for (const iface of interfacesOf(rule, chain)) {
      if (!isInternalInterfaceName(iface)) found.vpnInterfaces.set(iface, `VPN rule (${line(rule.range)})`);
    }
  }
}

function addressOwner(model: FirewallModel, address: string): string | undefined {
  for (const iface of model.host.interfaces) {
    if (iface.addresses.some((written) => written.split("/")[0] === address)) return iface.name;
  }
  return undefined;
}

function fact<T>(value: T, source: RoleSource, reasons: readonly string[]): RoleFact<T> {
  return { value, source, reasons };
}

/** Private (RFC 1918) or shared (RFC 6598, 100.64.0.0/10) IPv4 address: a host with such a WAN address sits behind NAT. */
export function isPrivateIpv4(address: string): boolean {
  const octets = address.split(".").map(Number);
  if (octets.length !== 4 || octets.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  const [a, b] = octets as [number, number, number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}

export interface RoleOverrides {
  readonly options: RoleSettings;
  readonly config: RoleSettings;
}

export function inferRoles(model: FirewallModel, overrides: RoleOverrides): Roles {
  const found: Inferred = {
    ipsec: new Evidence(),
    l2tp: new Evidence(),
    gateway: new Evidence(),
    vpnInterfaces: new Map(),
    edgeInterfaces: new Map(),
    localFirewallInterfaces: new Map(),
    vpnFamilies: new Set(),
  };
  for (const ruleset of model.rulesets) inferFromRuleset(ruleset, found);
  const { ipsec, l2tp } = model.host;
  if (ipsec) {
    found.ipsec.add(`the config has a vpn ipsec section (${line(ipsec.range)})`);
    for (const name of ipsec.interfaces) found.edgeInterfaces.set(name, `vpn ipsec interface (${line(ipsec.range)})`);
  }
  if (l2tp) {
    found.ipsec.add(`the config has a vpn l2tp section (${line(l2tp.range)})`);
    found.l2tp.add(`the config has a vpn l2tp section (${line(l2tp.range)})`);
    const owner = l2tp.outsideAddress ? addressOwner(model, l2tp.outsideAddress) : undefined;
    if (owner) found.edgeInterfaces.set(owner, `it holds the L2TP outside-address (${line(l2tp.range)})`);
  }

  const forced = overrides.options.roles !== undefined ? "option" : overrides.config.roles !== undefined ? "config" : undefined;
  const forcedRoles = overrides.options.roles ?? overrides.config.roles;
  const roleFact = (name: "endpoint" | "gateway", evidence: Evidence): RoleFact<boolean> => {
    if (forced && forcedRoles) {
      const on = forcedRoles.includes(name);
      return fact(on, forced, [`${forced === "option" ? `--role ${forcedRoles.join(",") || "none"}` : "set in the config file"}`]);
    }
    return fact(evidence.count > 0, evidence.count > 0 ? "inferred" : "default", evidence.list());
  };

  const externalInterfaces = chooseExternal(overrides, found);
  const behindNat = chooseBehindNat(model, overrides, externalInterfaces.value);
  return {
    ipsecEndpoint: roleFact("endpoint", found.ipsec),
    l2tpEndpoint: roleFact("endpoint", found.l2tp),
    gateway: roleFact("gateway", found.gateway),
    behindNat,
    externalInterfaces,
    vpnFamilies: found.vpnFamilies,
  };
}

function chooseExternal(overrides: RoleOverrides, found: Inferred): RoleFact<readonly string[]> {
  if (overrides.options.externalInterfaces?.length) return fact(overrides.options.externalInterfaces, "option", ["--external-interface"]);
  if (overrides.config.externalInterfaces?.length) return fact(overrides.config.externalInterfaces, "config", ["set in the config file"]);
  // Strongest first: the VPN rules' own interfaces; then edge interfaces that also carry a local firewall (a stale
  // `ipsec-interfaces` or a LAN-side local rule-set alone does not make an interface external); then any edge sign.
  const carriers = found.localFirewallInterfaces;
  const both = new Map([...found.edgeInterfaces].filter(([name]) => carriers.has(name)).map(([name, why]) => [name, `${why}; ${carriers.get(name)}`]));
  for (const tier of [found.vpnInterfaces, both, found.edgeInterfaces, carriers]) {
    const names = [...tier.keys()].filter((name) => !isInternalInterfaceName(name));
    if (names.length > 0) return fact(names, "inferred", names.map((name) => `${name}: ${tier.get(name)}`));
  }
  return fact([], "default", ["no rule or config names one"]);
}

function chooseBehindNat(model: FirewallModel, overrides: RoleOverrides, external: readonly string[]): RoleFact<boolean> {
  if (overrides.options.behindNat !== undefined) return fact(overrides.options.behindNat, "option", ["--behind-nat"]);
  if (overrides.config.behindNat !== undefined) return fact(overrides.config.behindNat, "config", ["set in the config file"]);
  const reasons: string[] = [];
  let sawPublic = false;
  for (const iface of model.host.interfaces) {
    if (!external.includes(iface.name)) continue;
    for (const written of iface.addresses) {
      const address = written.split("/")[0]!;
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(address)) continue;
      if (isPrivateIpv4(address)) reasons.push(`${iface.name} has the private address ${written} (${line(iface.range)})`);
      else sawPublic = true;
    }
  }
  if (reasons.length > 0 && !sawPublic) return fact(true, "inferred", reasons);
  return fact(false, "default", ["no external interface has a private address"]);
}
