// VPN traffic classes and syntactic questions about rules: which rules speak of VPN traffic, and which chains a hook reaches.

import type { PacketQuery } from "../../engine/api.js";
import { surveyRuleset, type PickedRule, type RulePicker, type RulesetSurvey } from "../../engine/index.js";
import type { BuiltinChainName, Chain, Match, NumericField, Rule, Ruleset, TableName } from "../../model/firewall.js";

export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_GRE = 47;
export const PROTO_ESP = 50;
export const PROTO_AH = 51;

/** One kind of VPN packet, as checks ask the engine about it and as messages name it. */
export interface TrafficClass {
  readonly key: "ike" | "natt" | "esp" | "ah" | "l2tp" | "l2tpIpsec";
  /** `UDP 500 (IKE)`, for messages. */
  readonly label: string;
  readonly proto: number;
  readonly dport?: number;
  /** Restrict to packets that arrived IPsec-protected (true) or not (false). */
  readonly ipsec?: boolean;
}

export const IKE: TrafficClass = { key: "ike", label: "UDP 500 (IKE)", proto: PROTO_UDP, dport: 500 };
export const NAT_T: TrafficClass = { key: "natt", label: "UDP 4500 (NAT-T)", proto: PROTO_UDP, dport: 4500 };
export const ESP: TrafficClass = { key: "esp", label: "ESP (IP protocol 50)", proto: PROTO_ESP };
export const AH: TrafficClass = { key: "ah", label: "AH (IP protocol 51)", proto: PROTO_AH };
export const L2TP_CLEAR: TrafficClass = { key: "l2tp", label: "UDP 1701 (L2TP) without IPsec", proto: PROTO_UDP, dport: 1701, ipsec: false };
export const L2TP_IPSEC: TrafficClass = { key: "l2tpIpsec", label: "IPsec-protected UDP 1701 (L2TP)", proto: PROTO_UDP, dport: 1701, ipsec: true };

/** The engine query for a class of packets, with the rest of the query given. */
export function classQuery(traffic: TrafficClass, rest: Omit<PacketQuery, "proto" | "dport" | "ipsec">): PacketQuery {
  return {
    ...rest,
    proto: traffic.proto,
    ...(traffic.dport !== undefined ? { dport: traffic.dport } : {}),
    ...(traffic.ipsec !== undefined ? { ipsec: traffic.ipsec } : {}),
  };
}

/** Widest interval still read as "names this value" (a `--dport 0:1023` rule is not about IKE). */
const NARROW = 16;

function fieldNames(match: Match, fields: readonly NumericField[], value: number): boolean {
  if (match.kind === "anyOf") {
    if (match.negated) return false;
    for (const alternative of match.alternatives) if (fieldNames(alternative, fields, value)) return true;
    return false;
  }
  if (match.kind !== "field" || match.negated || !fields.includes(match.field)) return false;
  const values = match.values;
  for (let k = 0; k < values.length; k++) if (values[k]![0] <= value && value <= values[k]![1] && values[k]![1] - values[k]![0] < NARROW) return true;
  return false;
}

function namesValue(rule: Rule, fields: readonly NumericField[], value: number): boolean {
  const matches = rule.matches;
  for (let m = 0; m < matches.length; m++) if (fieldNames(matches[m]!, fields, value)) return true;
  return false;
}

const PORT_FIELDS: readonly NumericField[] = ["dport", "sport"];
const DPORT_FIELD: readonly NumericField[] = ["dport"];
const PROTO_FIELD: readonly NumericField[] = ["proto"];

/** The rule names this port as destination (or source: `--sport 500 --dport 500`, multiport `--ports`). */
export function mentionsPort(rule: Rule, port: number): boolean {
  return namesValue(rule, PORT_FIELDS, port);
}

export function mentionsDestinationPort(rule: Rule, port: number): boolean {
  return namesValue(rule, DPORT_FIELD, port);
}

export function mentionsProto(rule: Rule, proto: number): boolean {
  return namesValue(rule, PROTO_FIELD, proto);
}

/** The rule has an IPsec policy match (`-m policy`, Vyatta `ipsec match-ipsec`) for the given direction. */
export function hasPolicyMatch(rule: Rule, field: "ipsecIn" | "ipsecOut" = "ipsecIn"): boolean {
  return rule.matches.some((match) => match.kind === "field" && match.field === field);
}

/** Which IPsec states the rule's policy matches allow (true = some protected, false = only unprotected). */
export function policyAllows(rule: Rule, field: "ipsecIn" | "ipsecOut", protectedTraffic: boolean): boolean {
  for (const match of rule.matches) {
    if (match.kind !== "field" || match.field !== field) continue;
    const containsNone = match.values.some(([lo]) => lo === 0);
    const containsProtected = match.values.some(([lo, hi]) => hi >= 1 && lo <= 6);
    const allows = protectedTraffic ? containsProtected !== match.negated : containsNone !== match.negated;
    if (!allows) return false;
  }
  return true;
}

function fieldAllows(match: Match, field: NumericField, value: number): boolean {
  if (match.kind !== "field" || match.field !== field) return true;
  const contains = match.values.some(([lo, hi]) => lo <= value && value <= hi);
  return contains !== match.negated;
}

/** The rule's matches do not rule out every packet of the class (ports only checked where the rule names ports). */
export function mayMatchClass(rule: Rule, traffic: TrafficClass): boolean {
  for (const match of rule.matches) {
    if (!fieldAllows(match, "proto", traffic.proto)) return false;
    if (traffic.dport !== undefined && !fieldAllows(match, "dport", traffic.dport)) return false;
    if (traffic.dport === undefined && match.kind === "field" && (match.field === "dport" || match.field === "sport") && !match.negated) return false;
  }
  if (traffic.ipsec !== undefined && !policyAllows(rule, "ipsecIn", traffic.ipsec)) return false;
  return true;
}

/** The rule names the class on purpose: its port or protocol explicitly (and for L2TP/IPsec, the policy match). */
export function namesClass(rule: Rule, traffic: TrafficClass): boolean {
  const named = traffic.dport !== undefined ? mentionsDestinationPort(rule, traffic.dport) || mentionsPort(rule, traffic.dport) : mentionsProto(rule, traffic.proto);
  if (!named || !mayMatchClass(rule, traffic)) return false;
  if (traffic.ipsec === true) return hasPolicyMatch(rule) && policyAllows(rule, "ipsecIn", true);
  return true;
}

/** Targets that let packets on (accept, or hand them to another chain or queue), as opposed to DROP / REJECT. */
export function letsThrough(rule: Rule): boolean {
  const kind = rule.target.kind;
  if (rule.target.kind === "verdict") return rule.target.verdict === "accept";
  return kind === "jump" || kind === "goto" || kind === "opaque";
}

export function isAccept(rule: Rule): boolean {
  return rule.target.kind === "verdict" && rule.target.verdict === "accept";
}

/** A rule together with the chain and table it lives in. */
export interface PlacedRule {
  readonly rule: Rule;
  readonly chain: Chain;
  readonly table: TableName;
}

const NOTABLE_PORTS = [500, 1701, 1723, 4500];
const NOTABLE_PROTOS = [PROTO_GRE, PROTO_ESP, PROTO_AH];

/** Why a rule is notable, as marks: the survey keeps them, so a check can take only the notable rules it is about. */
export const NOTABLE_MARKS = {
  /** A NAT target (DNAT, SNAT, MASQUERADE) or a synthesized jump attaching a Vyatta rule-set. */
  target: 1,
  /** An IPsec policy match (`-m policy`, `ipsec match-ipsec`), in or out, anywhere in the matches. */
  policy: 2,
  /** Ports 500, 1701, 1723, 4500 named narrowly (destination or source), then protocols GRE, ESP, AH. */
  port500: 4,
  port1701: 8,
  port1723: 16,
  port4500: 32,
  gre: 64,
  esp: 128,
  ah: 256,
} as const;

const PORT_MARKS = [NOTABLE_MARKS.port500, NOTABLE_MARKS.port1701, NOTABLE_MARKS.port1723, NOTABLE_MARKS.port4500];
const PROTO_MARKS = [NOTABLE_MARKS.gre, NOTABLE_MARKS.esp, NOTABLE_MARKS.ah];

function notableMatch(match: Match): number {
  if (match.kind === "anyOf") {
    let marks = 0;
    for (const alternative of match.alternatives) marks |= notableMatch(alternative);
    return marks;
  }
  if (match.kind !== "field") return 0;
  const field = match.field;
  if (field === "ipsecIn" || field === "ipsecOut") return NOTABLE_MARKS.policy;
  const isProto = field === "proto";
  if (!isProto && field !== "dport" && field !== "sport") return 0;
  const wanted = isProto ? NOTABLE_PROTOS : NOTABLE_PORTS;
  const marks = isProto ? PROTO_MARKS : PORT_MARKS;
  const values = match.values;
  let found = 0;
  for (let k = 0; k < values.length; k++) {
    const lo = values[k]![0];
    const hi = values[k]![1];
    if (hi - lo >= NARROW) continue;
    for (let w = 0; w < wanted.length; w++) if (lo <= wanted[w]! && wanted[w]! <= hi) found |= marks[w]!;
  }
  return found;
}

/** Picks and marks, during the engine's one pass over a ruleset, the rules notableRules lists. */
const NOTABLE: RulePicker = {
  target(kind, synthesized) {
    return kind === "dnat" || kind === "snat" || kind === "masquerade" || (synthesized && (kind === "jump" || kind === "goto")) ? NOTABLE_MARKS.target : 0;
  },
  match: notableMatch,
  named: { protos: NOTABLE_PROTOS, ports: NOTABLE_PORTS },
};

/** The ruleset's survey with the notable rules picked (the role inference asks first, so the engine reuses it). */
function survey(ruleset: Ruleset): RulesetSurvey {
  return surveyRuleset(ruleset, NOTABLE);
}

/**
 * The loaded rules any VPN check can care about, in order: those naming VPN or PPTP ports and protocols or an IPsec
 * policy, NAT rules, and the synthesized jumps that attach Vyatta rule-sets. Found in the same pass over the ruleset
 * as the engine's interface names and the jump graph, so a 100k-rule dump is read once, not once per check. A pick's
 * `rule` may be built when first read: look at its table, marks and target kind first.
 */
export function notableRules(ruleset: Ruleset): readonly PickedRule[] {
  return survey(ruleset).picked;
}

/** The notable rules with one of `marks` (NOTABLE_MARKS), in order: a check about 1723 skips 3,000 kube DNAT rules. */
export function notableRulesMarked(ruleset: Ruleset, marks: number): PickedRule[] {
  return survey(ruleset).picked.filter((pick) => (pick.marks & marks) !== 0);
}

const BUILTIN_BITS: Readonly<Record<BuiltinChainName, number>> = { PREROUTING: 1, INPUT: 2, FORWARD: 4, OUTPUT: 8, POSTROUTING: 16 };
const BUILTIN_NAMES = Object.keys(BUILTIN_BITS) as BuiltinChainName[];

/** For each chain, the built-in chains it is reached from; undefined for a chain reached from nowhere. */
export interface ReachingHooks {
  get(chain: Chain): ReadonlySet<BuiltinChainName> | undefined;
}

/** The hooks of each combination, shared by every chain reached from exactly those hooks. */
const HOOK_SETS: readonly ReadonlySet<BuiltinChainName>[] = Array.from({ length: 32 }, (_, mask) => new Set(BUILTIN_NAMES.filter((name) => (mask & BUILTIN_BITS[name]) !== 0)));

const hooksMemo = new WeakMap<Ruleset, ReachingHooks>();

/**
 * For each chain (by table and name), the built-in chains it is reached from through jumps and gotos. Breadth-first
 * over the jump graph: no recursion, linear in the jumps, computed once per ruleset (several checks and the role
 * inference ask). Hooks are bits per chain; a chain already carrying a hook's bit was visited from that hook.
 */
export function reachingHooks(ruleset: Ruleset): ReachingHooks {
  const memo = hooksMemo.get(ruleset);
  if (memo) return memo;
  const { callees } = survey(ruleset);
  const bits = new Map<Chain, number>();
  for (const table of ruleset.tables.values()) {
    // forEach: kube's thousands of chains are passed over without iterator objects.
    table.chains.forEach((chain) => {
      if (!chain.builtin) return;
      const bit = BUILTIN_BITS[chain.name as BuiltinChainName];
      const queue: Chain[] = [chain];
      bits.set(chain, (bits.get(chain) ?? 0) | bit);
      for (let i = 0; i < queue.length; i++) {
        const next = callees.get(queue[i]!);
        if (!next) continue;
        for (let k = 0; k < next.length; k++) {
          const callee = next[k]!;
          const known = bits.get(callee) ?? 0;
          if ((known & bit) !== 0) continue;
          bits.set(callee, known | bit);
          queue.push(callee);
        }
      }
    });
  }
  const reached: ReachingHooks = {
    get(chain) {
      const mask = bits.get(chain);
      return mask === undefined ? undefined : HOOK_SETS[mask];
    },
  };
  hooksMemo.set(ruleset, reached);
  return reached;
}

/** Per ruleset: each chain's callers (from the survey's jump graph), and each caller's jumps by the chain they name. */
interface CallerIndex {
  readonly callers: Map<Chain, Chain[]>;
  readonly jumpsOf: Map<Chain, Map<string, PlacedRule[]>>;
  readonly found: Map<Chain, readonly PlacedRule[]>;
}

const callerIndexes = new WeakMap<Ruleset, CallerIndex>();

/**
 * The rules that jump or go to `chain` (for interfaces of attachment), in ruleset order. The jump graph is turned
 * around once per ruleset, and a caller's rules are read once, into its jumps by target: a dump with thousands of
 * chains jumped to from one chain asks about each of them (finding each chain's callers by a pass over every chain and
 * its rules took 30 s for 40,000 chains).
 */
export function callersOf(ruleset: Ruleset, chain: Chain): readonly PlacedRule[] {
  let index = callerIndexes.get(ruleset);
  if (!index) {
    const callers = new Map<Chain, Chain[]>();
    survey(ruleset).callees.forEach((callees, caller) => {
      for (const callee of callees) {
        const list = callers.get(callee);
        if (list === undefined) callers.set(callee, [caller]);
        else if (list[list.length - 1] !== caller) list.push(caller);
      }
    });
    callerIndexes.set(ruleset, (index = { callers, jumpsOf: new Map(), found: new Map() }));
  }
  let found = index.found.get(chain);
  if (!found) {
    const rules: PlacedRule[] = [];
    // A loop, not push(...jumps): a chain can hold more jumps to one chain than a call takes arguments.
    for (const caller of index.callers.get(chain) ?? []) for (const jump of jumpsOf(index, caller).get(chain.name) ?? []) rules.push(jump);
    index.found.set(chain, (found = rules));
  }
  return found;
}

/** The rules of `caller` that jump or go to a chain, by the chain's name, in order. */
function jumpsOf(index: CallerIndex, caller: Chain): Map<string, PlacedRule[]> {
  let jumps = index.jumpsOf.get(caller);
  if (!jumps) {
    jumps = new Map();
    for (const rule of caller.rules) {
      const target = rule.target;
      if (rule.disabled || (target.kind !== "jump" && target.kind !== "goto")) continue;
      const list = jumps.get(target.chain);
      const placed = { rule, chain: caller, table: caller.table };
      if (list === undefined) jumps.set(target.chain, [placed]);
      else list.push(placed);
    }
    index.jumpsOf.set(caller, jumps);
  }
  return jumps;
}

/** The input interface a rule names (`-i eth0`, not negated), if any. */
export function inInterface(rule: Rule): string | undefined {
  for (const match of rule.matches) if (match.kind === "interface" && match.direction === "in" && !match.negated) return match.name;
  return undefined;
}

export function outInterface(rule: Rule): string | undefined {
  for (const match of rule.matches) if (match.kind === "interface" && match.direction === "out" && !match.negated) return match.name;
  return undefined;
}

/** Interfaces that carry tunnels, clients or containers, never the outside world (by kernel naming convention). */
const INTERNAL_PREFIXES = ["lo", "ppp", "l2tp", "tun", "tap", "vti", "ipsec", "xfrm", "wg", "docker", "br-", "veth", "virbr", "cali", "flannel", "cni", "kube", "dum", "gre", "vtun"];

export function isInternalInterfaceName(name: string): boolean {
  if (name.startsWith("pppoe")) return false;
  return INTERNAL_PREFIXES.some((prefix) => name.startsWith(prefix));
}

const VPN_PORTS = [500, 1701, 4500];

/** Every port the rule names is a VPN port (a FaceTime rule that lists 4500 among twenty others is not a VPN rule). */
export function onlyVpnPorts(rule: Rule): boolean {
  const portsOk = (match: Match): boolean => {
    if (match.kind === "anyOf") return match.alternatives.every(portsOk);
    if (match.kind !== "field" || match.negated || (match.field !== "dport" && match.field !== "sport")) return true;
    return match.values.every(([lo, hi]) => lo === hi && VPN_PORTS.includes(lo));
  };
  return rule.matches.every(portsOk);
}

/** Every destination port the rule names is 1723 (a PPTP rule one can delete whole). */
export function onlyPptpPort(rule: Rule): boolean {
  const portsOk = (match: Match): boolean => {
    if (match.kind === "anyOf") return match.alternatives.every(portsOk);
    if (match.kind !== "field" || match.negated || match.field !== "dport") return true;
    return match.values.every(([lo, hi]) => lo === 1723 && hi === 1723);
  };
  return rule.matches.every(portsOk);
}
