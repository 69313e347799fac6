// The vendor-neutral firewall model: what iptables files and Vyatta-family configs both become, and all the engine sees.
//
// It is netfilter-shaped on purpose (tables, hooks, chains, ordered rules, policies), because that is what decides
// packets on Linux and on every Vyatta-family router (they compile to netfilter or to the NPF dataplane with the same
// first-match semantics). Vyatta rule-sets become user chains with a `policy` (their default-action) and are attached
// to the built-in chains by synthesized jump rules whose ranges point at the attaching config lines.

import type { SourceFile, SourceRange } from "./source.js";

export type FormatId = "iptables" | "vyatta";
export type Family = "ipv4" | "ipv6";
export type TableName = "raw" | "mangle" | "nat" | "filter" | "security";
export type BuiltinChainName = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";

/** Which built-in chains each table has (netfilter, iptables(8) "TABLES"). */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly BuiltinChainName[]>> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
};

/** Everything read from one input file. One file may hold both families (a shell script calling iptables and ip6tables). */
export interface FirewallModel {
  readonly source: SourceFile;
  readonly format: FormatId;
  /** One ruleset per family present in the file, IPv4 first. */
  readonly rulesets: Ruleset[];
  /** What the file says about the host itself (Vyatta interfaces, VPN sections). Empty for iptables files. */
  readonly host: HostFacts;
  /** Input the real loader would refuse (VPN000). The model still holds everything that could be read. */
  readonly diagnostics: Diagnostic[];
}

export interface Ruleset {
  readonly family: Family;
  readonly tables: Map<TableName, Table>;
}

export interface Table {
  readonly name: TableName;
  readonly chains: Map<string, Chain>;
  /** The `*filter` line, or the config node the table was built from. */
  readonly range?: SourceRange;
}

export type Verdict = "accept" | "drop" | "reject";

export interface ChainPolicy {
  readonly verdict: Verdict;
  /** The `:INPUT DROP` / `-P INPUT DROP` / `default-action drop` that sets it; absent when it is the built-in default. */
  readonly range?: SourceRange;
}

export interface Chain {
  readonly name: string;
  readonly table: TableName;
  readonly builtin: boolean;
  /**
   * What happens to a packet that falls off the end. Built-in chains always have one (ACCEPT unless set).
   * iptables user chains have none: falling off returns to the caller. Vyatta rule-sets have their default-action.
   */
  policy?: ChainPolicy;
  readonly rules: Rule[];
  /** The declaration (`:NAME - [0:0]`, `-N NAME`, `firewall name NAME {`). */
  range?: SourceRange;
  /** Set for chains made from a Vyatta-family rule-set, so checks can speak of "firewall name WAN_LOCAL". */
  origin?: ChainOrigin;
  /**
   * Present (not enumerable) on chains whose rules were read and checked but not yet made into objects: the common
   * lines of large iptables dumps. Passes over a whole ruleset read these summaries; reading `rules` builds them.
   */
  readonly deferred?: DeferredRules;
}

/**
 * The only protocols and ports a field asker gives marks for: a protocol or port match whose value list contains
 * none of them gets 0 without asking (DeferredRules.picks).
 */
export interface NamedValues {
  readonly protos: readonly number[];
  readonly ports: readonly number[];
}

/**
 * The hulls of a rule's plain (not negated) source and destination address, protocol and destination port matches:
 * packets outside one of them never match the rule. `has*` is false for a field without such a match.
 */
export interface PlainBounds {
  hasSrc: boolean;
  srcLo: bigint;
  srcHi: bigint;
  hasDst: boolean;
  dstLo: bigint;
  dstHi: bigint;
  hasProto: boolean;
  protoLo: number;
  protoHi: number;
  hasDport: boolean;
  dportLo: number;
  dportHi: number;
}

/** A rule's target reduced to what a pass over a whole ruleset reads: its kind, the chain it jumps to, its verdict. */
export interface TargetSummary {
  readonly kind: Target["kind"];
  readonly chain?: string;
  readonly verdict?: Verdict;
}

/**
 * A chain's rules before they are objects. A 100k-rule dump has ~650 bytes of model per rule, most of it never read:
 * a VPN audit walks a few hundred chains of the thousands a Kubernetes node has. The answers here equal what the
 * built rules would give; `rule(i)` and `Chain.rules` return the same objects.
 */
export interface DeferredRules {
  /** True once `Chain.rules` was read: from then on, read the rules. */
  readonly built: boolean;
  readonly count: number;
  /** The names of the rules' interface matches (`-i`, `-o`), as written, `+` included. */
  readonly interfaceNames: readonly string[];
  /** The chains the rules jump or go to, in rule order; a name repeated by consecutive jumps is given once. */
  readonly callees: readonly string[];
  /** The target of the rule at 0-based position `i`. */
  target(i: number): TargetSummary;
  /**
   * The rules with marks, as pairs in a flat list (position, marks, position, marks...): a rule's marks are the OR of
   * `askField` over its field matches (protocol, ports; given without ranges) and `askTarget` of its target's kind.
   * The askers must depend only on what they are given: each is asked once per distinct value for a whole table,
   * and only about the `named` values when they are given.
   */
  picks(askField: (match: FieldMatch) => number, askTarget: (kind: Target["kind"]) => number, named?: NamedValues): readonly number[];
  /** The hulls of the rule's plain (not negated) address, protocol and destination port matches, written to `into`. */
  bounds(i: number, into: PlainBounds): void;
  /** The rule at 0-based position `i`, built alone. */
  rule(i: number): Rule;
}

export interface ChainOrigin {
  /** How the config names it, e.g. `firewall name WAN_LOCAL`, `firewall ipv4 input filter`. */
  readonly label: string;
  /** The rule-set is attached to some interface, zone or hook (VPN010 looks for the ones that are not). */
  readonly attached: boolean;
}

export interface Rule {
  readonly chain: string;
  /** 1-based position in its chain, as `iptables -L --line-numbers` counts. */
  readonly index: number;
  /** The whole rule as written (the `-A` line, the `rule 10 { ... }` block, or the first `set ... rule 10` line). */
  readonly range: SourceRange;
  /** The rule normalized for messages and fingerprints: `-A INPUT -p udp --dport 1701 -j ACCEPT`, `firewall name X rule 10`. */
  readonly text: string;
  /** All must match (conjunction). An empty list matches every packet. */
  readonly matches: Match[];
  readonly target: Target;
  /** `-m comment --comment` / `description`, for messages. */
  readonly comment?: string;
  /** True for rules the front end made up (Vyatta attachment jumps, implied state rules); their range points at the config that implies them. */
  readonly synthesized?: boolean;
  /** Vyatta `disable`: present in the file but not loaded. */
  readonly disabled?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Matches. Each is a set of packets; the engine intersects them. Anything the engine cannot decide exactly is
// `opaque`: "may match", which turns certain verdicts into "maybe" rather than guessing.

export type Match =
  | FieldMatch
  | AddressMatch
  | InterfaceMatch
  | MarkMatch
  | AnyOfMatch
  | OpaqueMatch;

/** A closed interval of a numeric packet field. */
export type Interval = readonly [lo: number, hi: number];

/**
 * Numeric packet fields. Port fields exist only for tcp, udp, udplite, sctp and dccp packets: a packet of any other
 * protocol never matches a port constraint, negated or not (iptables ties port options to `-p`).
 */
export type NumericField =
  | "proto" // IP protocol number 0..255 (IPv6: the upper-layer protocol)
  | "sport"
  | "dport" // 0..65535
  | "icmpType" // type * 256 + code, 0..65535 (ICMP for IPv4, ICMPv6 for IPv6); only for icmp / ipv6-icmp packets
  | "tcpFlags" // the 8 flag bits FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128; only for tcp packets
  | "ctState" // CtState below
  | "ipsecIn" // IpsecState below: how the packet arrived (`-m policy --dir in`)
  | "ipsecOut" // IpsecState below: how the packet will leave (`-m policy --dir out`)
  | "fragment"; // 0 = unfragmented or first fragment, 1 = a later fragment (`-f`)

export const FIELD_DOMAIN: Readonly<Record<NumericField, Interval>> = {
  proto: [0, 255],
  sport: [0, 65535],
  dport: [0, 65535],
  icmpType: [0, 65535],
  tcpFlags: [0, 255],
  ctState: [0, 4],
  ipsecIn: [0, 6],
  ipsecOut: [0, 6],
  fragment: [0, 1],
};

/** Conntrack states a packet can be in (exactly one). `-m state --state` and `-m conntrack --ctstate` map onto these. */
export const CtState = { INVALID: 0, NEW: 1, ESTABLISHED: 2, RELATED: 3, UNTRACKED: 4 } as const;

/**
 * IPsec processing of a packet, for `-m policy` and Vyatta `ipsec match-ipsec`: 0 = not IPsec ("--pol none"),
 * 1..6 = protected by an SA of that protocol and mode ("--pol ipsec"). Intervals keep `--proto esp`/`--mode` exact.
 */
export const IpsecState = {
  NONE: 0,
  ESP_TRANSPORT: 1,
  ESP_TUNNEL: 2,
  AH_TRANSPORT: 3,
  AH_TUNNEL: 4,
  IPCOMP_TRANSPORT: 5,
  IPCOMP_TUNNEL: 6,
} as const;

export interface MatchBase {
  /** `!` before the option: the packets NOT in the set. */
  readonly negated: boolean;
  /** The option and its values as written (`! --dport 500:4500`), for related locations. */
  readonly range?: SourceRange;
}

export interface FieldMatch extends MatchBase {
  readonly kind: "field";
  readonly field: NumericField;
  /** Sorted, non-overlapping. */
  readonly values: readonly Interval[];
}

/** Source or destination addresses: CIDRs, ranges (`-m iprange`), lists. Addresses are bigint so IPv6 fits. */
export interface AddressMatch extends MatchBase {
  readonly kind: "address";
  readonly direction: "src" | "dst";
  readonly family: Family;
  /** Sorted, non-overlapping, inclusive. */
  readonly values: readonly (readonly [bigint, bigint])[];
}

/** `-i` / `-o`, Vyatta `inbound-interface`. A trailing `+` matches every name with that prefix (iptables(8)). */
export interface InterfaceMatch extends MatchBase {
  readonly kind: "interface";
  readonly direction: "in" | "out";
  readonly name: string;
}

/** `-m mark --mark value[/mask]`: (packet mark & mask) == value. Marks set earlier by MARK targets are tracked by the engine. */
export interface MarkMatch extends MatchBase {
  readonly kind: "mark";
  readonly value: number;
  readonly mask: number;
}

/** A disjunction, e.g. `-m multiport --ports 500,4500` (source OR destination port). */
export interface AnyOfMatch extends MatchBase {
  readonly kind: "anyOf";
  readonly alternatives: readonly Match[];
}

/** A match the engine does not model (ipset contents, recent, limit, string, u32, bpf, time, statistic, ...): may match. */
export interface OpaqueMatch extends MatchBase {
  readonly kind: "opaque";
  /** The match module, e.g. `set`, `recent`, `limit`. */
  readonly module: string;
  /** The options as written, for messages (`--match-set vpn-peers src`). */
  readonly text: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Targets.

export type Target =
  | VerdictTarget
  | ReturnTarget
  | JumpTarget
  | NatTarget
  | MarkTarget
  | ContinueTarget
  | OpaqueTerminalTarget
  | NoTarget;

interface TargetBase {
  /** `-j ACCEPT`, `action accept`, ... */
  readonly range?: SourceRange;
}

export interface VerdictTarget extends TargetBase {
  readonly kind: "verdict";
  readonly verdict: Verdict;
}

export interface ReturnTarget extends TargetBase {
  readonly kind: "return";
}

/** `-j CHAIN` returns to the rule after it; `-g CHAIN` does not (falling off the goto'd chain returns to the caller's caller). */
export interface JumpTarget extends TargetBase {
  readonly kind: "jump" | "goto";
  readonly chain: string;
}

/**
 * Address translation, in the nat table. DNAT/REDIRECT rewrite the destination in PREROUTING/OUTPUT (before routing);
 * SNAT/MASQUERADE the source in POSTROUTING. Like ACCEPT, they end the nat table's walk for the packet.
 */
export interface NatTarget extends TargetBase {
  readonly kind: "dnat" | "snat" | "masquerade" | "redirect" | "netmap";
  /** New address range, when given (`--to-destination 192.0.2.10-192.0.2.12:500`). Absent for MASQUERADE/REDIRECT. */
  readonly toAddresses?: readonly [bigint, bigint];
  /** New port range, when given. */
  readonly toPorts?: Interval;
}

/** `-j MARK --set-xmark value/mask` and friends: mark = (mark & ~clear) ^ xor. Non-terminal. */
export interface MarkTarget extends TargetBase {
  readonly kind: "mark";
  readonly clearMask: number;
  readonly xorValue: number;
}

/** Non-terminal targets that do not change the verdict (LOG, NFLOG, TCPMSS, CT, CONNMARK, DSCP, ...). */
export interface ContinueTarget extends TargetBase {
  readonly kind: "continue";
  /** The target's name as iptables knows it (`LOG`, `TCPMSS`). */
  readonly name: string;
  /** Its options as written, e.g. `--clamp-mss-to-pmtu`. */
  readonly options: string;
}

/** Terminal targets whose verdict is not known from the ruleset (NFQUEUE, TPROXY, SYNPROXY, ...): "maybe". */
export interface OpaqueTerminalTarget extends TargetBase {
  readonly kind: "opaque";
  readonly name: string;
  readonly options: string;
}

/** A rule without `-j`: it only counts packets. */
export interface NoTarget extends TargetBase {
  readonly kind: "none";
}

// ---------------------------------------------------------------------------------------------------------------
// What a Vyatta-family config says about the box (iptables files leave this empty).

export interface HostFacts {
  readonly interfaces: InterfaceFact[];
  readonly ipsec?: IpsecFact;
  readonly l2tp?: L2tpFact;
  /** Config generation detected, e.g. `vyos-1.5`, `edgeos`, `vyatta-nos`; for messages and generation-mix reports. */
  readonly generation?: string;
}

export interface InterfaceFact {
  /** Kernel name, e.g. `eth0`, `eth0.6`, `pppoe0`, `dp0s1`. */
  readonly name: string;
  /** Addresses with prefix length as written (`203.0.113.2/24`), or `dhcp`, `dhcpv6`. */
  readonly addresses: readonly string[];
  readonly range?: SourceRange;
}

export interface IpsecFact {
  /** `vpn ipsec ipsec-interfaces interface X` / `vpn ipsec interface X`. */
  readonly interfaces: readonly string[];
  /** `nat-traversal enable`. */
  readonly natTraversal?: boolean;
  readonly hasSiteToSite: boolean;
  readonly hasRemoteAccess: boolean;
  readonly range?: SourceRange;
}

export interface L2tpFact {
  /** `vpn l2tp remote-access outside-address`. */
  readonly outsideAddress?: string;
  /** `ipsec-settings` present: L2TP is meant to run inside IPsec. */
  readonly ipsecSettings: boolean;
  readonly range?: SourceRange;
}

// ---------------------------------------------------------------------------------------------------------------
// Parse diagnostics (VPN000).

export interface Diagnostic {
  /** A sysadmin's message: `unknown option "--dportx"`, `unbalanced "{" opened at line 12`. */
  readonly message: string;
  readonly range: SourceRange;
}

export function emptyHostFacts(): HostFacts {
  return { interfaces: [] };
}
