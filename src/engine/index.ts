// The engine: which packets of a query a ruleset accepts, drops or rejects, with the deciding rules and paths,
// following netfilter's hooks (raw, mangle, nat with DNAT and the routing decision, filter, security).

import type { Chain, Rule, Ruleset, TableName } from "../model/firewall.js";
import type { Analysis, Decider, OutcomePart, PacketQuery, TraceStep } from "./api.js";
import { ruleCount } from "./chain-rules.js";
import { describeSet } from "./describe.js";
import { bigintSpans, numberSpans, type Spans } from "./interval-set.js";
import { ruleSets, type MatchSets } from "./match-sets.js";
import { FIELDS, InterfaceDomain, PacketSpace, type Box, type PacketSet } from "./packet-set.js";
import { queryFamily, queryInterfaces, querySet } from "./query.js";
import { surveyRuleset } from "./survey.js";
import { flattenPath, joinPaths, TableWalker, type NatRewrite, type Path } from "./walk.js";

export type * from "./api.js";
export { describeSet } from "./describe.js";
export { parsePacketSpec, type PacketSpecResult } from "./query.js";
export type { PacketSet, PacketSpace } from "./packet-set.js";
export { surveyRuleset, type PickedRule, type RulePicker, type RulesetSurvey } from "./survey.js";

type Stage = readonly [TableName, string];
type Route = "prerouting" | "input" | "forward" | "output";

/** Tables in netfilter priority order at each hook (net/ipv4/netfilter, NF_IP_PRI_*). */
const ROUTES: Readonly<Record<Route, readonly Stage[]>> = {
  prerouting: [
    ["raw", "PREROUTING"],
    ["mangle", "PREROUTING"],
    ["nat", "PREROUTING"],
  ],
  input: [
    ["mangle", "INPUT"],
    ["filter", "INPUT"],
    ["security", "INPUT"],
    ["nat", "INPUT"],
  ],
  forward: [
    ["mangle", "FORWARD"],
    ["filter", "FORWARD"],
    ["security", "FORWARD"],
    ["mangle", "POSTROUTING"],
    ["nat", "POSTROUTING"],
  ],
  output: [
    ["raw", "OUTPUT"],
    ["mangle", "OUTPUT"],
    ["nat", "OUTPUT"],
    ["filter", "OUTPUT"],
    ["security", "OUTPUT"],
    ["mangle", "POSTROUTING"],
    ["nat", "POSTROUTING"],
  ],
};

interface Compiled {
  readonly space: PacketSpace;
  /** Compiled rules per chain, by position, filled as walks meet them. */
  readonly chains: Map<Chain, (MatchSets | undefined)[]>;
}

const compiledByRuleset = new WeakMap<Ruleset, Map<string, Compiled>>();

/** The packet space of a ruleset (plus interface names a query adds), with its compiled rules; cached. */
function compile(ruleset: Ruleset, extraNames: readonly string[]): Compiled {
  const survey = surveyRuleset(ruleset);
  const names = survey.interfaceNames;
  const missing = [...new Set(extraNames.filter((n) => !names.has(n)))].sort();
  const key = missing.join("\n");
  let byKey = compiledByRuleset.get(ruleset);
  if (!byKey) compiledByRuleset.set(ruleset, (byKey = new Map()));
  let compiled = byKey.get(key);
  if (!compiled) {
    compiled = { space: new PacketSpace(ruleset.family, new InterfaceDomain([...names, ...missing], survey.interfacePrefixes)), chains: new Map() };
    byKey.set(key, compiled);
  }
  return compiled;
}

export interface AnalyzeOptions {
  /** Called for every rule that selects some packets of the set on their way (surely, or only possibly). */
  readonly onRuleMatched?: (rule: Rule, chain: Chain, sure: boolean) => void;
  /** Work limit in box-rule evaluations (default 20 million); past it the rest of the set is "maybe". */
  readonly budget?: number;
  /** Chains with at least this many rules are walked through a destination index (default 64). */
  readonly indexChainsFrom?: number;
}

interface Flow {
  readonly set: PacketSet;
  readonly path: Path;
  readonly uncertain: boolean;
  readonly route: Route;
  readonly stage: number;
  readonly decider?: Decider;
  readonly filterDecider?: Decider;
  readonly dnat?: NatRewrite;
}

interface Finished {
  readonly set: PacketSet;
  readonly verdict: Analysis["verdict"];
  readonly decider: Decider;
  readonly path: Path;
  readonly uncertain: boolean;
  readonly dnat?: NatRewrite;
}

const answersByRuleset = new WeakMap<Ruleset, Map<string, Analysis>>();

/** The same question however its fields were ordered, so every asker shares one answer. */
function queryKey(query: PacketQuery): string {
  const fields = Object.keys(query).sort() as (keyof PacketQuery)[];
  return fields.map((field) => `${field}=${JSON.stringify(query[field])}`).join(";");
}

/**
 * Which packets of `query` the ruleset accepts, drops or rejects, with the deciding rules and paths. Answers to plain
 * questions (no options) are kept per ruleset: the model does not change once read, and checks ask alike.
 */
export function analyze(ruleset: Ruleset, query: PacketQuery, options: AnalyzeOptions = {}): Analysis {
  if (options.onRuleMatched !== undefined || options.budget !== undefined || options.indexChainsFrom !== undefined) return answer(ruleset, query, options);
  let answers = answersByRuleset.get(ruleset);
  if (!answers) answersByRuleset.set(ruleset, (answers = new Map()));
  const key = queryKey(query);
  let analysis = answers.get(key);
  if (!analysis) answers.set(key, (analysis = answer(ruleset, query, options)));
  return analysis;
}

function answer(ruleset: Ruleset, query: PacketQuery, options: AnalyzeOptions): Analysis {
  const family = queryFamily(query);
  if (family !== undefined && family !== ruleset.family) return { verdict: "maybe", parts: [] };
  const { space, chains } = compile(ruleset, queryInterfaces(query));
  const start = querySet(space, query);
  if (start === undefined) return { verdict: "maybe", parts: [] };
  const compiledOf = (chain: Chain): (MatchSets | undefined)[] => {
    let sets = chains.get(chain);
    if (!sets) chains.set(chain, (sets = new Array<MatchSets | undefined>(ruleCount(chain))));
    return sets;
  };
  const compileRule = (rule: Rule): MatchSets => ruleSets(space, rule);
  const walkers = new Map<TableName, TableWalker>();
  const walkerOf = (table: TableName) => {
    let walker = walkers.get(table);
    if (!walker) walkers.set(table, (walker = new TableWalker(space, ruleset.tables.get(table)!, compiledOf, compileRule, options)));
    return walker;
  };
  const newOnly = [space.box({ ctState: [[1, 1]] })];
  const realOut = numberSpans.subtract(space.domainOf("out"), space.interfaces.atomsOf(""));
  const queriedOut = query.out === undefined ? realOut : space.interfaces.atomsOf(query.out);

  const finished: Finished[] = [];
  // Flows wait per (route, stage) and are taken in hook order, so flows that meet at a stage can be merged there.
  const waiting = new Map<string, Flow[]>();
  const flows = {
    push(flow: Flow): void {
      const key = `${ROUTE_ORDER[flow.route]}|${String(flow.stage).padStart(2, "0")}|${flow.route}`;
      const list = waiting.get(key);
      if (list) list.push(flow);
      else waiting.set(key, [flow]);
    },
    nextBatch(): Flow[] | undefined {
      if (waiting.size === 0) return undefined;
      const key = [...waiting.keys()].sort()[0]!;
      const batch = waiting.get(key)!;
      waiting.delete(key);
      return batch.length > MERGE_FLOWS_AT ? mergeFlows(space, batch) : batch;
    },
  };
  flows.push({ set: [start], path: null, uncertain: false, route: query.hook === "output" ? "output" : "prerouting", stage: 0 });
  for (let batch = flows.nextBatch(); batch !== undefined; batch = flows.nextBatch()) for (const flow of batch) {
    const stages = ROUTES[flow.route];
    if (flow.stage >= stages.length) {
      if (flow.route === "prerouting") {
        const forward = query.hook === "forward" || flow.dnat?.changedAddress === true;
        // Routed on: a packet bound for the box had no output interface; forwarded, it has one.
        const set = forward && query.hook === "input" ? flow.set.map((b) => ({ ...b, num: b.num.map((f, i) => (i === 10 ? queriedOut : f)) })) : flow.set;
        flows.push({ ...flow, set, route: forward ? "forward" : "input", stage: 0 });
      } else {
        finished.push({ set: flow.set, verdict: "accept", decider: flow.filterDecider ?? flow.decider ?? implicitDecider(ruleset, query), path: flow.path, uncertain: flow.uncertain, ...(flow.dnat ? { dnat: flow.dnat } : {}) });
      }
      continue;
    }
    const [tableName, chainName] = stages[flow.stage]!;
    const chain = ruleset.tables.get(tableName)?.chains.get(chainName);
    if (!chain || (ruleCount(chain) === 0 && (chain.policy?.verdict ?? "accept") === "accept")) {
      flows.push({ ...flow, stage: flow.stage + 1 });
      continue;
    }
    let walked: PacketSet = flow.set;
    if (tableName === "nat") {
      // Only the first packet of a connection meets the nat table; later ones reuse its translation.
      const parts = space.split(flow.set, newOnly);
      walked = parts.inside;
      if (parts.outside.length > 0) flows.push({ ...flow, set: parts.outside, stage: flow.stage + 1 });
      if (walked.length === 0) continue;
    }
    for (const outcome of walkerOf(tableName).walk(chain, walked)) {
      const path = joinPaths(flow.path, outcome.path);
      const uncertain = flow.uncertain || outcome.uncertain;
      let verdict = outcome.verdict;
      let decider = outcome.decider;
      let stepPath = path;
      if (outcome.end === "return") {
        // RETURN from a built-in chain, or falling off a chain reached by goto from it: the built-in policy.
        verdict = chain.policy?.verdict ?? "accept";
        decider = { kind: "policy", chain };
        stepPath = { step: { table: tableName, chain, action: `policy ${verdict.toUpperCase()}` }, prev: path };
      }
      if (verdict === "accept") {
        const dnat = outcome.nat && (outcome.nat.kind === "dnat" || outcome.nat.kind === "redirect") ? outcome.nat : flow.dnat;
        flows.push({
          set: outcome.set,
          path: stepPath,
          uncertain,
          route: flow.route,
          stage: flow.stage + 1,
          decider: decider!,
          ...(tableName === "filter" ? { filterDecider: decider! } : flow.filterDecider ? { filterDecider: flow.filterDecider } : {}),
          ...(dnat ? { dnat } : {}),
        });
      } else {
        finished.push({ set: outcome.set, verdict: verdict!, decider: decider!, path: stepPath, uncertain, ...(flow.dnat ? { dnat: flow.dnat } : {}) });
      }
    }
  }
  return summarize(space, finished, start);
}

const ROUTE_ORDER: Readonly<Record<Route, number>> = { prerouting: 0, output: 0, input: 1, forward: 1 };

/** Past this many flows meeting at one stage, flows with the same fate so far are merged (paths get summarized). */
const MERGE_FLOWS_AT = 32;

/**
 * Merges flows that reached a stage with the same decider, NAT and certainty: their sets are unioned (and coalesced),
 * so the later tables are walked once instead of once per way. The verdicts stay exact; the merged path is the
 * first flow's, with a step saying how many ways joined.
 */
function mergeFlows(space: PacketSpace, batch: readonly Flow[]): Flow[] {
  const groups = new Map<string, Flow[]>();
  const out: Flow[] = [];
  for (const flow of batch) {
    if (!flow.decider) {
      out.push(flow);
      continue;
    }
    const key = [flow.uncertain, deciderKey(flow.decider), flow.filterDecider ? deciderKey(flow.filterDecider) : "-", flow.dnat ? `${deciderKey({ kind: "rule", rule: flow.dnat.rule, chain: flow.decider.chain })}>${flow.dnat.to}` : "-"].join("|");
    const group = groups.get(key);
    if (group) group.push(flow);
    else groups.set(key, [flow]);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.length === 1) {
      out.push(first);
      continue;
    }
    const chain = first.decider!.chain;
    const step: TraceStep = { table: chain.table, chain, action: `(${group.length} ways with different paths joined here; the first is shown)` };
    out.push({ ...first, set: coalesce(space, group.flatMap((f) => f.set)), path: { step, prev: first.path } });
  }
  return out;
}

/** Joins boxes that differ in one field only (many DNAT'ed or split parts differ just in their addresses). */
function coalesce(space: PacketSpace, set: PacketSet): PacketSet {
  if (set.length <= 8) return set;
  let boxes: Box[] = [...set];
  const texts = new Map<Spans<number> | Spans<bigint>, string>();
  let parts = boxes.map((box) => space.keyParts(box, texts));
  const SRC = FIELDS.length;
  const DST = FIELDS.length + 1;
  for (const field of [DST, SRC, ...FIELDS.map((_, i) => i)]) {
    const byRest = new Map<string, number[]>();
    for (let b = 0; b < boxes.length; b++) {
      const own = parts[b]!;
      let key = "";
      for (let p = 0; p < own.length; p++) key += (p === field ? "" : own[p]!) + "|";
      const list = byRest.get(key);
      if (list) list.push(b);
      else byRest.set(key, [b]);
    }
    if (byRest.size === boxes.length) continue;
    const merged: Box[] = [];
    const mergedParts: string[][] = [];
    for (const list of byRest.values()) {
      const first = boxes[list[0]!]!;
      if (list.length === 1) {
        merged.push(first);
        mergedParts.push(parts[list[0]!]!);
        continue;
      }
      let box: Box;
      if (field === SRC || field === DST) {
        const key = field === SRC ? "src" : "dst";
        box = { ...first, [key]: bigintSpans.normalize(list.flatMap((b) => boxes[b]![key])) };
      } else {
        const num = first.num.slice();
        num[field] = numberSpans.normalize(list.flatMap((b) => boxes[b]!.num[field]!));
        box = { ...first, num };
      }
      merged.push(box);
      mergedParts.push(space.keyParts(box, texts));
    }
    boxes = merged;
    parts = mergedParts;
  }
  return boxes;
}

/** With no chain on the way at all, the kernel's default: accept, "decided" by the built-in policy of the hook. */
function implicitDecider(ruleset: Ruleset, query: PacketQuery): Decider {
  const name = query.hook.toUpperCase();
  const chain: Chain = ruleset.tables.get("filter")?.chains.get(name) ?? { name, table: "filter", builtin: true, policy: { verdict: "accept" }, rules: [] };
  return { kind: "policy", chain };
}

/**
 * Turns walk results into the partition. Parts that went through an opaque match exist once per way it could go:
 * a packet keeps its verdict only when every way agrees, else it is "maybe".
 */
function summarize(space: PacketSpace, finished: readonly Finished[], start: Box): Analysis {
  const parts: OutcomePart[] = [];
  const byKey = new Map<string, { part: Finished; set: PacketSet[]; steps: readonly TraceStep[] }>();
  const add = (f: Finished, set: PacketSet, verdict: Analysis["verdict"]) => {
    if (set.length === 0) return;
    const steps = flattenPath(f.path);
    const key = `${verdict}\n${deciderKey(f.decider)}\n${steps.map(stepKey).join("\n")}`;
    const known = byKey.get(key);
    if (known) known.set.push(set);
    else byKey.set(key, { part: { ...f, verdict }, set: [set], steps });
  };
  // Parts are the packets as they arrived: ways through an opaque match are compared there (a DNAT on one way and
  // none on another still overlap), and descriptions speak of what the user asked about.
  const arrived = finished.map((f) => ({ ...f, set: f.set.map((b) => space.original(b)) }));
  const uncertain = arrived.filter((f) => f.uncertain);
  for (const f of arrived) if (!f.uncertain) add(f, f.set, f.verdict);
  const index = new DestinationIndex(uncertain.map((f) => f.set));
  const uncertainVerdicts = new Set(uncertain.map((f) => f.verdict));
  let comparisons = 0;
  uncertain.forEach((f, i) => {
    if (comparisons > MAX_COMPARISONS) {
      // Past the bound, a way is kept whole and certain only if every uncertain way agrees with it.
      return add(f, f.set, uncertainVerdicts.size === 1 ? f.verdict : "maybe");
    }
    const earlier: Box[] = [];
    const conflicting: Box[] = [];
    const seen = new Set<Box>();
    const wide = index.wide;
    const narrow = index.narrow;
    for (const box of f.set) {
      const srcLo = box.src[0]![0];
      const srcHi = box.src[box.src.length - 1]![1];
      // Every wide box, then the narrow ones near this box's destination (plain loops: this runs millions of times).
      const first = index.narrowStart(box);
      const count = wide.length + index.narrowEnd(box, first) - first;
      for (let k = 0; k < count; k++) {
        const other = k < wide.length ? wide[k]! : narrow[first + k - wide.length]!;
        comparisons++;
        if (other.owner === i || other.srcLo > srcHi || other.srcHi < srcLo) continue;
        if (seen.has(other.box) || !space.overlaps(box, other.box)) continue;
        seen.add(other.box);
        if (other.owner < i) earlier.push(other.box);
        if (uncertain[other.owner]!.verdict !== f.verdict) conflicting.push(other.box);
      }
    }
    // Packets an earlier way already took are described there; the rest keeps this way's verdict unless another
    // way gives them a different one.
    const mine = earlier.length > 0 ? space.subtractSets(f.set, earlier) : f.set;
    const conflict = conflicting.length > 0 ? space.split(mine, conflicting) : { inside: [], outside: mine };
    add(f, conflict.outside, f.verdict);
    add(f, conflict.inside, "maybe");
  });
  for (const { part, set, steps } of byKey.values()) {
    const whole = set.flat();
    let description: string | undefined;
    parts.push({
      verdict: part.verdict,
      // Words cost more than the analysis on big sets: computed when asked for.
      get description() {
        return (description ??= describeSet(space, whole, start));
      },
      decidedBy: part.decider,
      path: steps,
      ...(part.dnat ? { dnat: { rule: part.dnat.rule, to: part.dnat.to } } : {}),
    });
  }
  const verdicts = new Set(parts.map((p) => p.verdict));
  const verdict = verdicts.size === 1 ? parts[0]!.verdict : "maybe";
  return { verdict, parts };
}

/** Bound on box comparisons when reconciling the ways through opaque matches (beyond it: maybe, never a guess). */
const MAX_COMPARISONS = 5_000_000;

/**
 * Finds the boxes that may overlap a box, by destination: after DNAT the ways through an opaque match (kube-proxy's
 * random endpoint choice) mostly end at distinct addresses, so comparing only near ones keeps this linear-ish.
 */
class DestinationIndex {
  private static readonly NARROW = 256n;
  readonly wide: IndexedBox[] = [];
  readonly narrow: IndexedBox[] = [];
  private widest = 0n;

  constructor(sets: readonly PacketSet[]) {
    sets.forEach((set, owner) => {
      for (const box of set) {
        const [lo, hi] = hull(box);
        const entry = { owner, box, lo, srcLo: box.src[0]![0], srcHi: box.src[box.src.length - 1]![1] };
        if (hi - lo > DestinationIndex.NARROW) this.wide.push(entry);
        else {
          this.narrow.push(entry);
          if (hi - lo > this.widest) this.widest = hi - lo;
        }
      }
    });
    this.narrow.sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  }

  /** The first narrow box that may share a destination with `box`. */
  narrowStart(box: Box): number {
    const from = box.dst[0]![0] - this.widest;
    let first = 0;
    let last = this.narrow.length;
    while (first < last) {
      const mid = (first + last) >>> 1;
      if (this.narrow[mid]!.lo < from) first = mid + 1;
      else last = mid;
    }
    return first;
  }

  /** Past the last narrow box (from `first` on) that may share a destination with `box`. */
  narrowEnd(box: Box, first: number): number {
    const hi = box.dst[box.dst.length - 1]![1];
    let end = first;
    while (end < this.narrow.length && this.narrow[end]!.lo <= hi) end++;
    return end;
  }
}

/** A box of an uncertain way, with its destination's lower end and its source hull read out once. */
interface IndexedBox {
  readonly owner: number;
  readonly box: Box;
  readonly lo: bigint;
  readonly srcLo: bigint;
  readonly srcHi: bigint;
}

function hull(box: Box): readonly [bigint, bigint] {
  return [box.dst[0]![0], box.dst[box.dst.length - 1]![1]];
}

function deciderKey(decider: Decider): string {
  return decider.kind === "rule" ? `${decider.chain.table}/${decider.chain.name}/${decider.rule.index}` : `${decider.chain.table}/${decider.chain.name}/policy`;
}

function stepKey(step: TraceStep): string {
  return `${step.table}/${step.chain.name}/${step.rule?.index ?? "-"}/${step.action}`;
}
