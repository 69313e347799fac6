// Runs of common `-A` lines of a large ASCII document checked by the compiled checker (assembly/common-lines.ts).
//
// The compiled checker reads what a line says (its words, options and values) and writes a record; this side does
// what needs the table being loaded: finds the chain, resolves the target (jumpSummary, as checkCommonRule does),
// applies the chain's rules for -i/-o and DNAT, and keeps the line as a row (deferred-rules.ts). A line either side
// does not take goes to the caller, which reads it as before (checkCommonRule, then the general path), so the
// compiled checker only ever saves time: test/formats/iptables/native-lines.test.ts compares its rows, models and
// messages with the JavaScript reader's.
//
// The checker is off until a caller (the CLI) gives it its compiled bytes; it serves documents of at least
// `minimumLength` characters with their ASCII bytes kept (SourceFile.asciiBytes), where its start-up (~1 ms) pays.
// For a document read through a line prefetch (line-prefetch.ts) the records come from the prefetch's worker thread,
// which ran the same checker over the whole document; this thread's checker takes over if that worker stops.

import type { TargetSummary } from "../../model/firewall.js";
import type { SourceFile } from "../../model/source.js";
import { DNAT_SUMMARY, jumpSummary, MARK_SUMMARY, NO_TARGET } from "./common-lines.js";
import type { ChainState, TableState } from "./commands.js";
import type { DeferredRows } from "./deferred-rules.js";
import { copyIntoChecker, WebAssemblyApi, type CheckerExports } from "./line-protocol.js";
import { LINE_NOT_TAKEN, prefetchedRecordsOf, WORKER_STOPPED, type PrefetchedRecords } from "./line-prefetch.js";
import {
  CHAIN_END,
  CHAIN_ID,
  END,
  FLAGS,
  GOTO,
  IN_WRITTEN,
  OUT_WRITTEN,
  RECORD_FIELDS,
  START,
  TARGET_DNAT,
  TARGET_END,
  TARGET_ID,
  TARGET_MARK,
  TARGET_NAMED,
  TARGET_SHIFT,
  TARGET_START,
} from "./row-layout.js";

/**
 * Keeps checked records as rows: finds each one's chain, resolves its target, and hands runs of them to
 * DeferredRows.keepRecords. Records come from the checker run here (LocalChecker) or from a prefetch's worker thread
 * (line-prefetch.ts). One loop over a run of records, rather than a call per record: V8 optimizes a function once it
 * has run enough, so the loop that does the most work is compiled early (see INTERRUPT_BUDGET in bin/vpnlint.js).
 * Chains and targets are recognised by the ids the checker gives their names (row-layout.ts CHAIN_ID, TARGET_ID):
 * comparing names in the text (startsWith at an offset of a 12 MB string) was ~10-15 ms of a 100k-rule dump's parse.
 */
class RecordKeeper {
  /** By name id: the chain of that name, null for none. Valid during one `take` (see begin). */
  private chainsById: (ChainState | null | undefined)[] = [];
  /** By name id * 2 + 1 for a goto: the target's summary, null when the line is the JavaScript reader's. */
  private targetsById: (TargetSummary | null | undefined)[] = [];
  /** The chain and target of each record of the run being kept, by position in the run. */
  private readonly runChains: ChainState[] = [];
  private readonly runTargets: TargetSummary[] = [];
  /** How many records the last keepRun kept. */
  kept = 0;
  /** Whether the last keepRun stopped at a line it did not keep (rather than at the end of its records). */
  stopped = false;

  /**
   * Before each call of a `take`: chains come and go, and with them jump targets, only through the general path,
   * which runs between calls.
   */
  begin(): void {
    this.chainsById = [];
    this.targetsById = [];
  }

  /**
   * Keeps as rows the records in `records` from index `r` (a line start's) up to `limit`, of consecutive lines ending at
   * or before `to`, until a line this side does not take; returns the start of the line after the last one kept (at
   * most `to`). `kept` and `stopped` say how many were kept and whether a line was left.
   */
  keepRun(source: SourceFile, records: Int32Array, r: number, limit: number, to: number, table: TableState, rows: DeferredRows): number {
    const text = source.text;
    const chainsById = this.chainsById;
    const targetsById = this.targetsById;
    let start = records[r + START]!;
    let last = table.lastChain;
    let count = 0;
    let q = r;
    for (; q < limit; q += RECORD_FIELDS) {
      const end = records[q + END]!;
      if (records[q + START] !== start || end > to) break;
      const flags = records[q + FLAGS]!;
      const chainId = records[q + CHAIN_ID]!;
      let chain = chainsById[chainId];
      if (chain === undefined) chain = this.chain(text, start + 3, records[q + CHAIN_END]!, chainId, table);
      if (chain === null) break;
      const chainName = chain.name;
      if ((flags & IN_WRITTEN) !== 0 && (chainName === "OUTPUT" || chainName === "POSTROUTING")) break;
      if ((flags & OUT_WRITTEN) !== 0 && (chainName === "PREROUTING" || chainName === "INPUT")) break;
      const kind = (flags >>> TARGET_SHIFT) & 7;
      let target: TargetSummary | null | undefined;
      if (kind === TARGET_NAMED) {
        const targetId = records[q + TARGET_ID]!;
        target = targetsById[targetId * 2 + ((flags & GOTO) !== 0 ? 1 : 0)];
        if (target === undefined) target = this.namedTarget(text, records, q, flags, targetId, table, rows);
      } else if (kind === TARGET_MARK) target = MARK_SUMMARY;
      else if (kind === TARGET_DNAT) target = table.name === "nat" && chainName !== "INPUT" && chainName !== "POSTROUTING" ? DNAT_SUMMARY : null;
      else target = NO_TARGET;
      if (target === null) break;
      this.runChains[count] = chain;
      this.runTargets[count] = target;
      count++;
      last = chain;
      // The next line starts past the line's break (the record's end leaves out a carriage return before it).
      start = Math.min(to, end + (text.charCodeAt(end) === 13 ? 2 : 1));
    }
    if (count > 0) {
      rows.keepRecords(text, records, r, count, this.runChains, this.runTargets);
      table.lastChain = last;
      linesTaken += count;
    }
    this.kept = count;
    this.stopped = q < limit;
    return start;
  }

  /** The chain named text[nameStart, nameEnd), null for none; remembered under its id when it has one. */
  private chain(text: string, nameStart: number, nameEnd: number, id: number, table: TableState): ChainState | null {
    const chain = table.chains.get(text.slice(nameStart, nameEnd)) ?? null;
    if (id !== 0) this.chainsById[id] = chain;
    return chain;
  }

  /** The summary of a jump or goto to a name (a chain, a verdict...), null for none; remembered under its id. */
  private namedTarget(text: string, records: Int32Array, q: number, flags: number, id: number, table: TableState, rows: DeferredRows): TargetSummary | null {
    const goto = (flags & GOTO) !== 0;
    const name = text.slice(records[q + TARGET_START]!, records[q + TARGET_END]!);
    const summary = jumpSummary(name, goto, table.name, rows.loadingOf(table)) ?? null;
    if (id !== 0) this.targetsById[id * 2 + (goto ? 1 : 0)] = summary;
    return summary;
  }
}

/** The checker run on this thread, over runs of lines of a document copied into its memory. */
class LocalChecker {
  private loaded: SourceFile | undefined;

  constructor(private readonly exports: CheckerExports) {}

  /** Copies `source`'s bytes into the checker's memory (once per document); throws when memory cannot grow. */
  load(source: SourceFile, bytes: Buffer): void {
    if (this.loaded === source) return;
    copyIntoChecker(this.exports, bytes);
    this.loaded = source;
  }

  /**
   * Keeps as rows of `rows` the lines of `[from, to)` from `from` (a line start) that both sides take, up to the first
   * that one does not; returns that line's start, or `to`.
   */
  take(keeper: RecordKeeper, source: SourceFile, bytes: Buffer, from: number, to: number, table: TableState, rows: DeferredRows): number {
    this.load(source, bytes);
    const exports = this.exports;
    keeper.begin();
    let start = from;
    while (start < to) {
      const count = exports.run(start, to);
      if (count > 0) {
        const records = new Int32Array(exports.memory.buffer, exports.recordsAt(), count * RECORD_FIELDS);
        const next = keeper.keepRun(source, records, 0, records.length, to, table, rows);
        if (keeper.stopped) return next;
      }
      start = exports.runStoppedAt();
      if (exports.runStoppedOnLine() !== 0) return start;
    }
    return to;
  }
}

/**
 * LocalChecker.take with the records a prefetch's worker made of the whole document: a line it did not take, or took
 * past `to`, is the caller's. Null when the worker stopped answering (the caller goes on with a LocalChecker).
 */
function takePrefetched(keeper: RecordKeeper, prefetched: PrefetchedRecords, source: SourceFile, from: number, to: number, table: TableState, rows: DeferredRows): number | null {
  keeper.begin();
  let start = from;
  while (start < to) {
    const r = prefetched.find(start);
    if (r === LINE_NOT_TAKEN) return start;
    if (r === WORKER_STOPPED) return null;
    start = keeper.keepRun(source, prefetched.records, r, prefetched.recordsEnd, to, table, rows);
    prefetched.pass(keeper.kept);
    if (keeper.stopped) return start;
  }
  return to;
}

let compiled: (() => Uint8Array | undefined) | undefined;
let linesTaken = 0;
let minimumLength = 1 << 16;
/** The checker once made; null when its bytes were missing or refused (then the JavaScript reader does it all). */
let checker: LocalChecker | null | undefined;
const keeper = new RecordKeeper();

/**
 * Lets documents of at least `minimum` characters be checked by the compiled checker whose bytes `bytes` gives (read
 * when first needed; undefined or invalid bytes leave it off).
 */
export function useNativeLines(bytes: () => Uint8Array | undefined, minimum = 1 << 16): void {
  compiled = bytes;
  minimumLength = minimum;
  checker = undefined;
}

/** How many lines the compiled checker has kept as rows in this process (tests: that it did the work). */
export function nativeLinesTaken(): number {
  return linesTaken;
}

/** Turns the compiled checker off again. */
export function stopNativeLines(): void {
  compiled = undefined;
  checker = undefined;
}

/**
 * The lines of `source` the compiled checker can take, when it is on and `source` is an ASCII document large enough:
 * from the records a prefetch made of its bytes (line-prefetch.ts) while they last, else from a run here.
 */
export function nativeLinesOf(source: SourceFile): NativeLines | undefined {
  const bytes = source.asciiBytes;
  if (compiled === undefined || bytes === undefined || source.text.length < minimumLength) return undefined;
  let prefetched = prefetchedRecordsOf(bytes);
  // This thread's checker is loaded at once without a prefetch, and only if its worker stops with one.
  let local = prefetched === undefined ? loadedChecker(source, bytes) : undefined;
  if (local === null) return undefined;
  return {
    take(from, to, table, rows) {
      if (prefetched !== undefined) {
        const stop = takePrefetched(keeper, prefetched, source, from, to, table, rows);
        if (stop !== null) return stop;
        // The worker stopped answering: the lines from here on are checked on this thread.
        prefetched = undefined;
      }
      local ??= loadedChecker(source, bytes);
      return local === null ? from : local.take(keeper, source, bytes, from, to, table, rows);
    },
  };
}

/** See LocalChecker.take. */
export interface NativeLines {
  take(from: number, to: number, table: TableState, rows: DeferredRows): number;
}

/** The checker with `source`'s bytes loaded; null when it cannot be had (the JavaScript reader reads the document). */
function loadedChecker(source: SourceFile, bytes: Buffer): LocalChecker | null {
  if (checker === undefined) checker = instantiate(compiled?.());
  if (checker === null) return null;
  try {
    checker.load(source, bytes);
    return checker;
  } catch {
    // Memory for a copy of the document could not be had.
    return null;
  }
}

function instantiate(bytes: Uint8Array | undefined): LocalChecker | null {
  if (bytes === undefined) return null;
  try {
    const exports = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), {}).exports as unknown as CheckerExports;
    // A checker of another record layout (a build of other sources) is not used.
    return exports.RECORD_FIELDS.value === RECORD_FIELDS ? new LocalChecker(exports) : null;
  } catch {
    return null;
  }
}
