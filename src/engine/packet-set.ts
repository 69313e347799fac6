// Header-space packet sets: a set is a union of disjoint boxes, a box is one interval set per field (plus a ternary
// pattern for the mark). Matching is intersection, negation is complement; everything here is exact.

import { FIELD_DOMAIN, type Family, type NumericField } from "../model/firewall.js";
import { bigintSpans, numberSpans, type Spans } from "./interval-set.js";

/** Numeric fields of a box, by index. `in` and `out` hold interface atoms (see InterfaceDomain). */
export const FIELDS = ["proto", "sport", "dport", "icmpType", "tcpFlags", "ctState", "ipsecIn", "ipsecOut", "fragment", "in", "out"] as const;
export type BoxField = (typeof FIELDS)[number];
export const FIELD_INDEX: Readonly<Record<BoxField, number>> = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<BoxField, number>;

export interface Box {
  readonly num: readonly Spans<number>[];
  readonly src: Spans<bigint>;
  readonly dst: Spans<bigint>;
  /** Ternary pattern of the 32-bit mark: the bits set in `markCare` are known and equal to those of `markValue`. */
  readonly markValue: number;
  readonly markCare: number;
  /** Destination, destination port and output interface as the packets arrived, once a DNAT/REDIRECT rewrote them. */
  readonly pre?: { readonly dst: Spans<bigint>; readonly dport: Spans<number>; readonly out: Spans<number> };
}

export type PacketSet = readonly Box[];

/** Protocols whose packets have ports (iptables ties --sport/--dport/multiport to them). */
export const PORT_PROTOCOLS: Spans<number> = [
  [6, 6],
  [17, 17],
  [33, 33],
  [132, 132],
  [136, 136],
];

/**
 * Interface names as a finite domain: every exact name the ruleset (or query) mentions is one atom, every `+` prefix
 * has one atom for "names whose longest mentioned prefix is this one", and one atom stands for all other names.
 * The empty name "" is the absent interface (no input interface on OUTPUT, no output interface on INPUT).
 */
export class InterfaceDomain {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
  private readonly nameIndex = new Map<string, number>();

  constructor(names: Iterable<string>, prefixes: Iterable<string>) {
    this.names = [...new Set(["", ...names])].sort();
    this.prefixes = [...new Set(prefixes)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
    this.names.forEach((n, i) => this.nameIndex.set(n, i));
  }

  get size(): number {
    return this.names.length + this.prefixes.length + 1;
  }

  get otherAtom(): number {
    return this.names.length + this.prefixes.length;
  }

  /** The atom a concrete interface name belongs to. */
  atomOf(name: string): number {
    const exact = this.nameIndex.get(name);
    if (exact !== undefined) return exact;
    const p = this.prefixes.findIndex((prefix) => name.startsWith(prefix));
    return p >= 0 ? this.names.length + p : this.otherAtom;
  }

  /** Atoms an iptables interface argument (`eth0`, `ppp+`) matches. */
  atomsOf(pattern: string): Spans<number> {
    if (!pattern.endsWith("+")) return [[this.atomOf(pattern), this.atomOf(pattern)]];
    const prefix = pattern.slice(0, -1);
    const atoms: [number, number][] = [];
    this.names.forEach((n, i) => {
      if (n.startsWith(prefix)) atoms.push([i, i]);
    });
    this.prefixes.forEach((q, i) => {
      if (q.startsWith(prefix)) atoms.push([this.names.length + i, this.names.length + i]);
    });
    return numberSpans.normalize(atoms);
  }

  /** Words for an atom: `eth0`, `ppp+`, `another interface`, `no interface`. */
  describeAtom(atom: number): string {
    if (atom < this.names.length) return this.names[atom] === "" ? "no interface" : this.names[atom]!;
    if (atom < this.otherAtom) return `${this.prefixes[atom - this.names.length]}+`;
    return "another interface";
  }
}

const ADDRESS_MAX: Readonly<Record<Family, bigint>> = { ipv4: (1n << 32n) - 1n, ipv6: (1n << 128n) - 1n };

/** The space of one analysis: the universe box, and exact set operations in it. */
export class PacketSpace {
  readonly universe: Box;
  readonly interfaces: InterfaceDomain;
  readonly family: Family;

  constructor(family: Family, interfaces: InterfaceDomain) {
    this.family = family;
    this.interfaces = interfaces;
    const atoms: Spans<number> = [[0, interfaces.size - 1]];
    const num = FIELDS.map((f) => (f === "in" || f === "out" ? atoms : [FIELD_DOMAIN[f as NumericField]]));
    this.universe = { num, src: [[0n, ADDRESS_MAX[family]]], dst: [[0n, ADDRESS_MAX[family]]], markValue: 0, markCare: 0 };
  }

  /** The universe with some fields narrowed (unnamed fields stay whole, by reference, which keeps operations cheap). */
  box(fields: Partial<Record<BoxField, Spans<number>>>, extra: Partial<Pick<Box, "src" | "dst" | "markValue" | "markCare">> = {}): Box {
    const num = this.universe.num.slice();
    for (const [name, spans] of Object.entries(fields)) num[FIELD_INDEX[name as BoxField]] = spans!;
    return { ...this.universe, ...extra, num };
  }

  domainOf(field: BoxField): Spans<number> {
    return this.universe.num[FIELD_INDEX[field]]!;
  }

  addressDomain(): Spans<bigint> {
    return this.universe.src;
  }

  intersect(a: Box, b: Box): Box | null {
    let num: Spans<number>[] | null = null;
    const u = this.universe.num;
    for (let i = 0; i < a.num.length; i++) {
      const bf = b.num[i]!;
      if (bf === u[i] || bf === a.num[i]) continue;
      const af = a.num[i]!;
      const x = af === u[i] ? bf : numberSpans.intersect(af, bf);
      if (x.length === 0) return null;
      if (x !== af) {
        num ??= a.num.slice();
        num[i] = x;
      }
    }
    let src = a.src;
    if (b.src !== this.universe.src && b.src !== a.src) {
      src = a.src === this.universe.src ? b.src : bigintSpans.intersect(a.src, b.src);
      if (src.length === 0) return null;
    }
    let dst = a.dst;
    if (b.dst !== this.universe.dst && b.dst !== a.dst) {
      dst = a.dst === this.universe.dst ? b.dst : bigintSpans.intersect(a.dst, b.dst);
      if (dst.length === 0) return null;
    }
    let markValue = a.markValue;
    let markCare = a.markCare;
    if (b.markCare !== 0) {
      if (((a.markValue ^ b.markValue) & a.markCare & b.markCare) !== 0) return null;
      markCare = (a.markCare | b.markCare) >>> 0;
      markValue = ((a.markValue & a.markCare) | (b.markValue & b.markCare)) >>> 0;
    }
    if (num === null && src === a.src && dst === a.dst && markCare === a.markCare) return a;
    return a.pre ? { num: num ?? a.num, src, dst, markValue, markCare, pre: a.pre } : { num: num ?? a.num, src, dst, markValue, markCare };
  }

  /** The box as its packets arrived, before any destination NAT. */
  original(b: Box): Box {
    if (!b.pre) return b;
    const num = b.num.slice();
    num[FIELD_INDEX.dport] = b.pre.dport;
    num[FIELD_INDEX.out] = b.pre.out;
    return { num, src: b.src, dst: b.pre.dst, markValue: b.markValue, markCare: b.markCare };
  }

  /** True when `a` and `b` share a packet (allocates nothing: most rules miss most sets). */
  overlaps(a: Box, b: Box): boolean {
    const u = this.universe.num;
    for (let i = 0; i < a.num.length; i++) {
      const af = a.num[i]!;
      const bf = b.num[i]!;
      if (af === bf || af === u[i] || bf === u[i]) continue;
      if (!numberSpans.overlap(af, bf)) return false;
    }
    if (a.src !== b.src && a.src !== this.universe.src && b.src !== this.universe.src && !bigintSpans.overlap(a.src, b.src)) return false;
    if (a.dst !== b.dst && a.dst !== this.universe.dst && b.dst !== this.universe.dst && !bigintSpans.overlap(a.dst, b.dst)) return false;
    return ((a.markValue ^ b.markValue) & a.markCare & b.markCare) === 0;
  }

  /** True when some box of `set` overlaps some box of `cubes`. */
  touches(set: PacketSet, cubes: PacketSet): boolean {
    for (let i = 0; i < set.length; i++) for (let j = 0; j < cubes.length; j++) if (this.overlaps(set[i]!, cubes[j]!)) return true;
    return false;
  }

  /** `a` without `c`, as disjoint boxes; `[a]` itself when they do not overlap. */
  subtract(a: Box, c: Box): Box[] {
    return this.overlaps(a, c) ? this.cut(a, c) : [a];
  }

  /** `a` without `c` when they overlap. */
  private cut(a: Box, c: Box): Box[] {
    const out: Box[] = [];
    let rest = a;
    const u = this.universe.num;
    for (let i = 0; i < c.num.length; i++) {
      const cf = c.num[i]!;
      if (cf === u[i]) continue;
      const rf = rest.num[i]!;
      const outside = numberSpans.subtract(rf, cf);
      if (outside.length === 0) continue;
      const num = rest.num.slice();
      num[i] = outside;
      out.push(boxOf(rest, num, rest.src, rest.dst, rest.markValue, rest.markCare));
      const narrowed = rest.num.slice();
      narrowed[i] = numberSpans.intersect(rf, cf);
      rest = boxOf(rest, narrowed, rest.src, rest.dst, rest.markValue, rest.markCare);
    }
    if (c.src !== this.universe.src) {
      const outside = bigintSpans.subtract(rest.src, c.src);
      if (outside.length > 0) {
        out.push(boxOf(rest, rest.num, outside, rest.dst, rest.markValue, rest.markCare));
        rest = boxOf(rest, rest.num, bigintSpans.intersect(rest.src, c.src), rest.dst, rest.markValue, rest.markCare);
      }
    }
    if (c.dst !== this.universe.dst) {
      const outside = bigintSpans.subtract(rest.dst, c.dst);
      if (outside.length > 0) {
        out.push(boxOf(rest, rest.num, rest.src, outside, rest.markValue, rest.markCare));
        rest = boxOf(rest, rest.num, rest.src, bigintSpans.intersect(rest.dst, c.dst), rest.markValue, rest.markCare);
      }
    }
    const free = (c.markCare & ~rest.markCare) >>> 0;
    for (let bit = 1; bit !== 0 && free !== 0; bit = (bit << 1) >>> 0) {
      if ((free & bit) === 0) continue;
      const wanted = c.markValue & bit;
      out.push(boxOf(rest, rest.num, rest.src, rest.dst, ((rest.markValue & ~bit) | (wanted ^ bit)) >>> 0, (rest.markCare | bit) >>> 0));
      rest = boxOf(rest, rest.num, rest.src, rest.dst, ((rest.markValue & ~bit) | wanted) >>> 0, (rest.markCare | bit) >>> 0);
    }
    return out;
  }

  /** The packets of `set` inside and outside `cubes` (a union of disjoint boxes). */
  split(set: PacketSet, cubes: PacketSet): { inside: Box[]; outside: Box[] } {
    const inside: Box[] = [];
    const outside: Box[] = [];
    // Most rules are one box: a rule without matches takes everything, and one overlap test per box decides.
    if (cubes.length === 1) {
      const c = cubes[0]!;
      if (c === this.universe) return { inside: set.slice(), outside };
      for (let i = 0; i < set.length; i++) {
        const b = set[i]!;
        if (!this.overlaps(b, c)) {
          outside.push(b);
          continue;
        }
        inside.push(this.intersect(b, c)!);
        const pieces = this.cut(b, c);
        for (let p = 0; p < pieces.length; p++) outside.push(pieces[p]!);
      }
      return { inside, outside };
    }
    const touching: Box[] = [];
    for (const b of set) {
      touching.length = 0;
      for (const c of cubes) {
        if (!this.overlaps(b, c)) continue;
        inside.push(this.intersect(b, c)!);
        touching.push(c);
      }
      if (touching.length === 0) {
        outside.push(b);
        continue;
      }
      // Only the cubes that meet `b` can take anything from its pieces (taking the others would leave them whole).
      let rest: Box[] = [b];
      for (const c of touching) {
        const next: Box[] = [];
        for (const r of rest) for (const piece of this.subtract(r, c)) next.push(piece);
        rest = next;
      }
      for (const r of rest) outside.push(r);
    }
    return { inside, outside };
  }

  intersectSets(a: PacketSet, b: PacketSet): Box[] {
    const out: Box[] = [];
    for (const x of a) for (const y of b) {
      const z = this.intersect(x, y);
      if (z !== null) out.push(z);
    }
    return out;
  }

  subtractSets(a: PacketSet, b: PacketSet): Box[] {
    return this.split(a, b).outside;
  }

  /** Disjoint union. */
  unionSets(a: PacketSet, b: PacketSet): Box[] {
    return [...a, ...this.subtractSets(b, a)];
  }

  complement(set: PacketSet): Box[] {
    return this.subtractSets([this.universe], set);
  }

  /** A canonical text of a set, for caching chain walks per input set. */
  key(set: PacketSet): string {
    let s = "";
    for (const b of set) {
      const parts = this.keyParts(b);
      for (let i = 0; i < parts.length; i++) s += parts[i]! + "|";
      s += ";";
    }
    return s;
  }

  /**
   * The text of a box field by field: the numeric fields in order, `src`, `dst`, then the mark with what DNAT changed.
   * Canonical: equal texts, equal boxes. Leaving one part out gives a key for "equal but for this field".
   */
  keyParts(b: Box, texts?: Map<Spans<number> | Spans<bigint>, string>): string[] {
    const u = this.universe;
    const parts: string[] = [];
    // Boxes split from one another share most field arrays: with `texts`, each array is written once.
    const text = (spans: Spans<number> | Spans<bigint>): string => {
      if (texts === undefined) return spansKey(spans);
      let known = texts.get(spans);
      if (known === undefined) texts.set(spans, (known = spansKey(spans)));
      return known;
    };
    // A whole field (by reference or by value: the text stays canonical) is written as one character.
    for (let i = 0; i < b.num.length; i++) parts.push(b.num[i] === u.num[i] || isWhole(b.num[i]!, u.num[i]!) ? "*" : text(b.num[i]!));
    parts.push(b.src === u.src || isWhole(b.src, u.src) ? "*" : text(b.src));
    parts.push(b.dst === u.dst || isWhole(b.dst, u.dst) ? "*" : text(b.dst));
    parts.push(b.pre ? `${b.markValue}/${b.markCare}/${text(b.pre.dst)}/${text(b.pre.dport)}/${text(b.pre.out)}` : `${b.markValue}/${b.markCare}`);
    return parts;
  }
}

/** A box like `b` (keeping what DNAT changed) with other fields; one object shape for all boxes. */
function boxOf(b: Box, num: readonly Spans<number>[], src: Spans<bigint>, dst: Spans<bigint>, markValue: number, markCare: number): Box {
  return b.pre ? { num, src, dst, markValue, markCare, pre: b.pre } : { num, src, dst, markValue, markCare };
}

function isWhole<T extends number | bigint>(spans: Spans<T>, domain: Spans<T>): boolean {
  return spans.length === 1 && spans[0]![0] === domain[0]![0] && spans[0]![1] === domain[0]![1];
}

function spansKey(spans: Spans<number> | Spans<bigint>): string {
  let s = "";
  for (let i = 0; i < spans.length; i++) {
    const lo = spans[i]![0];
    const hi = spans[i]![1];
    s += lo === hi ? `${lo},` : `${lo}-${hi},`;
  }
  return s;
}
