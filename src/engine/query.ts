// Packet queries: the `--packet "proto=udp dport=500 ..."` syntax, and a query as the packet set it stands for.

import { CtState, type Family } from "../model/firewall.js";
import { parseAddressRange } from "./addresses.js";
import type { HookName, PacketQuery } from "./api.js";
import { PROTOCOL_NAMES } from "./describe.js";
import { numberSpans, type Spans } from "./interval-set.js";
import { PORT_PROTOCOLS, type Box, type BoxField, type PacketSpace } from "./packet-set.js";

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(PROTOCOL_NAMES).map(([n, name]) => [name, Number(n)]));
const STATES = ["new", "established", "related", "invalid", "untracked"] as const;
const KEYS = ["proto", "src", "dst", "sport", "dport", "in", "out", "state", "ipsec", "hook"] as const;

export type PacketSpecResult = { readonly ok: true; readonly query: PacketQuery } | { readonly ok: false; readonly error: string };

function parsePort(text: string): number | readonly [number, number] | undefined {
  const m = /^(\d{1,5})(?:[:-](\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || lo > hi) return undefined;
  return lo === hi ? lo : [lo, hi];
}

/** Parses `proto=udp src=198.51.100.7 dport=500 in=eth0 state=new ipsec=no hook=input` (omitted keys mean any). */
export function parsePacketSpec(text: string): PacketSpecResult {
  const fields: Record<string, string> = {};
  for (const word of text.trim().split(/[\s,]+/).filter((w) => w !== "")) {
    const eq = word.indexOf("=");
    const key = word.slice(0, eq).toLowerCase();
    const value = word.slice(eq + 1);
    if (eq <= 0 || value === "") return { ok: false, error: `"${word}" is not key=value` };
    if (!(KEYS as readonly string[]).includes(key)) return { ok: false, error: `unknown key "${key}" (known: ${KEYS.join(", ")})` };
    if (key in fields) return { ok: false, error: `"${key}" given twice` };
    fields[key] = value;
  }
  const hook = (fields.hook ?? "input").toLowerCase();
  if (hook !== "input" && hook !== "forward" && hook !== "output") return { ok: false, error: `hook must be input, forward or output, not "${fields.hook}"` };
  const query: { -readonly [K in keyof PacketQuery]: PacketQuery[K] } = { hook: hook as HookName };
  if (fields.proto !== undefined) {
    const name = fields.proto.toLowerCase();
    const proto = /^\d{1,3}$/.test(name) ? Number(name) : PROTOCOL_NUMBERS[name === "icmpv6" ? "ipv6-icmp" : name];
    if (proto === undefined || proto > 255) return { ok: false, error: `unknown protocol "${fields.proto}"` };
    query.proto = proto;
  }
  for (const key of ["src", "dst"] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (parseAddressRange(value) === undefined) return { ok: false, error: `${key}: "${value}" is not an address or CIDR` };
    query[key] = value;
  }
  for (const key of ["sport", "dport"] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    const port = parsePort(value);
    if (port === undefined) return { ok: false, error: `${key}: "${value}" is not a port or port range` };
    if (query.proto !== undefined && !numberSpans.within([[query.proto, query.proto]], PORT_PROTOCOLS)) {
      return { ok: false, error: `${key} needs a protocol with ports (tcp, udp, udplite, sctp, dccp)` };
    }
    query[key] = port;
  }
  if (fields.in !== undefined) query.in = fields.in;
  if (fields.out !== undefined) query.out = fields.out;
  if (fields.state !== undefined) {
    const state = fields.state.toLowerCase();
    if (!(STATES as readonly string[]).includes(state)) return { ok: false, error: `state must be one of ${STATES.join(", ")}` };
    query.state = state as PacketQuery["state"];
  }
  if (fields.ipsec !== undefined) {
    const value = fields.ipsec.toLowerCase();
    if (["yes", "true", "1"].includes(value)) query.ipsec = true;
    else if (["no", "false", "0"].includes(value)) query.ipsec = false;
    else return { ok: false, error: `ipsec must be yes or no, not "${fields.ipsec}"` };
  }
  return { ok: true, query };
}

/** The address family a query speaks of, when it names an address. */
export function queryFamily(query: PacketQuery): Family | undefined {
  for (const value of [query.src, query.dst]) {
    if (value !== undefined) return parseAddressRange(value)?.family;
  }
  return undefined;
}

/** Interface names a query mentions (they must be atoms of the interface domain for the answer to be exact). */
export function queryInterfaces(query: PacketQuery): string[] {
  return [query.in, query.out, ...(query.notIn ?? [])].filter((n): n is string => n !== undefined);
}

const IPSEC_NONE: Spans<number> = [[0, 0]];
const IPSEC_ANY: Spans<number> = [[1, 6]];

/**
 * The packet set of a query, as it arrives at its first hook. Packets of a query are whole (unfragmented or first
 * fragments: with conntrack, netfilter reassembles before the tables anyway). Received packets carry mark 0; locally
 * generated ones may carry a socket mark, so theirs is unknown.
 */
export function querySet(space: PacketSpace, query: PacketQuery): Box | undefined {
  const fields: Partial<Record<BoxField, Spans<number>>> = { fragment: [[0, 0]] };
  if (query.proto !== undefined) fields.proto = [[query.proto, query.proto]];
  for (const key of ["sport", "dport"] as const) {
    const port = query[key];
    if (port === undefined) continue;
    fields[key] = typeof port === "number" ? [[port, port]] : [[port[0], port[1]]];
    fields.proto = numberSpans.intersect(fields.proto ?? space.domainOf("proto"), PORT_PROTOCOLS);
    if (fields.proto.length === 0) return undefined;
  }
  const interfaces = space.interfaces;
  const none: Spans<number> = interfaces.atomsOf("");
  const real = numberSpans.subtract(space.domainOf("in"), none);
  const named = (name: string | undefined) => (name === undefined ? real : interfaces.atomsOf(name));
  const notIn = numberSpans.normalize((query.notIn ?? []).map((n) => [interfaces.atomOf(n), interfaces.atomOf(n)] as const));
  fields.in = query.hook === "output" ? none : numberSpans.subtract(named(query.in), notIn);
  fields.out = query.hook === "input" ? none : named(query.out);
  if (query.state !== undefined) {
    const state = CtState[query.state.toUpperCase() as keyof typeof CtState];
    fields.ctState = [[state, state]];
  }
  if (query.ipsec !== undefined) {
    const ipsec = query.ipsec ? IPSEC_ANY : IPSEC_NONE;
    if (query.hook !== "output") fields.ipsecIn = ipsec;
    if (query.hook === "output" || (query.hook === "forward" && query.out !== undefined)) fields.ipsecOut = ipsec;
  }
  const extra: { src?: Spans<bigint>; dst?: Spans<bigint>; markValue?: number; markCare?: number } = {};
  for (const key of ["src", "dst"] as const) {
    const value = query[key];
    if (value === undefined) continue;
    const parsed = parseAddressRange(value);
    if (parsed === undefined || parsed.family !== space.family) return undefined;
    extra[key] = [parsed.range];
  }
  if (query.hook !== "output") {
    extra.markValue = 0;
    extra.markCare = 0xffffffff;
  }
  if (Object.values(fields).some((spans) => spans.length === 0)) return undefined;
  return space.box(fields, extra);
}
