// The engine's public contract: questions about packet sets, answered with verdicts, deciding rules and paths.
// Checks (src/rules) and the tracer (vpnlint trace) use only these types and the functions in engine/index.ts.

import type { Chain, Rule, TableName, Verdict } from "../model/firewall.js";

/** Where a packet meets the filter: delivered to the box (INPUT), routed through it (FORWARD), or sent by it (OUTPUT). */
export type HookName = "input" | "forward" | "output";

/**
 * A set of packets, described the way users (and `vpnlint trace --packet`) describe them. Omitted fields mean "any".
 * Ports and addresses may be single values or ranges; `proto` is a protocol number.
 */
export interface PacketQuery {
  /** Where the packets are headed before NAT: the engine walks PREROUTING first and follows DNAT to FORWARD. */
  readonly hook: HookName;
  readonly proto?: number;
  /** Address or CIDR (`198.51.100.7`, `198.51.100.0/24`, `2001:db8::/32`). */
  readonly src?: string;
  readonly dst?: string;
  readonly sport?: number | readonly [number, number];
  readonly dport?: number | readonly [number, number];
  /** Input interface (exact name; omitted = any interface). */
  readonly in?: string;
  /** Output interface (forward/output only). */
  readonly out?: string;
  /** Conntrack state name: `new`, `established`, `related`, `invalid`, `untracked`. */
  readonly state?: "new" | "established" | "related" | "invalid" | "untracked";
  /** Arrived IPsec-protected (true) or not (false). For output/forward with out: leaves protected. */
  readonly ipsec?: boolean;
  /** Interfaces to leave out of "any interface", e.g. loopback for "from outside". */
  readonly notIn?: readonly string[];
}

/** The engine's answer: "maybe" when an opaque match or target stands in the way, or when parts of the set differ. */
export type Outcome = Verdict | "maybe";

/** One step of a packet's path: a rule that matched (or may match) and what it did, or a policy that applied. */
export interface TraceStep {
  readonly table: TableName;
  readonly chain: Chain;
  /** Absent for a chain policy or default-action step. */
  readonly rule?: Rule;
  /** `ACCEPT`, `DROP`, `REJECT`, `jump KUBE-SVC-X`, `goto X`, `RETURN`, `DNAT 192.0.2.10:500`, `LOG`, `policy DROP`, ... */
  readonly action: string;
}

/** What decided a part of the set: a rule's target, or a chain's policy / default-action. */
export type Decider = { readonly kind: "rule"; readonly rule: Rule; readonly chain: Chain } | { readonly kind: "policy"; readonly chain: Chain };

/** A part of the queried set that shares one verdict, one decider and one path. */
export interface OutcomePart {
  readonly verdict: Outcome;
  /** The part in words, e.g. `udp dport 1701 from 198.51.100.0/24 on eth0`. */
  readonly description: string;
  readonly decidedBy: Decider;
  readonly path: readonly TraceStep[];
  /** True when the part was destination-NATed on the way (then `hook` of the walk became forward). */
  readonly dnat?: { readonly rule: Rule; readonly to: string };
}

export interface Analysis {
  /** accept/drop/reject when every packet of the set shares it, else maybe. */
  readonly verdict: Outcome;
  readonly parts: readonly OutcomePart[];
}
