// Cheap, exact pre-tests of a walk: whether a rule's own matches already rule out every packet of a set (no compiling
// needed), and an index of long chains by the bounds of their rules.

import type { Chain, Match, PlainBounds, Rule } from "../model/firewall.js";
import { actingTest, ruleCount, unbuilt } from "./chain-rules.js";
import { FIELD_INDEX, type InterfaceDomain, type PacketSet } from "./packet-set.js";

const IN = FIELD_INDEX.in;
const OUT = FIELD_INDEX.out;
const PROTO = FIELD_INDEX.proto;
const DPORT = FIELD_INDEX.dport;

/**
 * True when the rule's plain (non-negated) field, address or exact-interface matches leave no packet of `set`: the
 * rule cannot match it, and need not be compiled. Each box is taken by its hull per field (exclusion stays exact);
 * negated, `+`, mark, opaque and any-of matches are left to the compiled sets.
 */
export function excludes(rule: Rule, set: PacketSet, interfaces: InterfaceDomain): boolean {
  const matches = rule.matches;
  for (let m = 0; m < matches.length; m++) {
    const match = matches[m]!;
    if (!match.negated && misses(match, set, interfaces)) return true;
  }
  return false;
}

/**
 * True when one of the bounds (see PlainBounds) leaves no packet of `set`: what `excludes` finds from the same plain
 * matches, for a rule not built yet. Interfaces and the other fields are left to `excludes` once it is built.
 */
export function boundsExclude(bounds: PlainBounds, set: PacketSet): boolean {
  if (bounds.hasProto && numbersMiss(set, PROTO, bounds.protoLo, bounds.protoHi)) return true;
  if (bounds.hasDport && numbersMiss(set, DPORT, bounds.dportLo, bounds.dportHi)) return true;
  if (bounds.hasSrc && addressesMiss(set, "src", bounds.srcLo, bounds.srcHi)) return true;
  return bounds.hasDst && addressesMiss(set, "dst", bounds.dstLo, bounds.dstHi);
}

function numbersMiss(set: PacketSet, field: number, lo: number, hi: number): boolean {
  for (let b = 0; b < set.length; b++) {
    const spans = set[b]!.num[field]!;
    if (lo <= spans[spans.length - 1]![1] && hi >= spans[0]![0]) return false;
  }
  return true;
}

function addressesMiss(set: PacketSet, direction: "src" | "dst", lo: bigint, hi: bigint): boolean {
  for (let b = 0; b < set.length; b++) {
    const spans = direction === "src" ? set[b]!.src : set[b]!.dst;
    if (lo <= spans[spans.length - 1]![1] && hi >= spans[0]![0]) return false;
  }
  return true;
}

function misses(match: Match, set: PacketSet, interfaces: InterfaceDomain): boolean {
  switch (match.kind) {
    case "field": {
      const f = FIELD_INDEX[match.field];
      for (let b = 0; b < set.length; b++) {
        const spans = set[b]!.num[f]!;
        if (valuesMeet(match.values, spans[0]![0], spans[spans.length - 1]![1])) return false;
      }
      return true;
    }
    case "address":
      for (let b = 0; b < set.length; b++) {
        const spans = match.direction === "src" ? set[b]!.src : set[b]!.dst;
        if (addressesMeet(match.values, spans[0]![0], spans[spans.length - 1]![1])) return false;
      }
      return true;
    case "interface": {
      const name = match.name;
      if (name.endsWith("+")) return false;
      const atom = interfaces.atomOf(name);
      const f = match.direction === "in" ? IN : OUT;
      for (let b = 0; b < set.length; b++) {
        const spans = set[b]!.num[f]!;
        if (atom >= spans[0]![0] && atom <= spans[spans.length - 1]![1]) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function valuesMeet(values: readonly (readonly [number, number])[], lo: number, hi: number): boolean {
  for (let k = 0; k < values.length; k++) {
    const span = values[k]!;
    if (span[0] <= hi && span[1] >= lo) return true;
  }
  return false;
}

function addressesMeet(values: readonly (readonly [bigint, bigint])[], lo: bigint, hi: bigint): boolean {
  for (let k = 0; k < values.length; k++) {
    const span = values[k]!;
    if (span[0] <= hi && span[1] >= lo) return true;
  }
  return false;
}

/** Past this width a rule's bound is not worth indexing: it is kept with the rules that have none. */
const NARROW_ADDRESSES = 1n << 16n;
const NARROW_NUMBERS = 1024;

interface Entry<T> {
  readonly lo: T;
  readonly hi: T;
  readonly index: number;
}

/** The rules of a chain along one dimension: those bounded narrowly, sorted by lower bound, and the rest. */
class Axis<T extends number | bigint> {
  readonly always: number[] = [];
  readonly narrow: Entry<T>[] = [];
  widest: T;

  constructor(zero: T) {
    this.widest = zero;
  }

  /** How many narrow entries may meet `[lo, hi]`, and where they start. */
  window(lo: T, hi: T): { first: number; end: number } {
    const narrow = this.narrow;
    const start = (lo as bigint) - (this.widest as bigint);
    let first = 0;
    let last = narrow.length;
    while (first < last) {
      const mid = (first + last) >>> 1;
      if (narrow[mid]!.lo < start) first = mid + 1;
      else last = mid;
    }
    let end = first;
    last = narrow.length;
    while (end < last) {
      const mid = (end + last) >>> 1;
      if (narrow[mid]!.lo <= hi) end = mid + 1;
      else last = mid;
    }
    return { first, end };
  }
}

/**
 * The rules of a long chain by source and destination address, protocol and destination port: a set aimed at a few
 * addresses or one port (kube-proxy's service chains, per-source firewall jumps) meets only the rules whose bounds
 * meet its own, in order, instead of every rule of the chain. Rules that never act (disabled, no target) are left out.
 */
export class RuleIndex {
  private static readonly byChain = new WeakMap<Chain, RuleIndex>();

  /** The index of a chain, built once: it depends on the model alone, so every question and packet space shares it. */
  static of(chain: Chain): RuleIndex {
    let index = RuleIndex.byChain.get(chain);
    if (index === undefined) RuleIndex.byChain.set(chain, (index = new RuleIndex(chain)));
    return index;
  }

  private readonly src = new Axis<bigint>(0n);
  private readonly dst = new Axis<bigint>(0n);
  private readonly proto = new Axis<number>(0);
  private readonly dport = new Axis<number>(0);
  /** Destination bounds as the first walk's index read them: for charging the work budget (see ChargedRules). */
  private readonly charged = new Axis<bigint>(0n);

  /** Built from the model's matches (or a deferred chain's bounds), not compiled rules: a 3,000-rule chain stays cheap. */
  constructor(chain: Chain) {
    const bounds = new RuleBounds();
    const deferred = unbuilt(chain);
    const count = ruleCount(chain);
    const acts = actingTest(chain);
    for (let index = 0; index < count; index++) {
      if (!acts(index)) continue;
      if (deferred !== undefined) deferred.bounds(index, bounds);
      else bounds.take(chain.rules[index]!);
      place(this.src, bounds.hasSrc, bounds.srcLo, bounds.srcHi, index, NARROW_ADDRESSES);
      place(this.dst, bounds.hasDst, bounds.dstLo, bounds.dstHi, index, NARROW_ADDRESSES);
      place(this.proto, bounds.hasProto, bounds.protoLo, bounds.protoHi, index, NARROW_NUMBERS);
      place(this.dport, bounds.hasDport, bounds.dportLo, bounds.dportHi, index, NARROW_NUMBERS);
      // The first walk's index read the same destination hull but left a rule whose hulls do not meet unbounded.
      place(this.charged, bounds.hasDst && bounds.dstLo <= bounds.dstHi, bounds.dstLo, bounds.dstHi, index, NARROW_ADDRESSES);
    }
    for (const axis of [this.src, this.dst, this.charged] as const) axis.narrow.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    for (const axis of [this.proto, this.dport] as const) axis.narrow.sort((a, b) => a.lo - b.lo);
  }

  /**
   * Indices (ascending, from `from` on) of the rules that may match a packet of `set`, along the dimension that leaves
   * the fewest; undefined when no dimension leaves fewer than `limit`.
   */
  candidates(set: PacketSet, from: number, limit: number): number[] | undefined {
    const first = set[0]!;
    let srcLo = first.src[0]![0];
    let srcHi = first.src[first.src.length - 1]![1];
    let dstLo = first.dst[0]![0];
    let dstHi = first.dst[first.dst.length - 1]![1];
    let protoLo = first.num[PROTO]![0]![0];
    let protoHi = first.num[PROTO]![first.num[PROTO]!.length - 1]![1];
    let dportLo = first.num[DPORT]![0]![0];
    let dportHi = first.num[DPORT]![first.num[DPORT]!.length - 1]![1];
    for (let b = 1; b < set.length; b++) {
      const box = set[b]!;
      if (box.src[0]![0] < srcLo) srcLo = box.src[0]![0];
      if (box.src[box.src.length - 1]![1] > srcHi) srcHi = box.src[box.src.length - 1]![1];
      if (box.dst[0]![0] < dstLo) dstLo = box.dst[0]![0];
      if (box.dst[box.dst.length - 1]![1] > dstHi) dstHi = box.dst[box.dst.length - 1]![1];
      const proto = box.num[PROTO]!;
      if (proto[0]![0] < protoLo) protoLo = proto[0]![0];
      if (proto[proto.length - 1]![1] > protoHi) protoHi = proto[proto.length - 1]![1];
      const dport = box.num[DPORT]!;
      if (dport[0]![0] < dportLo) dportLo = dport[0]![0];
      if (dport[dport.length - 1]![1] > dportHi) dportHi = dport[dport.length - 1]![1];
    }
    const src = this.src.window(srcLo, srcHi);
    const dst = this.dst.window(dstLo, dstHi);
    const proto = this.proto.window(protoLo, protoHi);
    const dport = this.dport.window(dportLo, dportHi);
    const srcCount = this.src.always.length + src.end - src.first;
    const dstCount = this.dst.always.length + dst.end - dst.first;
    const protoCount = this.proto.always.length + proto.end - proto.first;
    const dportCount = this.dport.always.length + dport.end - dport.first;
    const best = Math.min(srcCount, dstCount, protoCount, dportCount);
    if (best >= limit) return undefined;
    if (best === srcCount) return pick(this.src, src, srcLo, from);
    if (best === dstCount) return pick(this.dst, dst, dstLo, from);
    if (best === protoCount) return pick(this.proto, proto, protoLo, from);
    return pick(this.dport, dport, dportLo, from);
  }

  /** The loaded rules (ascending, from `from` on) the first walk's destination index gave for `[lo, hi]`. */
  chargedByDestination(lo: bigint, hi: bigint, from: number): number[] {
    return pick(this.charged, this.charged.window(lo, hi), lo, from);
  }
}

/** The rules of `axis` that are unbounded or meet `[lo, ...]` within `window`, from `from` on, ascending. */
function pick<T extends number | bigint>(axis: Axis<T>, window: { first: number; end: number }, lo: T, from: number): number[] {
  const out: number[] = [];
  const always = axis.always;
  for (let k = 0; k < always.length; k++) if (always[k]! >= from) out.push(always[k]!);
  const narrow = axis.narrow;
  let sorted = true;
  for (let k = window.first; k < window.end; k++) {
    const entry = narrow[k]!;
    if (entry.hi >= lo && entry.index >= from) {
      if (out.length > 0 && entry.index < out[out.length - 1]!) sorted = false;
      out.push(entry.index);
    }
  }
  return sorted ? out : out.sort((a, b) => a - b);
}

function place<T extends number | bigint>(axis: Axis<T>, bounded: boolean, lo: T, hi: T, index: number, narrowest: T): void {
  const width = (hi as bigint) - (lo as bigint);
  if (!bounded || width > (narrowest as bigint)) {
    axis.always.push(index);
    return;
  }
  axis.narrow.push({ lo, hi, index });
  if (width > (axis.widest as bigint)) axis.widest = width as T;
}

/**
 * A rule's plain bounds in the indexed fields: per field, the intersection of the hulls of its non-negated matches
 * (an empty intersection, lo > hi, is a rule that never matches). Reused from rule to rule: one pass over the matches.
 */
export class RuleBounds implements PlainBounds {
  hasSrc = false;
  srcLo = 0n;
  srcHi = 0n;
  hasDst = false;
  dstLo = 0n;
  dstHi = 0n;
  hasProto = false;
  protoLo = 0;
  protoHi = 0;
  hasDport = false;
  dportLo = 0;
  dportHi = 0;

  take(rule: Rule): void {
    this.hasSrc = this.hasDst = this.hasProto = this.hasDport = false;
    const matches = rule.matches;
    for (let m = 0; m < matches.length; m++) {
      const match = matches[m]!;
      if (match.negated) continue;
      // Value lists are sorted and non-overlapping (the model's contract): a hull is the first low and the last high.
      if (match.kind === "address") {
        const values = match.values;
        if (values.length === 0) continue;
        const lo = values[0]![0];
        const hi = values[values.length - 1]![1];
        if (match.direction === "src") {
          if (!this.hasSrc || lo > this.srcLo) this.srcLo = lo;
          if (!this.hasSrc || hi < this.srcHi) this.srcHi = hi;
          this.hasSrc = true;
        } else {
          if (!this.hasDst || lo > this.dstLo) this.dstLo = lo;
          if (!this.hasDst || hi < this.dstHi) this.dstHi = hi;
          this.hasDst = true;
        }
      } else if (match.kind === "field" && (match.field === "proto" || match.field === "dport")) {
        const values = match.values;
        if (values.length === 0) continue;
        const lo = values[0]![0];
        const hi = values[values.length - 1]![1];
        if (match.field === "proto") {
          if (!this.hasProto || lo > this.protoLo) this.protoLo = lo;
          if (!this.hasProto || hi < this.protoHi) this.protoHi = hi;
          this.hasProto = true;
        } else {
          if (!this.hasDport || lo > this.dportLo) this.dportLo = lo;
          if (!this.hasDport || hi < this.dportHi) this.dportHi = hi;
          this.hasDport = true;
        }
      }
    }
  }
}

/**
 * The rules the work budget is charged for, as the engine's first walk charged them: every loaded rule from the
 * item's position on, or, for a set aimed at a few addresses in an indexed chain, the rules the first destination
 * index left. Budget-limited answers ("analysis limit reached") so stay what they were, whatever the later shortcuts
 * skip or look at.
 */
export class ChargedRules {
  private static readonly NARROW = 1n << 16n;
  private static readonly byChain = new WeakMap<Chain, ChargedRules>();
  /** Positions of the loaded rules (not disabled, with a target): the only ones ever charged. */
  readonly loaded: number[] = [];

  static of(chain: Chain): ChargedRules {
    let charged = ChargedRules.byChain.get(chain);
    if (charged === undefined) ChargedRules.byChain.set(chain, (charged = new ChargedRules(chain)));
    return charged;
  }

  private constructor(chain: Chain) {
    const count = ruleCount(chain);
    const acts = actingTest(chain);
    for (let index = 0; index < count; index++) if (acts(index)) this.loaded.push(index);
  }

  /** The destination hull of `set` when it is narrow enough for the first walk's index; undefined otherwise. */
  static narrowDestination(set: PacketSet): readonly [bigint, bigint] | undefined {
    let lo = set[0]!.dst[0]![0];
    let hi = set[0]!.dst[set[0]!.dst.length - 1]![1];
    for (const box of set) {
      if (box.dst[0]![0] < lo) lo = box.dst[0]![0];
      if (box.dst[box.dst.length - 1]![1] > hi) hi = box.dst[box.dst.length - 1]![1];
    }
    return hi - lo > ChargedRules.NARROW ? undefined : [lo, hi];
  }
}
