// Packet sets in words, for messages and traces: `udp dport 1701 from 198.51.100.0/24 on eth0, state new, not ipsec`.

import { CtState, IpsecState } from "../model/firewall.js";
import { rangeToCidrs } from "./addresses.js";
import { numberSpans, type Spans } from "./interval-set.js";
import { FIELD_INDEX, type Box, type BoxField, type PacketSet, type PacketSpace } from "./packet-set.js";

export const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: "icmp",
  2: "igmp",
  4: "ipip",
  6: "tcp",
  17: "udp",
  33: "dccp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "ipv6-icmp",
  108: "ipcomp",
  132: "sctp",
  136: "udplite",
};

const CT_NAMES = Object.fromEntries(Object.entries(CtState).map(([k, v]) => [v, k.toLowerCase()])) as Record<number, string>;
const IPSEC_NAMES = Object.fromEntries(Object.entries(IpsecState).map(([k, v]) => [v, k.toLowerCase().replace("_", " ")])) as Record<number, string>;

const MAX_LISTED = 6;

function listSpans(spans: Spans<number>, name?: (n: number) => string): string {
  // Named values (protocols, states) are listed one by one when few; numbers keep lo-hi.
  const expanded = name && spans.every(([lo, hi]) => hi - lo < 8) ? spans.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i): [number, number] => [lo + i, lo + i])) : spans;
  const show = name ?? String;
  const words = expanded.slice(0, MAX_LISTED).map(([lo, hi]) => (lo === hi ? show(lo) : `${show(lo)}-${show(hi)}`));
  if (expanded.length > MAX_LISTED) words.push(`... (${expanded.length} in all)`);
  return words.join(",");
}

/** A field's values, or "not ..." when the complement is shorter. */
function fieldWords(space: PacketSpace, field: BoxField, spans: Spans<number>, name?: (n: number) => string): string {
  const missing = numberSpans.subtract(space.domainOf(field), spans);
  return missing.length < spans.length ? `not ${listSpans(missing, name)}` : listSpans(spans, name);
}

function addressWords(space: PacketSpace, spans: Spans<bigint>): string {
  const cidrs = (s: Spans<bigint>): string[] => s.flatMap(([lo, hi]) => rangeToCidrs(lo, hi, space.family));
  const inside = cidrs(spans);
  const outside = cidrs(bigintComplement(space, spans));
  const [words, prefix] = outside.length < inside.length ? [outside, "not "] : [inside, ""];
  const shown = words.slice(0, MAX_LISTED).join(",");
  return prefix + (words.length > MAX_LISTED ? `${shown},... (${words.length} blocks)` : shown);
}

function bigintComplement(space: PacketSpace, spans: Spans<bigint>): Spans<bigint> {
  const out: [bigint, bigint][] = [];
  let next = 0n;
  for (const [lo, hi] of spans) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  const max = space.addressDomain()[0]![1];
  if (next <= max) out.push([next, max]);
  return out;
}

/** Fields the query fixes without the user asking (fragment, mark, absent interfaces): said only when they differ. */
const IMPLICIT: readonly BoxField[] = ["in", "out", "fragment"];

/** One box in words; `base` (the queried set) keeps implicit fields out of the words while they are unchanged. */
export function describeBox(space: PacketSpace, box: Box, base?: Box): string {
  const u = space.universe;
  const words: string[] = [];
  const f = (name: BoxField) => box.num[FIELD_INDEX[name]]!;
  const narrowed = (name: BoxField) =>
    !numberSpans.equal(f(name), u.num[FIELD_INDEX[name]]!) && !(base && IMPLICIT.includes(name) && numberSpans.equal(f(name), base.num[FIELD_INDEX[name]]!));
  words.push(narrowed("proto") ? fieldWords(space, "proto", f("proto"), (n) => PROTOCOL_NAMES[n] ?? `proto ${n}`) : "any protocol");
  if (box.src !== u.src) words.push(`from ${addressWords(space, box.src)}`);
  if (box.dst !== u.dst) words.push(`to ${addressWords(space, box.dst)}`);
  if (narrowed("sport")) words.push(`sport ${fieldWords(space, "sport", f("sport"))}`);
  if (narrowed("dport")) words.push(`dport ${fieldWords(space, "dport", f("dport"))}`);
  if (narrowed("icmpType")) words.push(`icmp type ${fieldWords(space, "icmpType", f("icmpType"), (n) => `${n >> 8}/${n & 255}`)}`);
  if (narrowed("tcpFlags")) words.push(`tcp flags ${fieldWords(space, "tcpFlags", f("tcpFlags"), (n) => `0x${n.toString(16)}`)}`);
  const atoms = (spans: Spans<number>) => {
    const names = spans.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => space.interfaces.describeAtom(lo + i)));
    return names.length > MAX_LISTED ? `${names.slice(0, MAX_LISTED).join(",")},...` : names.join(",");
  };
  const real = numberSpans.subtract(space.domainOf("in"), space.interfaces.atomsOf(""));
  const ifaceWords = (name: "in" | "out", label: string) => {
    if (!narrowed(name) || numberSpans.equal(f(name), real)) return;
    const missing = numberSpans.subtract(real, f(name));
    words.push(missing.length > 0 && atoms(missing).length < atoms(f(name)).length ? `${label} any interface but ${atoms(missing)}` : `${label} ${atoms(f(name))}`);
  };
  ifaceWords("in", "in");
  ifaceWords("out", "out");
  if (narrowed("ctState")) words.push(`state ${listSpans(f("ctState"), (n) => CT_NAMES[n] ?? String(n))}`);
  if (narrowed("ipsecIn")) words.push(numberSpans.equal(f("ipsecIn"), [[0, 0]]) ? "not ipsec" : numberSpans.equal(f("ipsecIn"), [[1, 6]]) ? "ipsec" : `ipsec ${listSpans(f("ipsecIn"), (n) => IPSEC_NAMES[n] ?? String(n))}`);
  if (narrowed("ipsecOut")) words.push(numberSpans.equal(f("ipsecOut"), [[0, 0]]) ? "leaving without ipsec" : `leaving with ipsec ${listSpans(f("ipsecOut"), (n) => IPSEC_NAMES[n] ?? String(n))}`);
  if (narrowed("fragment")) words.push(numberSpans.equal(f("fragment"), [[1, 1]]) ? "later fragments" : "unfragmented or first fragments");
  if (box.markCare !== 0 && !(base && base.markCare === box.markCare && base.markValue === box.markValue)) words.push(`mark 0x${box.markValue.toString(16)}/0x${box.markCare.toString(16)}`);
  return words.join(" ");
}

/** A set in words: its boxes joined with "or" (long unions are cut short). */
export function describeSet(space: PacketSpace, set: PacketSet, base?: Box): string {
  if (set.length === 0) return "no packets";
  const shown = set.slice(0, 4).map((box) => describeBox(space, box, base));
  if (set.length > 4) shown.push(`${set.length - 4} more parts`);
  return shown.join("; or ");
}
