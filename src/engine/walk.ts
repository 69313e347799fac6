// Walking one table's chains with a packet set: rule order, jump/goto/RETURN, policies, marks, NAT rewrites.
// An explicit frame stack replaces recursion (10,000-deep jump chains are fine), every call of a chain with a given
// input set is walked once per analysis (memoized), and a jump into a chain already being walked is a loop, which
// iptables refuses to load: that part becomes "maybe".

import type { Chain, NatTarget, Rule, Table, Target } from "../model/firewall.js";
import { formatAddress } from "./addresses.js";
import type { Decider, Outcome, TraceStep } from "./api.js";
import type { MatchSets } from "./match-sets.js";
import { FIELD_INDEX, PORT_PROTOCOLS, type Box, type PacketSet, type PacketSpace } from "./packet-set.js";
import { numberSpans } from "./interval-set.js";

/** A path as a tree of appends and concatenations, so that joining a callee's path to its caller's is O(1). */
export type Path = null | { readonly step: TraceStep; readonly prev: Path } | { readonly left: Path; readonly right: Path };

export function appendStep(path: Path, step: TraceStep): Path {
  return { step, prev: path };
}

export function joinPaths(left: Path, right: Path): Path {
  if (right === null) return left;
  if (left === null) return right;
  return { left, right };
}

/** Paths longer than this are cut (a chain jumped twice per level doubles the path per level). */
export const MAX_PATH_STEPS = 20_000;

/** The steps of a path in order; cut after MAX_PATH_STEPS with a last step that says so. */
export function flattenPath(path: Path): TraceStep[] {
  const out: TraceStep[] = [];
  const stack: (Path | { readonly emit: TraceStep })[] = [path];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === null) continue;
    if ("emit" in node) {
      if (out.length === MAX_PATH_STEPS) {
        out.push({ ...node.emit, action: "... (path cut: too many steps)" }, lastStep(path)!);
        break;
      }
      out.push(node.emit);
    } else if ("step" in node) {
      stack.push({ emit: node.step }, node.prev);
    } else {
      stack.push(node.right, node.left);
    }
  }
  return out;
}

function lastStep(path: Path): TraceStep | undefined {
  let node = path;
  while (node !== null && !("step" in node)) node = node.right;
  return node?.step;
}

export interface NatRewrite {
  readonly rule: Rule;
  readonly kind: NatTarget["kind"];
  /** `192.0.2.10:500`, `:8080`. */
  readonly to: string;
  /** DNAT to a different address: the routing decision then forwards the packet. */
  readonly changedAddress: boolean;
}

/** How a part of the input set leaves a chain walk. */
export interface WalkOutcome {
  readonly set: PacketSet;
  readonly path: Path;
  /** The part went through an opaque match one way or the other: other packets of it may fare differently. */
  readonly uncertain: boolean;
  /** `return`: back to the caller (for a built-in chain at the top: its policy). */
  readonly end: "return" | "verdict";
  readonly verdict?: Outcome;
  readonly decider?: Decider;
  readonly nat?: NatRewrite;
}

interface Item {
  set: PacketSet;
  index: number;
  path: Path;
  uncertain: boolean;
  /** Set when `set` is about to enter the jump/goto target of rule `index`. */
  call?: boolean;
}

interface Frame {
  readonly chain: Chain;
  readonly key: string;
  readonly items: Item[];
  readonly results: WalkOutcome[];
  pending?: Item;
}

/** Work limit (box-rule evaluations) per analysis; past it the rest of the set is "maybe", never a guess. */
const DEFAULT_BUDGET = 20_000_000;

/**
 * True when the rule names protocols none of the set's packets has: such a rule cannot match, and the walk skips it
 * without compiling it (a UDP question passes thousands of kube-proxy TCP rules).
 */
function missesProtocol(rule: Rule, set: PacketSet): boolean {
  for (const match of rule.matches) {
    if (match.kind !== "field" || match.field !== "proto" || match.negated) continue;
    for (const box of set) if (numberSpans.overlap(box.num[FIELD_INDEX.proto]!, match.values)) return false;
    return true;
  }
  return false;
}

/** The destination range a rule can match at most, from its plain (non-negated) destination matches; undefined: any. */
function destinationBounds(rule: Rule): readonly [bigint, bigint] | undefined {
  let bounds: [bigint, bigint] | undefined;
  for (const match of rule.matches) {
    if (match.kind !== "address" || match.direction !== "dst" || match.negated || match.values.length === 0) continue;
    const lo = match.values[0]![0];
    const hi = match.values[match.values.length - 1]![1];
    bounds = bounds === undefined ? [lo, hi] : [lo > bounds[0] ? lo : bounds[0], hi < bounds[1] ? hi : bounds[1]];
  }
  return bounds !== undefined && bounds[0] <= bounds[1] ? bounds : undefined;
}

/**
 * The rules of a long chain by destination address: a set aimed at a few addresses (kube-proxy's service chains)
 * meets only the rules that may match it, in order, instead of every rule of the chain.
 */
export class RuleIndex {
  private static readonly NARROW = 1n << 16n;
  private readonly always: number[] = [];
  private readonly narrow: { readonly lo: bigint; readonly hi: bigint; readonly index: number }[] = [];
  private widest = 0n;

  /** Built from the model's destination matches, not compiled rules: indexing a 3,000-rule chain stays cheap. */
  constructor(rules: readonly Rule[]) {
    rules.forEach((rule, index) => {
      const bounds = destinationBounds(rule);
      if (bounds === undefined || bounds[1] - bounds[0] > RuleIndex.NARROW) this.always.push(index);
      else {
        this.narrow.push({ lo: bounds[0], hi: bounds[1], index });
        if (bounds[1] - bounds[0] > this.widest) this.widest = bounds[1] - bounds[0];
      }
    });
    this.narrow.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  }

  /** The destination addresses of `set` when they are few enough for an index to help; undefined otherwise. */
  static narrowDestination(set: PacketSet): readonly [bigint, bigint] | undefined {
    let lo = set[0]!.dst[0]![0];
    let hi = set[0]!.dst[set[0]!.dst.length - 1]![1];
    for (const box of set) {
      if (box.dst[0]![0] < lo) lo = box.dst[0]![0];
      if (box.dst[box.dst.length - 1]![1] > hi) hi = box.dst[box.dst.length - 1]![1];
    }
    return hi - lo > RuleIndex.NARROW ? undefined : [lo, hi];
  }

  /** Indices (ascending, from `from` on) of the rules that may match a packet sent to an address in `[lo, hi]`. */
  candidates([lo, hi]: readonly [bigint, bigint], from: number): number[] {
    const out = this.always.filter((i) => i >= from);
    let first = 0;
    let last = this.narrow.length;
    const start = lo - this.widest;
    while (first < last) {
      const mid = (first + last) >>> 1;
      if (this.narrow[mid]!.lo < start) first = mid + 1;
      else last = mid;
    }
    for (let k = first; k < this.narrow.length && this.narrow[k]!.lo <= hi; k++) {
      const entry = this.narrow[k]!;
      if (entry.hi >= lo && entry.index >= from) out.push(entry.index);
    }
    return out.sort((a, b) => a - b);
  }
}

export interface WalkerOptions {
  /** Chains with at least this many rules are walked through a RuleIndex (default 64). */
  readonly indexChainsFrom?: number;
  /** Where the indexes live (per packet space, so later questions reuse them); without it chains are not indexed. */
  readonly indexes?: Map<Chain, RuleIndex>;
  /** Called for each rule whose matches select some packets of the walked set (surely or possibly). */
  readonly onRuleMatched?: (rule: Rule, chain: Chain, sure: boolean) => void;
  readonly budget?: number;
}

export class TableWalker {
  private readonly cache = new Map<string, WalkOutcome[]>();
  private readonly onStack = new Map<string, number>();
  private spent = 0;

  constructor(
    private readonly space: PacketSpace,
    private readonly table: Table,
    private readonly compiled: (rule: Rule) => MatchSets,
    private readonly options: WalkerOptions = {},
  ) {}

  /** Walks `chain` (a built-in chain) with `set`. */
  walk(chain: Chain, set: PacketSet): WalkOutcome[] {
    const root = this.newFrame(chain, set, "");
    const frames: Frame[] = [root];
    for (;;) {
      const frame = frames[frames.length - 1]!;
      const item = frame.items.pop();
      if (item === undefined) {
        frames.pop();
        capReturns(frame);
        this.onStack.set(frame.chain.name, this.onStack.get(frame.chain.name)! - 1);
        if (frame.key !== "") this.cache.set(frame.key, frame.results);
        const parent = frames[frames.length - 1];
        if (parent === undefined) return frame.results;
        this.applyCall(parent, parent.pending!, frame.results);
        parent.pending = undefined;
        continue;
      }
      if (!item.call) {
        this.advance(frame, item);
        continue;
      }
      const rule = frame.chain.rules[item.index]!;
      const target = rule.target as Extract<Target, { kind: "jump" | "goto" }>;
      const callee = this.table.chains.get(target.chain);
      if (callee === undefined || callee.builtin) {
        frame.results.push(this.verdict(item, "maybe", { kind: "rule", rule, chain: frame.chain }, `${target.kind} ${target.chain} (no such user chain)`, frame.chain, rule));
        continue;
      }
      if ((this.onStack.get(callee.name) ?? 0) > 0) {
        frame.results.push(this.verdict(item, "maybe", { kind: "rule", rule, chain: frame.chain }, `${target.kind} ${target.chain} (a loop: iptables refuses this ruleset)`, frame.chain, rule));
        continue;
      }
      const key = `${callee.name}\n${this.space.key(item.set)}`;
      const cached = this.cache.get(key);
      if (cached !== undefined) {
        this.applyCall(frame, item, cached);
        continue;
      }
      frame.pending = item;
      frames.push(this.newFrame(callee, item.set, key));
    }
  }

  private indexOf(chain: Chain): RuleIndex | undefined {
    const from = this.options.indexChainsFrom ?? 64;
    if (chain.rules.length < from || !this.options.indexes) return undefined;
    let index = this.options.indexes.get(chain);
    if (index === undefined) this.options.indexes.set(chain, (index = new RuleIndex(chain.rules)));
    return index;
  }

  private newFrame(chain: Chain, set: PacketSet, key: string): Frame {
    this.onStack.set(chain.name, (this.onStack.get(chain.name) ?? 0) + 1);
    return { chain, key, items: [{ set, index: 0, path: null, uncertain: false }], results: [] };
  }

  private applyCall(frame: Frame, item: Item, results: readonly WalkOutcome[]): void {
    const isGoto = frame.chain.rules[item.index]!.target.kind === "goto";
    for (const outcome of results) {
      const path = joinPaths(item.path, outcome.path);
      const uncertain = item.uncertain || outcome.uncertain;
      if (outcome.end === "return" && !isGoto) frame.items.push({ set: outcome.set, index: item.index + 1, path, uncertain });
      else frame.results.push({ ...outcome, path, uncertain });
    }
  }

  private verdict(item: Item, verdict: Outcome, decider: Decider, action: string, chain: Chain, rule?: Rule): WalkOutcome {
    const step: TraceStep = rule ? { table: this.table.name, chain, rule, action } : { table: this.table.name, chain, action };
    return { set: item.set, path: appendStep(item.path, step), uncertain: item.uncertain, end: "verdict", verdict, decider };
  }

  /** Walks `item` down its chain until it has all left (to verdicts, calls or further items). */
  private advance(frame: Frame, item: Item): void {
    const chain = frame.chain;
    const rules = chain.rules;
    let set = item.set;
    const budget = this.options.budget ?? DEFAULT_BUDGET;
    const destination = RuleIndex.narrowDestination(set);
    const indices = destination && this.indexOf(chain)?.candidates(destination, item.index);
    const count = indices ? indices.length : rules.length - item.index;
    for (let k = 0; k < count; k++) {
      const i = indices ? indices[k]! : item.index + k;
      const rule = rules[i]!;
      if (rule.disabled || rule.target.kind === "none") continue;
      this.spent += set.length;
      if (this.spent > budget) {
        frame.results.push(this.verdict({ ...item, set }, "maybe", { kind: "rule", rule, chain }, "analysis limit reached", chain, rule));
        return;
      }
      if (missesProtocol(rule, set)) continue;
      const sets = this.compiled(rule);
      if (!this.space.touches(set, sets.possible)) continue;
      const possibly = this.space.split(set, sets.possible);
      if (possibly.inside.length === 0) continue;
      let sure = possibly.inside;
      let maybe: PacketSet = [];
      if (sets.sure !== sets.possible) {
        const s = this.space.split(possibly.inside, sets.sure);
        sure = s.inside;
        maybe = s.outside;
      }
      this.options.onRuleMatched?.(rule, chain, sure.length > 0);
      if (sure.length > 0) this.take(frame, rule, i, { set: sure, index: i, path: item.path, uncertain: item.uncertain }, false);
      if (maybe.length > 0) {
        if (isHarmless(rule.target)) {
          this.take(frame, rule, i, { set: maybe, index: i, path: item.path, uncertain: item.uncertain }, true);
        } else {
          this.take(frame, rule, i, { set: maybe, index: i, path: item.path, uncertain: true }, true);
          frame.items.push({ set: maybe, index: i + 1, path: item.path, uncertain: true });
        }
      }
      set = possibly.outside;
      if (set.length === 0) return;
    }
    if (chain.builtin || chain.policy) {
      const policy = chain.policy?.verdict ?? "accept";
      frame.results.push(this.verdict({ ...item, set }, policy, { kind: "policy", chain }, `policy ${policy.toUpperCase()}`, chain));
    } else {
      frame.results.push({ set, path: item.path, uncertain: item.uncertain, end: "return" });
    }
  }

  /** What rule `rule`'s target does to the packets `item.set` it matched. */
  private take(frame: Frame, rule: Rule, index: number, item: Item, mayMatch: boolean): void {
    const chain = frame.chain;
    const target = rule.target;
    const label = (action: string) => (mayMatch ? `${action} (may match)` : action);
    const step = (action: string): TraceStep => ({ table: this.table.name, chain, rule, action: label(action) });
    const decider: Decider = { kind: "rule", rule, chain };
    switch (target.kind) {
      case "verdict":
        frame.results.push(this.verdict(item, target.verdict, decider, label(target.verdict.toUpperCase()), chain, rule));
        return;
      case "opaque":
        frame.results.push(this.verdict(item, "maybe", decider, label(target.name), chain, rule));
        return;
      case "return":
        frame.results.push({ set: item.set, path: appendStep(item.path, step("RETURN")), uncertain: item.uncertain, end: "return" });
        return;
      case "jump":
      case "goto":
        frame.items.push({ ...item, path: appendStep(item.path, step(`${target.kind} ${target.chain}`)), call: true });
        return;
      case "mark": {
        const clear = target.clearMask >>> 0;
        const set = item.set.map((b) => {
          const markCare = (b.markCare | clear) >>> 0;
          return { ...b, markCare, markValue: (((b.markValue & ~clear) ^ target.xorValue) & markCare) >>> 0 };
        });
        frame.items.push({ ...item, set, index: index + 1, path: appendStep(item.path, step(`MARK xset 0x${(target.xorValue >>> 0).toString(16)}/0x${clear.toString(16)}`)) });
        return;
      }
      case "continue": {
        // CONNMARK --restore-mark copies the connection's mark, which the ruleset alone does not tell.
        const forgetsMark = target.name.toUpperCase() === "CONNMARK" && /restore/.test(target.options);
        const set = forgetsMark ? item.set.map((b) => ({ ...b, markValue: 0, markCare: 0 })) : item.set;
        frame.items.push({ ...item, set, index: index + 1, path: appendStep(item.path, step(target.name)) });
        return;
      }
      case "none":
        // Counting rules are skipped by advance(): they neither decide nor leave a step.
        return;
      default:
        frame.results.push(this.natOutcome(item, rule, chain, target, label));
    }
  }

  private natOutcome(item: Item, rule: Rule, chain: Chain, target: NatTarget, label: (a: string) => string): WalkOutcome {
    const family = this.space.family;
    const addr = target.toAddresses;
    const ports = target.toPorts;
    const rewritesDst = target.kind === "dnat" || target.kind === "redirect";
    let set = item.set;
    let changedAddress = false;
    if (rewritesDst) {
      const dport = FIELD_INDEX.dport;
      set = set.map((b) => {
        let next: Box = b.pre ? b : { ...b, pre: { dst: b.dst, dport: b.num[dport]!, out: b.num[FIELD_INDEX.out]! } };
        if (target.kind === "dnat" && addr) {
          const [lo, hi] = addr;
          if (!(b.dst.length === 1 && b.dst[0]![0] === lo && b.dst[0]![1] === hi && lo === hi)) changedAddress = true;
          next = { ...next, dst: [[lo, hi]] };
        }
        if (ports && numberSpans.within(b.num[FIELD_INDEX.proto]!, PORT_PROTOCOLS)) {
          const num = next.num.slice();
          num[dport] = [ports];
          next = { ...next, num };
        }
        return next;
      });
    }
    const where =
      (addr ? (addr[0] === addr[1] ? formatAddress(addr[0], family) : `${formatAddress(addr[0], family)}-${formatAddress(addr[1], family)}`) : "") +
      (ports ? (ports[0] === ports[1] ? `:${ports[0]}` : `:${ports[0]}-${ports[1]}`) : "");
    const action = `${target.kind.toUpperCase()}${where ? ` ${where}` : ""}`;
    const step: TraceStep = { table: this.table.name, chain, rule, action: label(action) };
    return {
      set,
      path: appendStep(item.path, step),
      uncertain: item.uncertain,
      end: "verdict",
      verdict: "accept",
      decider: { kind: "rule", rule, chain },
      nat: { rule, kind: target.kind, to: where, changedAddress },
    };
  }
}

/** Past this many ways back to the caller, a frame's returns are merged (verdicts stay exact, paths are summarized). */
const MAX_RETURNS = 64;

function capReturns(frame: Frame): void {
  const returns = frame.results.filter((o) => o.end === "return");
  if (returns.length <= MAX_RETURNS) return;
  const kept = frame.results.filter((o) => o.end !== "return");
  for (const uncertain of [false, true]) {
    const group = returns.filter((o) => o.uncertain === uncertain);
    if (group.length === 0) continue;
    const step: TraceStep = { table: frame.chain.table, chain: frame.chain, action: `return (${group.length} paths through ${frame.chain.name} merged)` };
    kept.push({ set: group.flatMap((o) => o.set), path: appendStep(null, step), uncertain, end: "return" });
  }
  frame.results.length = 0;
  for (const outcome of kept) frame.results.push(outcome);
}

/** Targets that neither decide nor change the packet: a "may match" on them changes nothing but the trace. */
function isHarmless(target: Target): boolean {
  return target.kind === "continue" && !(target.name.toUpperCase() === "CONNMARK" && /restore/.test(target.options));
}
