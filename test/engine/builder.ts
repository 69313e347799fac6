// A small builder of hand-made models for engine tests: rulesets without a parser in the way.

import type { Chain, ChainPolicy, Interval, Match, Rule, Ruleset, Table, TableName, Target, Verdict } from "../../src/model/firewall.js";
import { BUILTIN_CHAINS, CtState } from "../../src/model/firewall.js";
import { SourceFile } from "../../src/model/source.js";
import { parseAddressRange } from "../../src/engine/addresses.js";

export type ChainSpec = { policy?: Verdict; rules?: RuleSpec[] };
export type RuleSpec = { matches?: Match[]; target: Target; disabled?: boolean };

/** Builds a ruleset; each rule gets its own line `TABLE CHAIN #N` in a fake source file. */
export function ruleset(spec: Partial<Record<TableName, Record<string, ChainSpec>>>, family: "ipv4" | "ipv6" = "ipv4"): Ruleset {
  const lines: string[] = [];
  const pending: { table: TableName; chain: string; index: number; line: number; spec: RuleSpec }[] = [];
  for (const [tableName, chains] of Object.entries(spec) as [TableName, Record<string, ChainSpec>][]) {
    for (const [chainName, chain] of Object.entries(chains)) {
      (chain.rules ?? []).forEach((r, i) => {
        lines.push(`${tableName} ${chainName} #${i + 1}`);
        pending.push({ table: tableName, chain: chainName, index: i + 1, line: lines.length, spec: r });
      });
    }
  }
  const source = new SourceFile("test.rules", lines.join("\n") + "\n");
  const offsets: number[] = [0];
  for (const l of lines) offsets.push(offsets[offsets.length - 1]! + l.length + 1);
  const tables = new Map<TableName, Table>();
  for (const [tableName, chains] of Object.entries(spec) as [TableName, Record<string, ChainSpec>][]) {
    const map = new Map<string, Chain>();
    for (const builtin of BUILTIN_CHAINS[tableName]) map.set(builtin, { name: builtin, table: tableName, builtin: true, policy: { verdict: "accept" }, rules: [] });
    for (const [chainName, chain] of Object.entries(chains)) {
      const builtin = (BUILTIN_CHAINS[tableName] as readonly string[]).includes(chainName);
      const policy: ChainPolicy | undefined = chain.policy ? { verdict: chain.policy } : builtin ? { verdict: "accept" } : undefined;
      map.set(chainName, { name: chainName, table: tableName, builtin, ...(policy ? { policy } : {}), rules: [] });
    }
    tables.set(tableName, { name: tableName, chains: map });
  }
  for (const p of pending) {
    const rule: Rule = {
      chain: p.chain,
      index: p.index,
      range: { source, start: offsets[p.line - 1]!, end: offsets[p.line]! - 1 },
      text: lines[p.line - 1]!,
      matches: p.spec.matches ?? [],
      target: p.spec.target,
      ...(p.spec.disabled ? { disabled: true } : {}),
    };
    tables.get(p.table)!.chains.get(p.chain)!.rules.push(rule);
  }
  return { family, tables };
}

export const r = (matches: Match[], target: Target, disabled = false): RuleSpec => ({ matches, target, disabled });

const iv = (lo: number, hi = lo): Interval[] => [[lo, hi]];
export const proto = (p: number, negated = false): Match => ({ kind: "field", field: "proto", values: iv(p), negated });
export const udp = proto(17);
export const tcp = proto(6);
export const esp = proto(50);
export const dport = (lo: number, hi = lo, negated = false): Match => ({ kind: "field", field: "dport", values: iv(lo, hi), negated });
export const sport = (lo: number, hi = lo, negated = false): Match => ({ kind: "field", field: "sport", values: iv(lo, hi), negated });
export const dports = (...ports: number[]): Match => ({ kind: "field", field: "dport", values: ports.map((p) => [p, p] as const), negated: false });
export const addr = (direction: "src" | "dst", cidr: string, negated = false): Match => ({
  kind: "address",
  direction,
  family: "ipv4",
  values: [parseAddressRange(cidr)!.range],
  negated,
});
export const iface = (direction: "in" | "out", name: string, negated = false): Match => ({ kind: "interface", direction, name, negated });
export const state = (names: (keyof typeof CtState)[], negated = false): Match => ({
  kind: "field",
  field: "ctState",
  values: names.map((n) => [CtState[n], CtState[n]] as const).sort((a, b) => a[0] - b[0]),
  negated,
});
export const ipsecIn = (lo: number, hi = lo, negated = false): Match => ({ kind: "field", field: "ipsecIn", values: iv(lo, hi), negated });
export const mark = (value: number, mask = 0xffffffff, negated = false): Match => ({ kind: "mark", value, mask, negated });
export const anyOf = (...alternatives: Match[]): Match => ({ kind: "anyOf", alternatives, negated: false });
export const opaque = (module: string, negated = false): Match => ({ kind: "opaque", module, text: `-m ${module}`, negated });

export const ACCEPT: Target = { kind: "verdict", verdict: "accept" };
export const DROP: Target = { kind: "verdict", verdict: "drop" };
export const REJECT: Target = { kind: "verdict", verdict: "reject" };
export const RETURN: Target = { kind: "return" };
export const LOG: Target = { kind: "continue", name: "LOG", options: "" };
export const NFQUEUE: Target = { kind: "opaque", name: "NFQUEUE", options: "" };
export const jump = (chain: string): Target => ({ kind: "jump", chain });
export const goto = (chain: string): Target => ({ kind: "goto", chain });
export const setMark = (value: number, mask = 0xffffffff): Target => ({ kind: "mark", clearMask: mask, xorValue: value });
export const dnat = (to: string, port?: number): Target => ({
  kind: "dnat",
  toAddresses: parseAddressRange(to)!.range,
  ...(port !== undefined ? { toPorts: [port, port] as const } : {}),
});
