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
import { actingTest, ruleAt, ruleCount, unbuilt } from "./chain-rules.js";
import { boundsExclude, ChargedRules, excludes, RuleBounds, RuleIndex } from "./rule-filter.js";

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
  call: boolean;
}

interface Frame {
  readonly chain: Chain;
  /** The set the chain was called with. */
  readonly set: PacketSet;
  /** How its results are remembered: "root" (a built-in chain: not at all), "first" call of the chain, or a set key. */
  readonly memo: string;
  readonly items: Item[];
  readonly results: WalkOutcome[];
  pending: Item | undefined;
}

/**
 * The walks of one user chain in one analysis. Most chains are called once (kube-proxy's and firewall generators'
 * thousands of per-service or per-source chains), so the first call is remembered by its set alone and set texts
 * are computed only once a chain is called again.
 */
interface ChainCalls {
  readonly firstSet: PacketSet;
  readonly firstResults: WalkOutcome[];
  byKey: Map<string, WalkOutcome[]> | undefined;
}

const ROOT = "root";
const FIRST = "first";

/** The rules one item's walk is charged for, in order: `loadedOnly` when every one of them counts. */
interface Ledger {
  /** Whether the rule at a position is loaded and has a target (see actingTest). */
  readonly acts: (index: number) => boolean;
  readonly order: readonly number[];
  next: number;
  readonly loadedOnly: boolean;
}

/** The first index of sorted `values` holding at least `value`. */
function firstAtLeast(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Work limit (box-rule evaluations) per analysis; past it the rest of the set is "maybe", never a guess. */
const DEFAULT_BUDGET = 20_000_000;

export interface WalkerOptions {
  /** Chains with at least this many rules are walked through a RuleIndex (default 64). */
  readonly indexChainsFrom?: number;
  /** Called for each rule whose matches select some packets of the walked set (surely or possibly). */
  readonly onRuleMatched?: (rule: Rule, chain: Chain, sure: boolean) => void;
  readonly budget?: number;
}

export class TableWalker {
  private readonly calls = new Map<Chain, ChainCalls>();
  /** Chains being walked (a call into one is a loop). */
  private readonly onStack = new Set<Chain>();
  private spent = 0;
  /** Scratch bounds of the deferred rule being passed (see boundsExclude). */
  private readonly bounds = new RuleBounds();

  constructor(
    private readonly space: PacketSpace,
    private readonly table: Table,
    /** The compiled rules of a chain, by position (filled on demand by the caller's compiler). */
    private readonly compiled: (chain: Chain) => (MatchSets | undefined)[],
    private readonly compile: (rule: Rule) => MatchSets,
    private readonly options: WalkerOptions = {},
  ) {}

  /** Walks `chain` (a built-in chain) with `set`. */
  walk(chain: Chain, set: PacketSet): WalkOutcome[] {
    const root = this.newFrame(chain, set, ROOT);
    const frames: Frame[] = [root];
    for (;;) {
      const frame = frames[frames.length - 1]!;
      const item = frame.items.pop();
      if (item === undefined) {
        frames.pop();
        capReturns(frame);
        this.onStack.delete(frame.chain);
        this.remember(frame);
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
      const rule = ruleAt(frame.chain, item.index);
      const target = rule.target as Extract<Target, { kind: "jump" | "goto" }>;
      const callee = this.table.chains.get(target.chain);
      if (callee === undefined || callee.builtin) {
        frame.results.push(this.verdict(item, "maybe", { kind: "rule", rule, chain: frame.chain }, `${target.kind} ${target.chain} (no such user chain)`, frame.chain, rule));
        continue;
      }
      if (this.onStack.has(callee)) {
        frame.results.push(this.verdict(item, "maybe", { kind: "rule", rule, chain: frame.chain }, `${target.kind} ${target.chain} (a loop: iptables refuses this ruleset)`, frame.chain, rule));
        continue;
      }
      let memo = FIRST;
      const calls = this.calls.get(callee);
      if (calls !== undefined) {
        if (calls.firstSet === item.set) {
          this.applyCall(frame, item, calls.firstResults);
          continue;
        }
        calls.byKey ??= new Map([[this.space.key(calls.firstSet), calls.firstResults]]);
        memo = this.space.key(item.set);
        const cached = calls.byKey.get(memo);
        if (cached !== undefined) {
          this.applyCall(frame, item, cached);
          continue;
        }
      }
      frame.pending = item;
      frames.push(this.newFrame(callee, item.set, memo));
    }
  }

  /** Keeps a finished call's results for later calls of its chain with the same set (built-in chains: not kept). */
  private remember(frame: Frame): void {
    if (frame.memo === ROOT) return;
    if (frame.memo === FIRST) this.calls.set(frame.chain, { firstSet: frame.set, firstResults: frame.results, byKey: undefined });
    else this.calls.get(frame.chain)!.byKey!.set(frame.memo, frame.results);
  }

  private indexOf(chain: Chain): RuleIndex | undefined {
    return ruleCount(chain) < (this.options.indexChainsFrom ?? 64) ? undefined : RuleIndex.of(chain);
  }

  private newFrame(chain: Chain, set: PacketSet, memo: string): Frame {
    this.onStack.add(chain);
    return { chain, set, memo, items: [{ set, index: 0, path: null, uncertain: false, call: false }], results: [], pending: undefined };
  }

  private applyCall(frame: Frame, item: Item, results: readonly WalkOutcome[]): void {
    const isGoto = ruleAt(frame.chain, item.index).target.kind === "goto";
    for (let r = 0; r < results.length; r++) {
      const outcome = results[r]!;
      const path = joinPaths(item.path, outcome.path);
      const uncertain = item.uncertain || outcome.uncertain;
      if (outcome.end === "return" && !isGoto) frame.items.push({ set: outcome.set, index: item.index + 1, path, uncertain, call: false });
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
    // A deferred chain's rules are built one by one, only those its rows' bounds do not rule out.
    const deferred = unbuilt(chain);
    const total = ruleCount(chain);
    let set = item.set;
    const interfaces = this.space.interfaces;
    const indices = this.indexOf(chain)?.candidates(set, item.index, (total - item.index) >>> 1);
    const count = indices ? indices.length : total - item.index;
    const compiled = this.compiled(chain);
    const ledger = this.ledger(chain, set, item.index);
    for (let k = 0; k < count; k++) {
      const i = indices ? indices[k]! : item.index + k;
      if (!ledger.acts(i)) continue;
      const exhausted = this.charge(ledger, i, set.length);
      if (exhausted >= 0) {
        const last = ruleAt(chain, exhausted);
        frame.results.push(this.verdict({ ...item, set }, "maybe", { kind: "rule", rule: last, chain }, "analysis limit reached", chain, last));
        return;
      }
      if (deferred !== undefined) {
        deferred.bounds(i, this.bounds);
        if (boundsExclude(this.bounds, set)) continue;
      }
      const rule = ruleAt(chain, i);
      if (excludes(rule, set, interfaces)) continue;
      const sets = compiled[i] ?? (compiled[i] = this.compile(rule));
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
      if (sure.length > 0) this.take(frame, rule, i, { set: sure, index: i, path: item.path, uncertain: item.uncertain, call: false }, false);
      if (maybe.length > 0) {
        if (isHarmless(rule.target)) {
          this.take(frame, rule, i, { set: maybe, index: i, path: item.path, uncertain: item.uncertain, call: false }, true);
        } else {
          this.take(frame, rule, i, { set: maybe, index: i, path: item.path, uncertain: true, call: false }, true);
          frame.items.push({ set: maybe, index: i + 1, path: item.path, uncertain: true, call: false });
        }
      }
      set = possibly.outside;
      if (set.length === 0) return;
    }
    const exhausted = this.charge(ledger, total - 1, set.length);
    if (exhausted >= 0) {
      const last = ruleAt(chain, exhausted);
      frame.results.push(this.verdict({ ...item, set }, "maybe", { kind: "rule", rule: last, chain }, "analysis limit reached", chain, last));
      return;
    }
    if (chain.builtin || chain.policy) {
      const policy = chain.policy?.verdict ?? "accept";
      frame.results.push(this.verdict({ ...item, set }, policy, { kind: "policy", chain }, `policy ${policy.toUpperCase()}`, chain));
    } else {
      frame.results.push({ set, path: item.path, uncertain: item.uncertain, end: "return" });
    }
  }

  /** The rules an item's walk is charged for (see ChargedRules), and how far charging got. */
  private ledger(chain: Chain, set: PacketSet, from: number): Ledger {
    const charged = ChargedRules.of(chain);
    const destination = ruleCount(chain) >= (this.options.indexChainsFrom ?? 64) ? ChargedRules.narrowDestination(set) : undefined;
    const acts = actingTest(chain);
    if (destination === undefined) return { acts, order: charged.loaded, next: firstAtLeast(charged.loaded, from), loadedOnly: true };
    return { acts, order: RuleIndex.of(chain).chargedByDestination(destination[0], destination[1], from), next: 0, loadedOnly: false };
  }

  /**
   * Charges `cost` for each rule of the ledger up to position `last`, as the first walk did rule by rule; the position
   * of the rule where the budget ran out, or -1.
   */
  private charge(ledger: Ledger, last: number, cost: number): number {
    const budget = this.options.budget ?? DEFAULT_BUDGET;
    const order = ledger.order;
    if (ledger.loadedOnly) {
      // Every rule of the run counts: charged at once, and the one where the budget runs out found by arithmetic.
      const end = firstAtLeast(order, last + 1);
      const count = end - ledger.next;
      if (count <= 0) return -1;
      if (this.spent + count * cost > budget) {
        // How many rules still fit (none once an earlier item ran the budget out): the next one runs it out.
        const fit = Math.max(0, Math.floor((budget - this.spent) / cost));
        this.spent += (fit + 1) * cost;
        ledger.next += fit + 1;
        return order[ledger.next - 1]!;
      }
      this.spent += count * cost;
      ledger.next = end;
      return -1;
    }
    while (ledger.next < order.length && order[ledger.next]! <= last) {
      const position = order[ledger.next++]!;
      if (!ledger.acts(position)) continue;
      this.spent += cost;
      if (this.spent > budget) return position;
    }
    return -1;
  }

  /** What rule `rule`'s target does to the packets `item.set` it matched. */
  private take(frame: Frame, rule: Rule, index: number, item: Item, mayMatch: boolean): void {
    const chain = frame.chain;
    const target = rule.target;
    const suffix = mayMatch ? " (may match)" : "";
    switch (target.kind) {
      case "verdict":
        frame.results.push(this.verdict(item, target.verdict, { kind: "rule", rule, chain }, target.verdict.toUpperCase() + suffix, chain, rule));
        return;
      case "opaque":
        frame.results.push(this.verdict(item, "maybe", { kind: "rule", rule, chain }, target.name + suffix, chain, rule));
        return;
      case "return":
        frame.results.push({ set: item.set, path: this.appendRuleStep(item.path, chain, rule, "RETURN" + suffix), uncertain: item.uncertain, end: "return" });
        return;
      case "jump":
      case "goto":
        frame.items.push({ set: item.set, index: item.index, path: this.appendRuleStep(item.path, chain, rule, `${target.kind} ${target.chain}${suffix}`), uncertain: item.uncertain, call: true });
        return;
      case "mark": {
        const clear = target.clearMask >>> 0;
        const set = item.set.map((b) => {
          const markCare = (b.markCare | clear) >>> 0;
          return { ...b, markCare, markValue: (((b.markValue & ~clear) ^ target.xorValue) & markCare) >>> 0 };
        });
        const action = `MARK xset 0x${(target.xorValue >>> 0).toString(16)}/0x${clear.toString(16)}${suffix}`;
        frame.items.push({ set, index: index + 1, path: this.appendRuleStep(item.path, chain, rule, action), uncertain: item.uncertain, call: false });
        return;
      }
      case "continue": {
        // CONNMARK --restore-mark copies the connection's mark, which the ruleset alone does not tell.
        const forgetsMark = target.name.toUpperCase() === "CONNMARK" && /restore/.test(target.options);
        const set = forgetsMark ? item.set.map((b) => ({ ...b, markValue: 0, markCare: 0 })) : item.set;
        frame.items.push({ set, index: index + 1, path: this.appendRuleStep(item.path, chain, rule, target.name + suffix), uncertain: item.uncertain, call: false });
        return;
      }
      case "none":
        // Counting rules are skipped by advance(): they neither decide nor leave a step.
        return;
      default:
        frame.results.push(this.natOutcome(item, rule, chain, target, suffix));
    }
  }

  private appendRuleStep(path: Path, chain: Chain, rule: Rule, action: string): Path {
    return appendStep(path, { table: this.table.name, chain, rule, action });
  }

  private natOutcome(item: Item, rule: Rule, chain: Chain, target: NatTarget, suffix: string): WalkOutcome {
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
    const step: TraceStep = { table: this.table.name, chain, rule, action: action + suffix };
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
  let count = 0;
  for (let r = 0; r < frame.results.length; r++) if (frame.results[r]!.end === "return") count++;
  if (count <= MAX_RETURNS) return;
  const returns = frame.results.filter((o) => o.end === "return");
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
