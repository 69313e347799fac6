// The config tree -> the vendor-neutral model: rule-sets become user chains of the filter table, attachments
// (interfaces, zones, base chains) become synthesized jump rules in the built-in chains, NAT rules go to the nat
// table, and the VPN sections become HostFacts. One mapping for both forms, every generation.
//
// Behaviour facts and their sources:
// - Rule-sets are walked by rule number, first match wins; a rule-set's default-action ends the walk (Vyatta 6.5
//   Firewall Reference "Firewall rules", VyOS docs firewall/index).
// - default-action when absent: drop for classic `firewall name` (Vyatta 6.5 Firewall Reference, VyOS 1.3 docs,
//   EdgeOS likewise) and for VyOS 1.4+ `firewall ipv4 name` (vyos-1x firewall.xml.in defaultValue); accept for the
//   1.4+ base chains `firewall ipv4 input|forward|output filter` (same file); Vyatta NOS: an implicit drop once a
//   rule-set is applied to a direction (docs.vyatta.com, "Implicit Action").
// - Interface attachments (VyOS 1.3 docs firewall/index "in, out and local"): `local` filters packets to the router
//   (INPUT, by input interface); `in` forwarded packets by input interface; `out` forwarded packets by output
//   interface (both FORWARD). An interface without a rule-set is not filtered: its traffic is accepted.
// - Classic `firewall state-policy` applies to every rule-set before its own rules (VyOS 1.3 docs "state-policy");
//   VyOS 1.4+ `firewall global-options state-policy` applies to the base chains (vyos-1x firewall templates).
// - Zones (Vyatta 6.5 Firewall Reference "Zone-Based Firewall", VyOS 1.3 zone-policy docs, 1.4+ firewall zone):
//   traffic to zone Z from zone Y goes through `zone Z from Y firewall name N`; a `return` out of N lets it pass;
//   a missing from-entry, or an interface in no zone, gets Z's default-action (drop when absent); traffic inside a
//   zone passes unless `intra-zone-filtering` says otherwise; the local-zone filters traffic to and from the router
//   itself, loopback excepted (classic Vyatta's VZONE_local_IN chain: RETURN for loopback, from-zone jumps, DROP).
// - Vyatta NOS: `interfaces dataplane|loopback X firewall in|out|local NAME` (several names are applied in order);
//   the local firewall on `lo` filters all traffic to the router (IBM Cloud VRA docs "firewall" / migration-issues).
// - NAT: destination rules run in PREROUTING (DNAT), source rules in POSTROUTING (SNAT, `translation address
//   masquerade`), by rule number; `exclude` leaves the packet untranslated (VyOS nat docs; EdgeOS `service nat rule`
//   with `type destination|source|masquerade`; EdgeOS `port-forward` DNATs `original-port` on `wan-interface` and,
//   with `auto-firewall enable`, accepts the forwarded traffic before the interface rule-sets).

import {
  BUILTIN_CHAINS,
  CtState,
  IpsecState,
  type BuiltinChainName,
  type Chain,
  type ChainPolicy,
  type Diagnostic,
  type Family,
  type FirewallModel,
  type HostFacts,
  type InterfaceFact,
  type Interval,
  type IpsecFact,
  type L2tpFact,
  type Match,
  type Rule,
  type Ruleset,
  type Table,
  type TableName,
  type Target,
  type Verdict,
} from "../../model/firewall.js";
import type { SourceRange } from "../../model/source.js";
import { PORT_PROTOCOLS } from "../iptables/extensions/tables.js";
import { childrenOf, lastChild, nodeAt, type ConfigNode, type ConfigTree } from "./config-tree.js";
import { detectGeneration, interfaceFirewallNodes, interfaceNodes, type Generation } from "./generation.js";
import { normalizeIntervals, normalizeRanges, parseAddress, parseIcmpType, parsePorts, parseProtocol } from "./values.js";

type RuleInit = Omit<Rule, "chain" | "index">;

class RulesetBuilder {
  readonly tables = new Map<TableName, Table>();
  /** IPv6 rulesets appear in the model only when the config says something about IPv6 filtering or NAT. */
  used = false;

  constructor(readonly family: Family) {}

  table(name: TableName): Table {
    let table = this.tables.get(name);
    if (!table) {
      table = { name, chains: new Map() };
      for (const chain of BUILTIN_CHAINS[name]) table.chains.set(chain, { name: chain, table: name, builtin: true, policy: { verdict: "accept" }, rules: [] });
      this.tables.set(name, table);
    }
    return table;
  }

  builtin(table: TableName, name: BuiltinChainName): Chain {
    this.used ||= table !== "filter";
    return this.table(table).chains.get(name)!;
  }

  toRuleset(): Ruleset {
    this.table("filter");
    return { family: this.family, tables: this.tables };
  }
}

function addRule(chain: Chain, init: RuleInit): Rule {
  const rule: Rule = { chain: chain.name, index: chain.rules.length + 1, ...init };
  chain.rules.push(rule);
  return rule;
}

const VERDICTS: ReadonlySet<string> = new Set(["accept", "drop", "reject"]);
const PORT_PROTOCOL_SET: ReadonlySet<number> = new Set(PORT_PROTOCOLS);
const CT_STATES: ReadonlyMap<string, number> = new Map([["new", CtState.NEW], ["established", CtState.ESTABLISHED], ["related", CtState.RELATED], ["invalid", CtState.INVALID]]);
/** Rule options the model does not decide exactly: "may match". */
const OPAQUE_OPTIONS: ReadonlySet<string> = new Set([
  "limit", "recent", "time", "tcp", "packet-length", "packet-length-exclude", "ttl", "hop-limit", "dscp", "dscp-exclude", "mark",
  "connection-mark", "connection-status", "conntrack-helper", "p2p", "application", "packet-type", "add-address-to-group",
  "synproxy", "gre", "match-frag", "policy", "rate-limit", "session", "ethertype", "pcp", "dynamic",
]);

interface AddressGroup {
  readonly family: Family;
  readonly ranges: readonly (readonly [bigint, bigint])[];
}

class Mapper {
  readonly v4 = new RulesetBuilder("ipv4");
  readonly v6 = new RulesetBuilder("ipv6");
  /** `address-group`, `network-group`, `ipv6-address-group`, ... by kind, then name. */
  private readonly addressGroups = new Map<string, Map<string, AddressGroup>>();
  private readonly portGroups = new Map<string, Interval[]>();
  private readonly interfaceGroups = new Map<string, string[]>();
  private readonly pendingJumps: { family: Family; name: string; range: SourceRange }[] = [];

  constructor(
    readonly tree: ConfigTree,
    readonly root: ConfigNode,
    readonly gen: Generation,
    readonly diagnostics: Diagnostic[],
  ) {}

  private report(message: string, range: SourceRange): void {
    this.diagnostics.push({ message, range });
  }

  private rs(family: Family): RulesetBuilder {
    return family === "ipv4" ? this.v4 : this.v6;
  }

  /** The one value of a single-value leaf (the last one set), reporting repeats and stray words. */
  leaf(parent: ConfigNode | undefined, key: string): ConfigNode | undefined {
    const node = nodeAt(parent, key);
    if (!node) return undefined;
    const value = lastChild(node);
    if (node.children && node.children.size > 1 && this.tree.form === "curly") {
      const values = childrenOf(node);
      this.report(`"${key}" takes one value, but has ${values.length}: ${values.map((v) => `"${v.name}"`).join(", ")}`, values[1]!.range);
    }
    if (value?.children && value.children.size > 0) {
      const extra = childrenOf(value)[0]!;
      this.report(`unexpected "${extra.name}" after the value of "${key}": the router rejects this line`, extra.nameRange);
    }
    return value;
  }

  leafText(parent: ConfigNode | undefined, key: string): string | undefined {
    return this.leaf(parent, key)?.name;
  }

  run(): { rulesets: Ruleset[]; host: HostFacts } {
    this.readGroups();
    const firewall = nodeAt(this.root, "firewall");
    const security = nodeAt(this.root, "security", "firewall");
    this.prependGlobalStatePolicy(nodeAt(firewall, "global-options", "state-policy"));
    this.portForward(nodeAt(this.root, "port-forward"));
    // Rule-sets first, so attachments can check that what they name exists.
    const classicStatePolicy = nodeAt(firewall, "state-policy");
    for (const set of childrenOf(nodeAt(firewall, "name"))) this.ruleSet("ipv4", set, `firewall name ${set.name}`, "drop", classicStatePolicy);
    for (const set of childrenOf(nodeAt(firewall, "ipv6-name"))) this.ruleSet("ipv6", set, `firewall ipv6-name ${set.name}`, "drop", classicStatePolicy);
    for (const family of ["ipv4", "ipv6"] as const) {
      const branch = nodeAt(firewall, family);
      for (const set of childrenOf(nodeAt(branch, "name"))) this.ruleSet(family, set, `firewall ${family} name ${set.name}`, "drop", undefined);
      for (const [hook, chain] of [["input", "INPUT"], ["forward", "FORWARD"], ["output", "OUTPUT"]] as const) {
        const base = nodeAt(branch, hook, "filter");
        if (base) this.baseChain(family, base, chain, `firewall ${family} ${hook} filter`);
      }
    }
    for (const set of childrenOf(nodeAt(security, "name"))) this.ruleSet("ipv4", set, `security firewall name ${set.name}`, "drop", undefined);
    this.interfaceAttachments();
    this.earlyInterfaceAttachments(nodeAt(firewall, "interface"));
    this.zones(nodeAt(this.root, "zone-policy", "zone"), "zone-policy zone");
    this.zones(nodeAt(firewall, "zone"), "firewall zone");
    this.nosZones(nodeAt(this.root, "security", "zone-policy", "zone"));
    this.vyosNat("ipv4", nodeAt(this.root, "nat"), "nat");
    this.vyosNat("ipv6", nodeAt(this.root, "nat66"), "nat66");
    this.vyosNat("ipv4", nodeAt(this.root, "service", "nat"), "service nat");
    this.edgeosNat(nodeAt(this.root, "service", "nat", "rule"));
    this.mssClamping(firewall);
    this.checkJumps();
    this.markAttached();
    const rulesets = [this.v4.toRuleset()];
    if (this.v6.used) rulesets.push(this.v6.toRuleset());
    return { rulesets, host: this.hostFacts() };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Groups: `firewall group <kind> NAME`, Vyatta NOS `resources group <kind> NAME`.

  private readGroups(): void {
    for (const groups of [nodeAt(this.root, "firewall", "group"), nodeAt(this.root, "resources", "group")]) {
      for (const kind of childrenOf(groups)) {
        for (const group of childrenOf(kind)) {
          if (kind.name.endsWith("address-group") || kind.name.endsWith("network-group")) this.readAddressGroup(kind.name, group);
          else if (kind.name === "port-group") this.readPortGroup(group);
          else if (kind.name === "interface-group") this.interfaceGroups.set(group.name, childrenOf(nodeAt(group, "interface")).map((i) => i.name));
        }
      }
    }
  }

  private readAddressGroup(kind: string, group: ConfigNode): void {
    const family: Family = kind.startsWith("ipv6-") ? "ipv6" : "ipv4";
    const ranges: [bigint, bigint][] = [];
    for (const key of ["address", "network", "address-range"]) {
      for (const member of childrenOf(nodeAt(group, key))) {
        const parsed = parseAddress(member.name);
        if (!parsed || parsed.family !== family) this.report(`invalid ${family === "ipv6" ? "IPv6 " : ""}${key} "${member.name}" in ${kind} "${group.name}"`, member.range);
        else ranges.push([parsed.range[0], parsed.range[1]]);
      }
    }
    let byName = this.addressGroups.get(kind);
    if (!byName) this.addressGroups.set(kind, (byName = new Map()));
    byName.set(group.name, { family, ranges: normalizeRanges(ranges) });
  }

  private readPortGroup(group: ConfigNode): void {
    const values: Interval[] = [];
    for (const member of childrenOf(nodeAt(group, "port"))) {
      const parsed = parsePorts(member.name);
      if (typeof parsed === "string") this.report(`${parsed} in port-group "${group.name}"`, member.range);
      else values.push(...parsed.values);
    }
    this.portGroups.set(group.name, normalizeIntervals(values));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Rule-sets and rules.

  private policyFrom(family: Family, set: ConfigNode, fallback: Verdict | undefined, chain: Chain, label: string): ChainPolicy | undefined {
    const action = this.leaf(set, "default-action");
    if (!action) return fallback ? { verdict: fallback } : undefined;
    if (VERDICTS.has(action.name)) return { verdict: action.name as Verdict, range: action.range };
    if (action.name === "return" || action.name === "continue") return undefined;
    if (action.name === "jump") {
      const target = this.leaf(set, "default-jump-target");
      if (!target) this.report(`"${label} default-action jump" needs "default-jump-target"`, action.range);
      else {
        this.pendingJumps.push({ family, name: target.name, range: target.range });
        addRule(chain, { range: action.range, text: `${label} default-action jump`, matches: [], target: { kind: "jump", chain: target.name, range: target.range }, synthesized: true });
      }
      return undefined;
    }
    this.report(`unknown default-action "${action.name}" in "${label}"`, action.range);
    return fallback ? { verdict: fallback } : undefined;
  }

  private ruleSet(family: Family, set: ConfigNode, label: string, fallback: Verdict, statePolicy: ConfigNode | undefined): void {
    const builder = this.rs(family);
    builder.used = true;
    const filter = builder.table("filter");
    if (filter.chains.has(set.name)) {
      this.report(`rule-set "${set.name}" is defined twice`, set.range);
      return;
    }
    const chain: Chain = { name: set.name, table: "filter", builtin: false, rules: [], range: set.range, origin: { label, attached: false } };
    filter.chains.set(set.name, chain);
    if (statePolicy) this.statePolicyRules(chain, statePolicy, "firewall state-policy");
    this.rules(family, chain, set, label);
    const policy = this.policyFrom(family, set, fallback, chain, label);
    if (policy) chain.policy = policy;
  }

  private baseChain(family: Family, base: ConfigNode, name: BuiltinChainName, label: string): void {
    const builder = this.rs(family);
    builder.used = true;
    const chain = builder.builtin("filter", name);
    chain.range = base.range;
    chain.origin = { label, attached: true };
    this.rules(family, chain, base, label);
    chain.policy = this.policyFrom(family, base, "accept", chain, label) ?? { verdict: "accept" };
  }

  private statePolicyRules(chain: Chain, policy: ConfigNode, label: string): void {
    for (const state of childrenOf(policy)) {
      const ct = CT_STATES.get(state.name);
      const action = this.leaf(state, "action");
      if (ct === undefined || !action) continue;
      const target = this.simpleTarget(action, `${label} ${state.name}`);
      addRule(chain, { range: state.range, text: `${label} ${state.name}`, matches: [{ kind: "field", field: "ctState", values: [[ct, ct]], negated: false, range: state.range }], target, synthesized: true });
    }
  }

  private prependGlobalStatePolicy(policy: ConfigNode | undefined): void {
    if (!policy) return;
    for (const builder of [this.v4, this.v6]) {
      for (const name of BUILTIN_CHAINS.filter) this.statePolicyRules(builder.builtin("filter", name), policy, "firewall global-options state-policy");
    }
  }

  private simpleTarget(action: ConfigNode, label: string): Target {
    if (VERDICTS.has(action.name)) return { kind: "verdict", verdict: action.name as Verdict, range: action.range };
    if (action.name === "return") return { kind: "return", range: action.range };
    this.report(`unknown action "${action.name}" in "${label}"`, action.range);
    return { kind: "none", range: action.range };
  }

  private rules(family: Family, chain: Chain, set: ConfigNode, label: string): void {
    const numbered: { n: number; node: ConfigNode }[] = [];
    for (const rule of childrenOf(nodeAt(set, "rule"))) {
      if (!/^\d{1,6}$/.test(rule.name)) this.report(`rule number "${rule.name}" in "${label}" is not a number from 1 to 999999`, rule.nameRange);
      else numbered.push({ n: Number(rule.name), node: rule });
    }
    numbered.sort((a, b) => a.n - b.n);
    for (const { n, node } of numbered) this.rule(family, chain, node, `${label} rule ${n}`);
  }

  private rule(family: Family, chain: Chain, node: ConfigNode, text: string): void {
    const matches = this.matches(family, node, text, "filter");
    const actionNode = this.leaf(node, "action");
    let target: Target;
    if (!actionNode) {
      this.report(`"${text}" has no action: the router refuses to commit it`, node.range);
      target = { kind: "none" };
    } else if (actionNode.name === "jump") {
      const jumpTarget = this.leaf(node, "jump-target");
      if (!jumpTarget) {
        this.report(`"${text}" has "action jump" but no "jump-target"`, actionNode.range);
        target = { kind: "none", range: actionNode.range };
      } else {
        this.pendingJumps.push({ family, name: jumpTarget.name, range: jumpTarget.range });
        target = { kind: "jump", chain: jumpTarget.name, range: actionNode.range };
      }
    } else if (actionNode.name === "continue") {
      target = { kind: "continue", name: "continue", options: "", range: actionNode.range };
    } else if (["queue", "inspect", "synproxy", "offload"].includes(actionNode.name)) {
      target = { kind: "opaque", name: actionNode.name, options: "", range: actionNode.range };
    } else {
      target = this.simpleTarget(actionNode, text);
    }
    const description = this.leafText(node, "description");
    const disabled = nodeAt(node, "disable") !== undefined;
    addRule(chain, {
      range: node.range,
      text,
      matches,
      target,
      ...(description !== undefined ? { comment: description } : {}),
      ...(disabled ? { disabled: true } : {}),
    });
  }

  /** The match options of a firewall or NAT rule, in a fixed order so both forms give equal lists. */
  private matches(family: Family, node: ConfigNode, text: string, table: "filter" | "nat"): Match[] {
    const matches: Match[] = [];
    let protocols: Interval[] | undefined;
    let protocolNegated = false;
    const protocol = this.leaf(node, "protocol");
    if (protocol) {
      const parsed = parseProtocol(protocol.name);
      if (typeof parsed === "string") this.report(`${parsed} in "${text}"`, protocol.range);
      else if (parsed.values) {
        protocols = parsed.values;
        protocolNegated = parsed.negated;
        matches.push({ kind: "field", field: "proto", values: parsed.values, negated: parsed.negated, range: protocol.range });
      } else if (parsed.negated) {
        this.report(`"protocol !all" in "${text}" matches nothing`, protocol.range);
      }
    }
    const before = matches.length;
    this.endpoint(family, nodeAt(node, "source"), "src", text, matches);
    this.endpoint(family, nodeAt(node, "destination"), "dst", text, matches);
    const hasPorts = matches.slice(before).some((m) => m.kind === "field" && (m.field === "sport" || m.field === "dport"));
    if (hasPorts && (!protocols || protocolNegated || protocols.some(([lo, hi]) => lo !== hi || !PORT_PROTOCOL_SET.has(lo)))) {
      this.report(`ports in "${text}" need "protocol tcp", "udp" or "tcp_udp": the router refuses to commit it`, (protocol ?? node).range);
    }
    for (const [key, direction] of [["inbound-interface", "in"], ["outbound-interface", "out"]] as const) {
      const iface = nodeAt(node, key);
      if (iface) this.interfaceMatch(iface, direction, text, matches);
    }
    if (table === "nat") return matches;
    const state = nodeAt(node, "state");
    if (state) this.stateMatch(state, matches);
    const ipsec = nodeAt(node, "ipsec");
    if (ipsec) this.ipsecMatch(ipsec, text, matches);
    for (const key of ["icmp", "icmpv6"]) {
      const icmp = nodeAt(node, key);
      if (icmp) this.icmpMatch(icmp, key === "icmpv6" ? "ipv6" : family, text, matches);
    }
    const fragment = nodeAt(node, "fragment");
    if (fragment) {
      const which = childrenOf(fragment)[0]?.name;
      if (which === "match-frag" || which === "match-non-frag") matches.push({ kind: "field", field: "fragment", values: [which === "match-frag" ? [1, 1] : [0, 0]], negated: false, range: fragment.range });
    }
    for (const option of childrenOf(node)) {
      if (OPAQUE_OPTIONS.has(option.name)) matches.push({ kind: "opaque", module: option.name, text: render(option), negated: false, range: option.range });
    }
    return matches;
  }

  private endpoint(family: Family, end: ConfigNode | undefined, direction: "src" | "dst", text: string, matches: Match[]): void {
    if (!end) return;
    const field = direction === "src" ? "sport" : "dport";
    const address = this.leaf(end, "address");
    if (address) {
      const negated = address.name.startsWith("!");
      const body = negated ? address.name.slice(1) : address.name;
      const parsed = parseAddress(body);
      const group = parsed ? undefined : this.findAddressGroup(family, body);
      if (parsed) {
        if (parsed.family !== family) this.report(`${parsed.family === "ipv6" ? "IPv6" : "IPv4"} address "${address.name}" in an ${family === "ipv6" ? "IPv6" : "IPv4"} rule ("${text}")`, address.range);
        else matches.push({ kind: "address", direction, family, values: [parsed.range], negated, range: address.range });
      } else if (group) {
        matches.push({ kind: "address", direction, family, values: group.ranges, negated, range: address.range });
      } else {
        this.report(`invalid address "${address.name}" in "${text}"`, address.range);
      }
    }
    const port = this.leaf(end, "port");
    if (port) {
      const parsed = parsePorts(port.name);
      const group = typeof parsed === "string" ? this.portGroups.get(port.name.replace(/^!/, "")) : undefined;
      if (typeof parsed !== "string") matches.push({ kind: "field", field, values: parsed.values, negated: parsed.negated, range: port.range });
      else if (group) matches.push({ kind: "field", field, values: group, negated: port.name.startsWith("!"), range: port.range });
      else this.report(`${parsed} in "${text}"`, port.range);
    }
    for (const kind of childrenOf(nodeAt(end, "group"))) {
      const ref = lastChild(kind);
      if (!ref) continue;
      const negated = ref.name.startsWith("!");
      const name = negated ? ref.name.slice(1) : ref.name;
      if (kind.name === "port-group") {
        const ports = this.portGroups.get(name);
        if (ports) matches.push({ kind: "field", field, values: ports, negated, range: kind.range });
        else this.report(`port-group "${name}" used in "${text}" does not exist`, ref.range);
      } else if (kind.name.endsWith("address-group") || kind.name.endsWith("network-group")) {
        // IPv6 rules name `network-group X` for an `ipv6-network-group X` (VyOS 1.3 and 1.5 configs do).
        const kinds = family === "ipv6" && !kind.name.startsWith("ipv6-") ? [`ipv6-${kind.name}`, kind.name] : [kind.name];
        const group = kinds.map((k) => this.addressGroups.get(k)?.get(name)).find((g) => g !== undefined);
        if (!group) this.report(`${kind.name} "${name}" used in "${text}" does not exist`, ref.range);
        else if (group.family !== family) this.report(`${kind.name} "${name}" holds ${group.family === "ipv6" ? "IPv6" : "IPv4"} addresses but "${text}" is ${family === "ipv6" ? "IPv6" : "IPv4"}`, ref.range);
        else matches.push({ kind: "address", direction, family, values: group.ranges, negated, range: kind.range });
      } else {
        matches.push({ kind: "opaque", module: kind.name, text: `${direction === "src" ? "source" : "destination"} group ${kind.name} ${ref.name}`, negated: false, range: kind.range });
      }
    }
    for (const key of ["mac-address", "fqdn", "geoip"]) {
      const option = nodeAt(end, key);
      if (option) matches.push({ kind: "opaque", module: key, text: `${direction === "src" ? "source" : "destination"} ${render(option)}`, negated: false, range: option.range });
    }
  }

  private findAddressGroup(family: Family, name: string): AddressGroup | undefined {
    for (const kind of family === "ipv6" ? ["ipv6-address-group", "ipv6-network-group"] : ["address-group", "network-group"]) {
      const group = this.addressGroups.get(kind)?.get(name);
      if (group) return group;
    }
    return undefined;
  }

  /** `inbound-interface eth0` (NAT, NOS), `inbound-interface name eth0 | group G` (1.4+), `interface-name` (1.4 early). */
  private interfaceMatch(node: ConfigNode, direction: "in" | "out", text: string, matches: Match[]): void {
    const children = childrenOf(node);
    const named = children.find((c) => c.name === "name" || c.name === "interface-name");
    const grouped = children.find((c) => c.name === "group" || c.name === "interface-group");
    const value = named ? lastChild(named) : grouped ? undefined : children[children.length - 1];
    if (value) {
      if (value.name === "any") return;
      const negated = value.name.startsWith("!");
      matches.push({ kind: "interface", direction, name: kernelWildcard(negated ? value.name.slice(1) : value.name), negated, range: (named ?? node).range });
      return;
    }
    const ref = grouped ? lastChild(grouped) : undefined;
    if (!ref) return;
    const negated = ref.name.startsWith("!");
    const members = this.interfaceGroups.get(negated ? ref.name.slice(1) : ref.name);
    if (!members) {
      this.report(`interface-group "${ref.name}" used in "${text}" does not exist`, ref.range);
      return;
    }
    const alternatives: Match[] = members.map((m) => ({ kind: "interface", direction, name: kernelWildcard(m), negated: false }));
    matches.push({ kind: "anyOf", alternatives, negated, range: grouped!.range });
  }

  /** Classic `state { established enable }`, transitional `state established enable`, 1.4+ `state established`. */
  private stateMatch(state: ConfigNode, matches: Match[]): void {
    const values: Interval[] = [];
    for (const s of childrenOf(state)) {
      const ct = CT_STATES.get(s.name);
      if (ct === undefined) {
        this.report(`unknown state "${s.name}"`, s.range);
        continue;
      }
      const setting = lastChild(s)?.name;
      if (setting === undefined || setting === "enable") values.push([ct, ct]);
    }
    if (values.length > 0) matches.push({ kind: "field", field: "ctState", values: normalizeIntervals(values), negated: false, range: state.range });
  }

  /** `ipsec match-ipsec|match-none` (inbound policy), VyOS 1.5 `match-ipsec-in|-out`, `match-none-in|-out`. */
  private ipsecMatch(ipsec: ConfigNode, text: string, matches: Match[]): void {
    for (const option of childrenOf(ipsec)) {
      const m = /^match-(ipsec|none)(?:-(in|out))?$/.exec(option.name);
      if (!m) {
        this.report(`unknown ipsec match "${option.name}" in "${text}"`, option.range);
        continue;
      }
      const values: Interval[] = m[1] === "ipsec" ? [[IpsecState.ESP_TRANSPORT, IpsecState.IPCOMP_TUNNEL]] : [[IpsecState.NONE, IpsecState.NONE]];
      matches.push({ kind: "field", field: m[2] === "out" ? "ipsecOut" : "ipsecIn", values, negated: false, range: option.range });
    }
  }

  private icmpMatch(icmp: ConfigNode, family: Family, text: string, matches: Match[]): void {
    const typeName = this.leaf(icmp, "type-name");
    const type = this.leaf(icmp, "type");
    const code = this.leaf(icmp, "code");
    const spec = typeName?.name ?? (type ? (code ? `${type.name}/${code.name}` : type.name) : undefined);
    if (spec === undefined) return;
    const parsed = parseIcmpType(spec, family);
    if (typeof parsed === "string") this.report(`${parsed} in "${text}"`, (typeName ?? type)!.range);
    else if (parsed) matches.push({ kind: "field", field: "icmpType", values: [parsed], negated: false, range: icmp.range });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Attachments.

  private attach(family: Family, hook: BuiltinChainName, iface: string | undefined, direction: "in" | "out", ruleSet: ConfigNode, text: string): void {
    const builder = this.rs(family);
    const chain = builder.table("filter").chains.get(ruleSet.name);
    if (!chain || chain.builtin) {
      this.report(`${family === "ipv6" ? "IPv6 " : ""}rule-set "${ruleSet.name}" is not defined ("${text}")`, ruleSet.range);
      return;
    }
    const matches: Match[] = iface === undefined ? [] : [{ kind: "interface", direction, name: iface, negated: false, range: ruleSet.range }];
    addRule(builder.builtin("filter", hook), { range: ruleSet.range, text, matches, target: { kind: "jump", chain: ruleSet.name, range: ruleSet.range }, synthesized: true });
  }

  /** Classic `interfaces <type> <name> ... firewall in|out|local name|ipv6-name X`; Vyatta NOS `firewall in|out|local X`. */
  private interfaceAttachments(): void {
    const nos = this.gen.syntax === "nos";
    for (const { path, firewall } of interfaceFirewallNodes(this.root)) {
      const iface = kernelName(path);
      const loopbackLocal = nos && path[0] === "loopback";
      for (const [direction, hook, ifDirection] of [["local", "INPUT", "in"], ["in", "FORWARD", "in"], ["out", "FORWARD", "out"]] as const) {
        const dir = nodeAt(firewall, direction);
        if (!dir) continue;
        const prefix = `interfaces ${path.join(" ")} firewall ${direction}`;
        if (nos) {
          for (const set of childrenOf(dir)) this.attach("ipv4", hook, loopbackLocal && direction === "local" ? undefined : iface, ifDirection, set, `${prefix} ${set.name}`);
          continue;
        }
        for (const [key, family] of [["name", "ipv4"], ["ipv6-name", "ipv6"]] as const) {
          const set = this.leaf(dir, key);
          if (set) this.attach(family, hook, iface, ifDirection, set, `${prefix} ${key} ${set.name}`);
        }
      }
    }
  }

  /** VyOS 1.4 rolling 2022-2023: `firewall interface eth0 in|out|local name|ipv6-name X`. */
  private earlyInterfaceAttachments(interfaces: ConfigNode | undefined): void {
    for (const iface of childrenOf(interfaces)) {
      for (const [direction, hook, ifDirection] of [["local", "INPUT", "in"], ["in", "FORWARD", "in"], ["out", "FORWARD", "out"]] as const) {
        const dir = nodeAt(iface, direction);
        for (const [key, family] of [["name", "ipv4"], ["ipv6-name", "ipv6"]] as const) {
          const set = this.leaf(dir, key);
          if (set) this.attach(family, hook, kernelWildcard(iface.name), ifDirection, set, `firewall interface ${iface.name} ${direction} ${key} ${set.name}`);
        }
      }
    }
  }

  private zoneDefault(zone: ConfigNode): { verdict: Verdict; range: SourceRange } {
    const action = this.leaf(zone, "default-action");
    if (action && VERDICTS.has(action.name)) return { verdict: action.name as Verdict, range: action.range };
    if (action) this.report(`unknown default-action "${action.name}" for zone "${zone.name}"`, action.range);
    return { verdict: "drop", range: zone.range };
  }

  /** `zone-policy zone Z` (classic) and `firewall zone Z` (1.4+): see the facts at the top of this file. */
  private zones(zonesNode: ConfigNode | undefined, prefix: string): void {
    const zones = childrenOf(zonesNode).map((node) => ({
      node,
      name: node.name,
      ifaces: childrenOf(nodeAt(node, "interface")).map((i) => kernelWildcard(i.name)),
      local: nodeAt(node, "local-zone") !== undefined,
      fallback: this.zoneDefault(node),
    }));
    if (zones.length === 0) return;
    for (const zone of zones) {
      for (const from of childrenOf(nodeAt(zone.node, "from"))) {
        if (!zones.some((z) => z.name === from.name)) this.report(`zone "${from.name}" in "${prefix} ${zone.name} from ${from.name}" is not defined`, from.range);
      }
    }
    const local = zones.find((z) => z.local);
    const others = zones.filter((z) => !z.local);
    for (const [family, key] of [["ipv4", "name"], ["ipv6", "ipv6-name"]] as const) {
      const builder = this.rs(family);
      const through = (chain: Chain, dst: (typeof zones)[number], src: (typeof zones)[number], base: Match[]): void => {
        const set = this.leaf(nodeAt(dst.node, "from", src.name, "firewall"), key);
        if (set) {
          const text = `${prefix} ${dst.name} from ${src.name} firewall ${key} ${set.name}`;
          const target = builder.table("filter").chains.get(set.name);
          if (!target || target.builtin) {
            this.report(`${family === "ipv6" ? "IPv6 " : ""}rule-set "${set.name}" is not defined ("${text}")`, set.range);
            return;
          }
          addRule(chain, { range: set.range, text, matches: base, target: { kind: "jump", chain: set.name, range: set.range }, synthesized: true });
          addRule(chain, { range: set.range, text: `${text} (return)`, matches: base, target: { kind: "verdict", verdict: "accept" }, synthesized: true });
        } else {
          addRule(chain, { range: dst.fallback.range, text: `${prefix} ${dst.name} default-action ${dst.fallback.verdict}`, matches: base, target: { kind: "verdict", verdict: dst.fallback.verdict }, synthesized: true });
        }
      };
      const iface = (direction: "in" | "out", name: string, range: SourceRange): Match => ({ kind: "interface", direction, name, negated: false, range });
      if (local) {
        const input = builder.builtin("filter", "INPUT");
        addRule(input, { range: local.node.range, text: `${prefix} ${local.name} local-zone (loopback)`, matches: [iface("in", "lo", local.node.range)], target: { kind: "verdict", verdict: "accept" }, synthesized: true });
        for (const src of others) for (const i of src.ifaces) through(input, local, src, [iface("in", i, src.node.range)]);
        addRule(input, { range: local.fallback.range, text: `${prefix} ${local.name} default-action ${local.fallback.verdict}`, matches: [], target: { kind: "verdict", verdict: local.fallback.verdict }, synthesized: true });
        const output = builder.builtin("filter", "OUTPUT");
        addRule(output, { range: local.node.range, text: `${prefix} ${local.name} local-zone (loopback)`, matches: [iface("out", "lo", local.node.range)], target: { kind: "verdict", verdict: "accept" }, synthesized: true });
        for (const dst of others) for (const o of dst.ifaces) through(output, dst, local, [iface("out", o, dst.node.range)]);
        addRule(output, { range: local.fallback.range, text: `${prefix} ${local.name} default-action ${local.fallback.verdict}`, matches: [], target: { kind: "verdict", verdict: local.fallback.verdict }, synthesized: true });
      }
      const forward = builder.builtin("filter", "FORWARD");
      for (const dst of others) {
        for (const o of dst.ifaces) {
          for (const i of dst.ifaces) this.intraZone(forward, family, key, dst.node, prefix, [iface("in", i, dst.node.range), iface("out", o, dst.node.range)]);
          for (const src of others) {
            if (src === dst) continue;
            for (const i of src.ifaces) through(forward, dst, src, [iface("in", i, src.node.range), iface("out", o, dst.node.range)]);
          }
          addRule(forward, { range: dst.fallback.range, text: `${prefix} ${dst.name} default-action ${dst.fallback.verdict}`, matches: [iface("out", o, dst.node.range)], target: { kind: "verdict", verdict: dst.fallback.verdict }, synthesized: true });
        }
      }
    }
  }

  /** Traffic inside a zone passes, unless `intra-zone-filtering action X` or `intra-zone-filtering firewall name N` says otherwise. */
  private intraZone(forward: Chain, family: Family, key: "name" | "ipv6-name", zone: ConfigNode, prefix: string, base: Match[]): void {
    const filtering = nodeAt(zone, "intra-zone-filtering");
    const action = this.leaf(filtering, "action");
    const set = this.leaf(nodeAt(filtering, "firewall"), key);
    const text = `${prefix} ${zone.name} intra-zone-filtering`;
    if (set) {
      if (this.rs(family).table("filter").chains.get(set.name)?.builtin === false) {
        addRule(forward, { range: set.range, text: `${text} firewall ${key} ${set.name}`, matches: base, target: { kind: "jump", chain: set.name, range: set.range }, synthesized: true });
      } else this.report(`${family === "ipv6" ? "IPv6 " : ""}rule-set "${set.name}" is not defined ("${text} firewall ${key} ${set.name}")`, set.range);
    }
    const verdict: Verdict = action && VERDICTS.has(action.name) ? (action.name as Verdict) : "accept";
    addRule(forward, { range: (action ?? zone).range, text: action ? `${text} action ${action.name}` : `${prefix} ${zone.name} (inside the zone)`, matches: base, target: { kind: "verdict", verdict }, synthesized: true });
  }

  /** Vyatta NOS `security zone-policy zone Z to Y firewall NAME...`: forwarded traffic between zones only. */
  private nosZones(zonesNode: ConfigNode | undefined): void {
    const zones = childrenOf(zonesNode).map((node) => ({ node, ifaces: childrenOf(nodeAt(node, "interface")).map((i) => i.name), fallback: this.zoneDefault(node) }));
    const forward = zones.length > 0 ? this.v4.builtin("filter", "FORWARD") : undefined;
    for (const src of zones) {
      for (const dst of zones) {
        for (const i of src.ifaces) {
          for (const o of dst.ifaces) {
            const base: Match[] = [
              { kind: "interface", direction: "in", name: i, negated: false, range: src.node.range },
              { kind: "interface", direction: "out", name: o, negated: false, range: dst.node.range },
            ];
            const sets = src === dst ? [] : childrenOf(nodeAt(src.node, "to", dst.node.name, "firewall"));
            const text = `security zone-policy zone ${src.node.name} to ${dst.node.name}`;
            for (const set of sets) {
              if (!this.v4.table("filter").chains.get(set.name)) {
                this.report(`rule-set "${set.name}" is not defined ("${text} firewall ${set.name}")`, set.range);
                continue;
              }
              addRule(forward!, { range: set.range, text: `${text} firewall ${set.name}`, matches: base, target: { kind: "jump", chain: set.name, range: set.range }, synthesized: true });
            }
            const verdict: Verdict = src === dst || sets.length > 0 ? "accept" : src.fallback.verdict;
            addRule(forward!, { range: src === dst ? src.node.range : src.fallback.range, text, matches: base, target: { kind: "verdict", verdict }, synthesized: true });
          }
        }
      }
    }
  }

  private checkJumps(): void {
    for (const jump of this.pendingJumps) {
      const chain = this.rs(jump.family).tables.get("filter")?.chains.get(jump.name);
      if (!chain || chain.builtin) this.report(`jump-target "${jump.name}" is not a defined rule-set`, jump.range);
    }
  }

  /** A rule-set is attached when a built-in chain reaches it through enabled jump rules. */
  private markAttached(): void {
    for (const builder of [this.v4, this.v6]) {
      const chains = builder.tables.get("filter")?.chains;
      if (!chains) continue;
      const reached = new Set<string>();
      const queue = [...chains.values()].filter((c) => c.builtin);
      while (queue.length > 0) {
        const chain = queue.pop()!;
        for (const rule of chain.rules) {
          if (rule.disabled || (rule.target.kind !== "jump" && rule.target.kind !== "goto")) continue;
          const next = chains.get(rule.target.chain);
          if (next && !reached.has(next.name)) {
            reached.add(next.name);
            queue.push(next);
          }
        }
      }
      for (const chain of chains.values()) {
        if (chain.origin && !chain.builtin) chain.origin = { label: chain.origin.label, attached: reached.has(chain.name) };
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // NAT.

  private natRule(family: Family, hook: "PREROUTING" | "POSTROUTING", node: ConfigNode, text: string, target: Target, extra: Match[] = []): void {
    const matches = [...extra, ...this.matches(family, node, text, "nat")];
    const description = this.leafText(node, "description");
    const disabled = nodeAt(node, "disable") !== undefined;
    addRule(this.rs(family).builtin("nat", hook), {
      range: node.range,
      text,
      matches,
      target,
      ...(description !== undefined ? { comment: description } : {}),
      ...(disabled ? { disabled: true } : {}),
    });
  }

  private natTranslation(node: ConfigNode, kind: "dnat" | "snat", family: Family, text: string, address: ConfigNode | undefined, port: ConfigNode | undefined): Target {
    if (nodeAt(node, "exclude")) return { kind: "verdict", verdict: "accept", range: nodeAt(node, "exclude")!.range };
    if (address?.name === "masquerade" && kind === "snat") return { kind: "masquerade", range: address.range };
    let toAddresses: readonly [bigint, bigint] | undefined;
    if (address) {
      const parsed = parseAddress(address.name);
      if (!parsed || parsed.family !== family) this.report(`invalid translation address "${address.name}" in "${text}"`, address.range);
      else toAddresses = parsed.range;
    }
    let toPorts: Interval | undefined;
    if (port) {
      const parsed = parsePorts(port.name);
      if (typeof parsed === "string" || parsed.negated || parsed.values.length !== 1) this.report(`invalid translation port "${port.name}" in "${text}"`, port.range);
      else toPorts = parsed.values[0];
    }
    if (!address && !port) this.report(`"${text}" has no translation: the router refuses to commit it`, node.range);
    return { kind, range: (address ?? port ?? node).range, ...(toAddresses ? { toAddresses } : {}), ...(toPorts ? { toPorts } : {}) };
  }

  /** `nat destination|source rule N` (VyOS, Vyatta), `nat66`, and Vyatta NOS `service nat destination|source rule N`. */
  private vyosNat(family: Family, nat: ConfigNode | undefined, prefix: string): void {
    for (const [kind, hook, natKind] of [["destination", "PREROUTING", "dnat"], ["source", "POSTROUTING", "snat"]] as const) {
      const numbered = childrenOf(nodeAt(nat, kind, "rule"))
        .filter((r) => /^\d{1,6}$/.test(r.name) || (this.report(`rule number "${r.name}" is not a number`, r.nameRange), false))
        .sort((a, b) => Number(a.name) - Number(b.name));
      for (const rule of numbered) {
        const text = `${prefix} ${kind} rule ${rule.name}`;
        const translation = nodeAt(rule, "translation");
        const target = this.natTranslation(rule, natKind, family, text, this.leaf(translation, "address") ?? this.leaf(translation, "prefix"), this.leaf(translation, "port"));
        this.natRule(family, hook, rule, text, target);
      }
    }
  }

  /** EdgeOS `service nat rule N { type destination|source|masquerade; inside-address; outside-address }`. */
  private edgeosNat(rules: ConfigNode | undefined): void {
    const numbered = childrenOf(rules)
      .filter((r) => /^\d{1,6}$/.test(r.name))
      .sort((a, b) => Number(a.name) - Number(b.name));
    for (const rule of numbered) {
      const text = `service nat rule ${rule.name}`;
      const type = this.leaf(rule, "type");
      if (type?.name === "destination") {
        const inside = nodeAt(rule, "inside-address");
        this.natRule("ipv4", "PREROUTING", rule, text, this.natTranslation(rule, "dnat", "ipv4", text, this.leaf(inside, "address"), this.leaf(inside, "port")));
      } else if (type?.name === "source") {
        const outside = nodeAt(rule, "outside-address");
        this.natRule("ipv4", "POSTROUTING", rule, text, this.natTranslation(rule, "snat", "ipv4", text, this.leaf(outside, "address"), this.leaf(outside, "port")));
      } else if (type?.name === "masquerade") {
        const exclude = nodeAt(rule, "exclude");
        this.natRule("ipv4", "POSTROUTING", rule, text, exclude ? { kind: "verdict", verdict: "accept", range: exclude.range } : { kind: "masquerade", range: type.range });
      } else {
        this.report(type ? `unknown NAT type "${type.name}" in "${text}"` : `"${text}" has no type (destination, source or masquerade)`, (type ?? rule).range);
      }
    }
  }

  /** EdgeOS `port-forward`: DNAT of `original-port` on `wan-interface`; `auto-firewall enable` accepts it in FORWARD. */
  private portForward(node: ConfigNode | undefined): void {
    if (!node) return;
    const wan = this.leaf(node, "wan-interface");
    const auto = this.leafText(node, "auto-firewall") === "enable";
    const numbered = childrenOf(nodeAt(node, "rule"))
      .filter((r) => /^\d{1,6}$/.test(r.name))
      .sort((a, b) => Number(a.name) - Number(b.name));
    for (const rule of numbered) {
      const text = `port-forward rule ${rule.name}`;
      const original = this.leaf(rule, "original-port");
      const protocol = this.leaf(rule, "protocol");
      const forwardTo = nodeAt(rule, "forward-to");
      const toAddress = this.leaf(forwardTo, "address");
      const toPort = this.leaf(forwardTo, "port");
      const base: Match[] = [];
      if (wan) base.push({ kind: "interface", direction: "in", name: wan.name, negated: false, range: wan.range });
      const proto = parseProtocol(protocol?.name ?? "tcp_udp");
      if (typeof proto === "string") this.report(`${proto} in "${text}"`, protocol!.range);
      else if (proto.values) base.push({ kind: "field", field: "proto", values: proto.values, negated: proto.negated, range: (protocol ?? rule).range });
      const ports = original ? parsePorts(original.name) : undefined;
      if (typeof ports === "string") this.report(`${ports} in "${text}"`, original!.range);
      const dnatMatches = ports && typeof ports !== "string" ? [...base, { kind: "field", field: "dport", values: ports.values, negated: false, range: original!.range } as Match] : base;
      const target = this.natTranslation(rule, "dnat", "ipv4", text, toAddress, toPort);
      addRule(this.v4.builtin("nat", "PREROUTING"), { range: rule.range, text, matches: dnatMatches, target, synthesized: true });
      if (!auto || target.kind !== "dnat") continue;
      const fwMatches: Match[] = [...base];
      if (target.toAddresses) fwMatches.push({ kind: "address", direction: "dst", family: "ipv4", values: [target.toAddresses], negated: false, range: toAddress!.range });
      const fwPorts = target.toPorts ? [target.toPorts] : ports && typeof ports !== "string" ? ports.values : undefined;
      if (fwPorts) fwMatches.push({ kind: "field", field: "dport", values: fwPorts, negated: false, range: (toPort ?? original)!.range });
      addRule(this.v4.builtin("filter", "FORWARD"), { range: rule.range, text: `${text} (auto-firewall)`, matches: fwMatches, target: { kind: "verdict", verdict: "accept" }, synthesized: true });
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // TCP MSS clamping, as TCPMSS rules in mangle FORWARD on the output interface: VyOS <= 1.3 `firewall options
  // interface X adjust-mss N` (`adjust-mss6`), VyOS 1.3+ `interfaces ... ip|ipv6 adjust-mss N|clamp-mss-to-pmtu`,
  // EdgeOS `firewall options mss-clamp|mss-clamp6 { interface-type pppoe|pptp|tun|all; mss N }` (VyOS and EdgeOS
  // docs; both clamp forwarded TCP SYNs leaving the interface).

  private clamp(family: Family, iface: string | undefined, setting: ConfigNode, text: string): void {
    const options = setting.name === "clamp-mss-to-pmtu" ? "--clamp-mss-to-pmtu" : `--set-mss ${setting.name}`;
    const matches: Match[] = [{ kind: "field", field: "proto", values: [[6, 6]], negated: false, range: setting.range }];
    if (iface !== undefined) matches.push({ kind: "interface", direction: "out", name: iface, negated: false, range: setting.range });
    addRule(this.rs(family).builtin("mangle", "FORWARD"), { range: setting.range, text, matches, target: { kind: "continue", name: "TCPMSS", options, range: setting.range }, synthesized: true });
  }

  private mssClamping(firewall: ConfigNode | undefined): void {
    for (const iface of childrenOf(nodeAt(firewall, "options", "interface"))) {
      for (const [key, family] of [["adjust-mss", "ipv4"], ["adjust-mss6", "ipv6"]] as const) {
        const setting = this.leaf(iface, key);
        if (setting) this.clamp(family, iface.name, setting, `firewall options interface ${iface.name} ${key} ${setting.name}`);
      }
    }
    for (const [key, family] of [["mss-clamp", "ipv4"], ["mss-clamp6", "ipv6"]] as const) {
      const clamp = nodeAt(firewall, "options", key);
      const mss = this.leaf(clamp, "mss");
      if (!clamp || !mss) continue;
      const types = childrenOf(nodeAt(clamp, "interface-type")).map((t) => t.name);
      for (const type of types.length === 0 || types.includes("all") ? [undefined] : types) {
        this.clamp(family, type === undefined ? undefined : `${type}+`, mss, `firewall options ${key}${type === undefined ? "" : ` interface-type ${type}`} mss ${mss.name}`);
      }
    }
    for (const { path, node } of interfaceNodes(this.root)) {
      for (const [key, family] of [["ip", "ipv4"], ["ipv6", "ipv6"]] as const) {
        const setting = this.leaf(nodeAt(node, key), "adjust-mss");
        if (setting) this.clamp(family, kernelName(path), setting, `interfaces ${path.join(" ")} ${key} adjust-mss ${setting.name}`);
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Host facts.

  private hostFacts(): HostFacts {
    const interfaces: InterfaceFact[] = interfaceNodes(this.root).map(({ path, node }) => ({
      name: kernelName(path),
      addresses: childrenOf(nodeAt(node, "address")).map((a) => a.name),
      range: node.range,
    }));
    const host: { -readonly [K in keyof HostFacts]: HostFacts[K] } = { interfaces, generation: this.gen.label };
    const ipsec = nodeAt(this.root, "vpn", "ipsec") ?? nodeAt(this.root, "security", "vpn", "ipsec");
    const l2tp = nodeAt(this.root, "vpn", "l2tp", "remote-access") ?? nodeAt(this.root, "security", "vpn", "l2tp", "remote-access");
    if (ipsec) {
      const natTraversal = this.leafText(ipsec, "nat-traversal");
      const fact: { -readonly [K in keyof IpsecFact]: IpsecFact[K] } = {
        interfaces: [...childrenOf(nodeAt(ipsec, "ipsec-interfaces", "interface")), ...childrenOf(nodeAt(ipsec, "interface"))].map((i) => i.name),
        hasSiteToSite: childrenOf(nodeAt(ipsec, "site-to-site", "peer")).length > 0 || nodeAt(ipsec, "profile") !== undefined,
        hasRemoteAccess: nodeAt(ipsec, "remote-access") !== undefined || nodeAt(l2tp, "ipsec-settings") !== undefined,
        range: ipsec.range,
      };
      if (natTraversal !== undefined) fact.natTraversal = natTraversal === "enable";
      host.ipsec = fact;
    }
    if (l2tp) {
      const outside = this.leafText(l2tp, "outside-address");
      const fact: L2tpFact = { ipsecSettings: nodeAt(l2tp, "ipsec-settings") !== undefined, range: l2tp.range, ...(outside !== undefined ? { outsideAddress: outside } : {}) };
      host.l2tp = fact;
    }
    return host;
  }
}

/** The kernel's name for `interfaces ethernet eth0 vif 6 pppoe 0` (pppoe0), `... eth0 vif 6` (eth0.6), QinQ eth0.100.10. */
function kernelName(path: readonly string[]): string {
  let name = path[1]!;
  for (let i = 2; i + 1 < path.length; i += 2) {
    if (path[i] === "pppoe") name = `pppoe${path[i + 1]}`;
    else name = `${name}.${path[i + 1]}`;
  }
  return name;
}

/** VyOS interface wildcards (`eth*`) are iptables prefixes (`eth+`). */
function kernelWildcard(name: string): string {
  return name.endsWith("*") ? `${name.slice(0, -1)}+` : name;
}

/** A subtree as one line of words, for opaque matches. */
function render(node: ConfigNode): string {
  const words: string[] = [node.name];
  let current = node;
  while (current.children && current.children.size === 1 && words.length < 8) {
    current = childrenOf(current)[0]!;
    words.push(current.name);
  }
  if (current.children && current.children.size > 1) words.push(`{ ${childrenOf(current).map((c) => c.name).join(" ")} }`);
  return words.join(" ");
}

/** Top-level nodes of a full config; a file with none of them is a subtree (`show vpn l2tp remote-access` output). */
const TOP_LEVEL = new Set([
  "firewall", "interfaces", "nat", "nat64", "nat66", "policy", "protocols", "service", "system", "vpn", "zone-policy",
  "high-availability", "load-balance", "port-forward", "traffic-control", "traffic-policy", "container", "pki", "qos", "vrf",
  "security", "resources", "cluster", "content-inspection", "custom-attribute", "monitoring", "routing", "platform", "loadbalancing",
]);
/** Subtrees we know by their children: where the top of the file really is. */
const SUBTREES: readonly { readonly path: readonly string[]; readonly keys: ReadonlySet<string> }[] = [
  { path: ["vpn", "l2tp", "remote-access"], keys: new Set(["outside-address", "client-ip-pool", "ipsec-settings", "authentication", "dns-servers", "mtu", "gateway-address", "default-pool", "idle", "wins-servers", "outside-nexthop", "description", "local-ip"]) },
  { path: ["vpn", "ipsec"], keys: new Set(["ipsec-interfaces", "esp-group", "ike-group", "site-to-site", "nat-traversal", "nat-networks", "interface", "remote-access", "authentication", "profile", "logging", "auto-update"]) },
  { path: ["firewall"], keys: new Set(["name", "ipv6-name", "group", "all-ping", "state-policy", "ipv4", "ipv6", "global-options", "options", "modify"]) },
];

/** The tree as if it were a whole config: a subtree is grafted below the path its children identify. */
function effectiveRoot(tree: ConfigTree): ConfigNode {
  const names = [...(tree.root.children?.keys() ?? [])];
  if (names.length === 0 || names.some((n) => TOP_LEVEL.has(n))) return tree.root;
  const known = SUBTREES.find((s) => names.every((n) => s.keys.has(n)));
  if (!known) return tree.root;
  let top: ConfigNode = { name: "", children: undefined, range: tree.root.range, nameRange: tree.root.nameRange };
  const root = top;
  for (const step of known.path) {
    const next: ConfigNode = { name: step, children: undefined, range: tree.root.range, nameRange: tree.root.nameRange };
    top.children = new Map([[step, next]]);
    top = next;
  }
  top.children = tree.root.children;
  return root;
}

export function treeToModel(tree: ConfigTree): FirewallModel {
  const diagnostics = [...tree.diagnostics];
  const root = effectiveRoot(tree);
  const generation = detectGeneration(tree, root, diagnostics);
  const { rulesets, host } = new Mapper(tree, root, generation, diagnostics).run();
  diagnostics.sort((a, b) => a.range.start - b.range.start);
  return { source: tree.source, format: "vyatta", rulesets, host, diagnostics };
}
