// Reading a document with the compiled line checker (native-lines.ts), directly or through a prefetch's worker, must
// be invisible: these compare what it gives with what the JavaScript reader alone gives of the same document.

import { expect } from "vitest";
import { analyze, surveyRuleset, type PacketQuery } from "../../../src/engine/index.js";
import { parseSource } from "../../../src/formats/index.js";
import { nativeLinesTaken, stopNativeLines } from "../../../src/formats/iptables/native-lines.js";
import type { FieldMatch, FirewallModel, PlainBounds } from "../../../src/model/firewall.js";
import type { SourceFile } from "../../../src/model/source.js";
import { PICKER, surveyed } from "./surveys.js";

const QUERIES: readonly PacketQuery[] = [
  { hook: "input", in: "eth0", proto: 17, dport: 500 },
  { hook: "forward", proto: 6, dport: 8080 },
  { hook: "output", proto: 6, dport: 80 },
];

/** Marks a field match by all it says (field, values, negation), one bit of 30 each, so rows differing in any differ. */
function fieldBits(match: FieldMatch): number {
  let hash = match.field.length * 31 + (match.negated ? 17 : 0);
  for (const [lo, hi] of match.values) hash = (hash * 33 + lo * 7 + hi) % 1_000_003;
  return 1 << (hash % 30);
}

/** Marks a target by its kind. The same function for every chain: rows compute their marks once per pair of askers. */
const targetBits = (kind: string): number => 1 << (kind.length % 30);

/** What the rows of each chain not built yet say: targets, plain bounds, marks of every field match. */
function rowsOf(model: FirewallModel): unknown[] {
  const rows: unknown[] = [];
  const bounds: PlainBounds = { hasSrc: false, srcLo: 0n, srcHi: 0n, hasDst: false, dstLo: 0n, dstHi: 0n, hasProto: false, protoLo: 0, protoHi: 0, hasDport: false, dportLo: 0, dportHi: 0 };
  for (const ruleset of model.rulesets) {
    for (const table of ruleset.tables.values()) {
      for (const chain of table.chains.values()) {
        const deferred = chain.deferred;
        if (deferred === undefined || deferred.built) continue;
        const each: unknown[] = [];
        for (let i = 0; i < deferred.count; i++) {
          deferred.bounds(i, bounds);
          each.push([deferred.target(i), `${bounds.hasSrc} ${bounds.srcLo}-${bounds.srcHi} ${bounds.hasDst} ${bounds.dstLo}-${bounds.dstHi} ${bounds.hasProto} ${bounds.protoLo}-${bounds.protoHi} ${bounds.hasDport} ${bounds.dportLo}-${bounds.dportHi}`]);
        }
        rows.push({ chain: `${table.name} ${chain.name}`, names: deferred.interfaceNames, callees: deferred.callees, each, picks: deferred.picks(fieldBits, targetBits) });
      }
    }
  }
  return rows;
}

function walks(model: FirewallModel): string[] {
  return model.rulesets.flatMap((ruleset) => QUERIES.map((query) => JSON.stringify(analyze(ruleset, query), (key, value) => (key === "range" || typeof value === "bigint" ? undefined : value))));
}

/**
 * `source` read with the JavaScript reader alone and by `readWithChecker` (which turns the checker on): rows, surveys,
 * walks and models must be the same. Returns the lines the checker took. One source for both readings: ranges hold
 * it, and the models compare it by identity, not byte by byte.
 */
export function expectSameReading(name: string, source: SourceFile, readWithChecker: () => FirewallModel): number {
  stopNativeLines();
  const alone = parseSource(source);
  const before = nativeLinesTaken();
  const withNative = readWithChecker();
  const taken = nativeLinesTaken() - before;
  // Rows first (the surveys and walks read them before anything builds the rules), then the whole models.
  expect(rowsOf(withNative), name).toEqual(rowsOf(alone));
  expect(withNative.rulesets.map((ruleset) => surveyed(surveyRuleset(ruleset, PICKER))), name).toEqual(alone.rulesets.map((ruleset) => surveyed(surveyRuleset(ruleset, PICKER))));
  expect(walks(withNative), name).toEqual(walks(alone));
  expect(withNative, name).toEqual(alone);
  return taken;
}
