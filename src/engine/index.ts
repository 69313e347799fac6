// The engine: which packets of a query a ruleset accepts, drops or rejects, with the deciding rules and paths,
// following netfilter's hooks (raw, mangle, nat with DNAT and the routing decision, filter, security).

import type { Chain, Match, Rule, Ruleset, TableName } from "../model/firewall.js";
import type { Analysis, Decider, OutcomePart, PacketQuery, TraceStep } from "./api.js";
import { describeSet } from "./describe.js";
import { numberSpans } from "./interval-set.js";
import { ruleSets, type MatchSets } from "./match-sets.js";
import { InterfaceDomain, PacketSpace, type Box, type PacketSet } from "./packet-set.js";
import { queryFamily, queryInterfaces, querySet } from "./query.js";
import { flattenPath, joinPaths, TableWalker, type NatRewrite, type Path } from "./walk.js";

export type * from "./api.js";
export { describeSet } from "./describe.js";
export { parsePacketSpec, type PacketSpecResult } from "./query.js";
export type { PacketSet, PacketSpace } from "./packet-set.js";

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
  readonly rules: Map<Rule, MatchSets>;
}

const compiledByRuleset = new WeakMap<Ruleset, Map<string, Compiled>>();
const namesByRuleset = new WeakMap<Ruleset, { names: Set<string>; prefixes: Set<string> }>();

function interfaceNames(ruleset: Ruleset): { names: Set<string>; prefixes: Set<string> } {
  const known = namesByRuleset.get(ruleset);
  if (known) return known;
  const names = new Set<string>();
  const prefixes = new Set<string>();
  const pending: Match[] = [];
  const visit = (match: Match) => {
    if (match.kind === "anyOf") pending.push(...match.alternatives);
    else if (match.kind === "interface") {
      if (match.name.endsWith("+")) prefixes.add(match.name.slice(0, -1));
      else names.add(match.name);
    }
  };
  for (const table of ruleset.tables.values()) for (const chain of table.chains.values()) for (const rule of chain.rules) for (const match of rule.matches) visit(match);
  while (pending.length > 0) visit(pending.pop()!);
  const found = { names, prefixes };
  namesByRuleset.set(ruleset, found);
  return found;
}

/** The packet space of a ruleset (plus interface names a query adds), with its compiled rules; cached. */
function compile(ruleset: Ruleset, extraNames: readonly string[]): Compiled {
  const { names, prefixes } = interfaceNames(ruleset);
  const missing = [...new Set(extraNames.filter((n) => !names.has(n)))].sort();
  const key = missing.join("\n");
  let byKey = compiledByRuleset.get(ruleset);
  if (!byKey) compiledByRuleset.set(ruleset, (byKey = new Map()));
  let compiled = byKey.get(key);
  if (!compiled) {
    compiled = { space: new PacketSpace(ruleset.family, new InterfaceDomain([...names, ...missing], prefixes)), rules: new Map() };
    byKey.set(key, compiled);
  }
  return compiled;
}

export interface AnalyzeOptions {
  /** Called for every rule that selects some packets of the set on their way (surely, or only possibly). */
  readonly onRuleMatched?: (rule: Rule, chain: Chain, sure: boolean) => void;
  /** Work limit in box-rule evaluations (default 20 million); past it the rest of the set is "maybe". */
  readonly budget?: number;
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

/** Which packets of `query` the ruleset accepts, drops or rejects, with the deciding rules and paths. */
export function analyze(ruleset: Ruleset, query: PacketQuery, options: AnalyzeOptions = {}): Analysis {
  const family = queryFamily(query);
  if (family !== undefined && family !== ruleset.family) return { verdict: "maybe", parts: [] };
  const { space, rules } = compile(ruleset, queryInterfaces(query));
  const start = querySet(space, query);
  if (start === undefined) return { verdict: "maybe", parts: [] };
  const compiled = (rule: Rule): MatchSets => {
    let sets = rules.get(rule);
    if (!sets) rules.set(rule, (sets = ruleSets(space, rule)));
    return sets;
  };
  const walkers = new Map<TableName, TableWalker>();
  const walkerOf = (table: TableName) => {
    let walker = walkers.get(table);
    if (!walker) walkers.set(table, (walker = new TableWalker(space, ruleset.tables.get(table)!, compiled, options)));
    return walker;
  };
  const newOnly = [space.box({ ctState: [[1, 1]] })];
  const realOut = numberSpans.subtract(space.domainOf("out"), space.interfaces.atomsOf(""));
  const queriedOut = query.out === undefined ? realOut : space.interfaces.atomsOf(query.out);

  const finished: Finished[] = [];
  const flows: Flow[] = [{ set: [start], path: null, uncertain: false, route: query.hook === "output" ? "output" : "prerouting", stage: 0 }];
  while (flows.length > 0) {
    const flow = flows.pop()!;
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
    if (!chain || (chain.rules.length === 0 && (chain.policy?.verdict ?? "accept") === "accept")) {
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
  const uncertain = finished.filter((f) => f.uncertain);
  for (const f of finished) if (!f.uncertain) add(f, f.set, f.verdict);
  let covered: PacketSet = [];
  for (const f of uncertain) {
    const fresh = space.subtractSets(f.set, covered);
    covered = [...covered, ...fresh];
    const others = uncertain.filter((g) => g.verdict !== f.verdict).flatMap((g) => g.set);
    const conflict = space.split(fresh, others);
    add(f, conflict.outside, f.verdict);
    add(f, conflict.inside, "maybe");
  }
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

function deciderKey(decider: Decider): string {
  return decider.kind === "rule" ? `${decider.chain.table}/${decider.chain.name}/${decider.rule.index}` : `${decider.chain.table}/${decider.chain.name}/policy`;
}

function stepKey(step: TraceStep): string {
  return `${step.table}/${step.chain.name}/${step.rule?.index ?? "-"}/${step.action}`;
}
