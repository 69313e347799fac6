// Rules of the common shapes (common-lines.ts) kept as lines, not objects, until something asks for them.
//
// A 100k-rule Kubernetes dump makes ~650 bytes of model objects per rule, and building them (and the garbage
// collector copying them) was most of a full audit's time. A VPN audit reads a few hundred chains of such a dump;
// passes over the whole ruleset (interface names, the jump graph, the rules naming VPN traffic) need only a few facts
// per rule. So a checked line becomes a row: its offsets, the values of its protocol and port matches and its
// addresses, as numbers laid out as the compiled checker's records are (row-layout.ts), and its target's summary.
// The rows of a chain are built into rules when the chain's `rules` is first read, or one by one when a survey picks
// a rule or a walk gets past a row's bounds (engine/chain-rules.ts). While the document loads, any command of the general path that reads a chain's rules
// settles the chain (or the table) first, so the general path always sees built rules in file order.

import type { Chain, ChainPolicy, DeferredRules, FieldMatch, NamedValues, PlainBounds, Rule, TableName, TargetSummary } from "../../model/firewall.js";
import type { SourceFile, SourceRange } from "../../model/source.js";
import { buildCommonRule, checkCommonRule, lineFacts, type Loading } from "./common-lines.js";
import type { ChainState, TableState } from "./commands.js";
import { oneInterval, PROTOCOL_VALUES } from "./extensions/mapping.js";
import {
  DPORT_HI,
  DPORT_LO,
  DPORT_NEGATED,
  DST_FIRST,
  DST_LAST,
  DST_NEGATED,
  END,
  FLAGS,
  HAS_DPORT,
  HAS_DST,
  HAS_IN,
  HAS_OUT,
  HAS_SPORT,
  HAS_SRC,
  IN_END,
  IN_START,
  MATCH_COUNT,
  OUT_END,
  OUT_START,
  PROTO,
  PROTO_NEGATED,
  RECORD_FIELDS,
  SPORT_HI,
  SPORT_LO,
  SPORT_NEGATED,
  SRC_FIRST,
  SRC_LAST,
  SRC_NEGATED,
  START,
} from "./row-layout.js";

/** A chain's rows not yet built, in order, with the names of their interface matches and the chains they jump to. */
export interface PendingRows {
  readonly rows: number[];
  readonly interfaceNames: string[];
  /** See DeferredRules.callees. */
  readonly callees: string[];
  /** A row without matches that accepts, drops or returns: the kernel's walk of the chain ends there. */
  stopped: boolean;
  /** A row jumps or goes to a chain after such a row: `callees` names a chain the kernel's walk never reaches. */
  unreachedCallees: boolean;
}

/**
 * Rows of one table being loaded, in file order: RECORD_FIELDS numbers each in one array (row-layout.ts), no object per
 * row (a dump's ports are mostly distinct, so even shared match objects would be one per rule), and the target's
 * summary.
 */
export class DeferredRows {
  private data: Int32Array;
  private readonly targets: TargetSummary[] = [];
  private count = 0;
  /** Rows still waiting in some chain's `pending`. */
  unsettled = 0;
  private loading: Loading | undefined;
  private lastMarks: RowMarks | undefined;

  /**
   * Room for `expectedRows` at first (256 by default: a hand-written file has fewer), doubled as needed. A large dump's
   * caller expects a row per ~100 bytes of its commands: growing by copying was ~5 ms of a 100k-rule dump, and room
   * never written costs no memory (the array's pages are only mapped in when written).
   */
  constructor(
    readonly source: SourceFile,
    readonly table: TableName,
    expectedRows = 256,
  ) {
    this.data = new Int32Array(Math.max(256, Math.ceil(expectedRows)) * RECORD_FIELDS);
  }

  /** Checks the `-A` line `text[start, end)`; when it is of the common shapes, keeps it as a row of its chain. */
  take(start: number, end: number, table: TableState): boolean {
    if (!checkCommonRule(this.source, start, end, table, this.loadingOf(table))) return false;
    this.keep(start, end);
    return true;
  }

  /** What checking a line of `table` needs: made for its first line (a table's chains map stays the same). */
  loadingOf(table: TableState): Loading {
    return (this.loading ??= { chains: table.chains, jumps: new Map(), gotos: new Map() });
  }

  /** Keeps the checked line `text[start, end)` as a row of its chain, with what `lineFacts` holds of it. */
  keep(start: number, end: number): void {
    const facts = lineFacts;
    const row = this.reserve(1);
    const data = this.data;
    const at = row * RECORD_FIELDS;
    data[at + START] = start;
    data[at + END] = end;
    data[at + MATCH_COUNT] = facts.matchCount;
    data[at + PROTO] = facts.proto;
    let flags = facts.protoNegated ? PROTO_NEGATED : 0;
    if (facts.sport !== undefined) {
      flags |= HAS_SPORT | (facts.sportNegated ? SPORT_NEGATED : 0);
      data[at + SPORT_LO] = facts.sport[0];
      data[at + SPORT_HI] = facts.sport[1];
    }
    if (facts.dport !== undefined) {
      flags |= HAS_DPORT | (facts.dportNegated ? DPORT_NEGATED : 0);
      data[at + DPORT_LO] = facts.dport[0];
      data[at + DPORT_HI] = facts.dport[1];
    }
    if (facts.src) {
      flags |= HAS_SRC | (facts.srcNegated ? SRC_NEGATED : 0);
      data[at + SRC_FIRST] = facts.srcFirst;
      data[at + SRC_LAST] = facts.srcLast;
    }
    if (facts.dst) {
      flags |= HAS_DST | (facts.dstNegated ? DST_NEGATED : 0);
      data[at + DST_FIRST] = facts.dstFirst;
      data[at + DST_LAST] = facts.dstLast;
    }
    data[at + FLAGS] = flags;
    const pending = this.addToChain(row, facts.chain, facts.target, facts.matchCount);
    for (let i = 0; i < facts.interfaces.length; i++) addInterface(pending, facts.interfaces[i]!);
  }

  /**
   * Keeps the lines of `count` consecutive records of the compiled checker, from `records[r]` (row-layout.ts), as rows
   * of `chains[i]` with `targets[i]`; the names of their interface matches are read from `text`.
   */
  keepRecords(text: string, records: Int32Array, r: number, count: number, chains: readonly ChainState[], targets: readonly TargetSummary[]): void {
    const first = this.reserve(count);
    this.data.set(records.subarray(r, r + count * RECORD_FIELDS), first * RECORD_FIELDS);
    for (let i = 0, q = r; i < count; i++, q += RECORD_FIELDS) {
      const pending = this.addToChain(first + i, chains[i]!, targets[i]!, records[q + MATCH_COUNT]!);
      const flags = records[q + FLAGS]!;
      if ((flags & HAS_IN) !== 0) addInterface(pending, text.slice(records[q + IN_START]!, records[q + IN_END]!));
      if ((flags & HAS_OUT) !== 0) addInterface(pending, text.slice(records[q + OUT_START]!, records[q + OUT_END]!));
    }
  }

  /** Makes room for `count` more rows and counts them; returns the first one's number. */
  private reserve(count: number): number {
    const first = this.count;
    this.count += count;
    if (this.count * RECORD_FIELDS > this.data.length) {
      let size = this.data.length * 2;
      while (size < this.count * RECORD_FIELDS) size *= 2;
      const data = new Int32Array(size);
      data.set(this.data.subarray(0, first * RECORD_FIELDS));
      this.data = data;
    }
    return first;
  }

  /** Appends `row` to the chain's pending rows; returns them. */
  private addToChain(row: number, chain: ChainState, target: TargetSummary, matchCount: number): PendingRows {
    this.targets.push(target);
    const pending = (chain.pending ??= { rows: [], interfaceNames: [], callees: [], stopped: false, unreachedCallees: false });
    pending.rows.push(row);
    const callee = target.chain;
    if (callee !== undefined) {
      if (callee !== pending.callees[pending.callees.length - 1]) pending.callees.push(callee);
      if (pending.stopped) pending.unreachedCallees = true;
    } else if (matchCount === 0 && ((target.kind === "verdict" && target.verdict !== "reject") || target.kind === "return")) {
      pending.stopped = true;
    }
    this.unsettled++;
    return pending;
  }

  target(row: number): TargetSummary {
    return this.targets[row]!;
  }

  /**
   * The marks of every row for these askers (see DeferredRules.picks), and how many rows before each have marks (so a
   * chain whose rows have none is passed over at once); the last answer is kept.
   */
  marks(askField: (match: FieldMatch) => number, askTarget: (kind: TargetSummary["kind"]) => number, named: NamedValues | undefined): RowMarks {
    const known = this.lastMarks;
    if (known !== undefined && known.askField === askField && known.askTarget === askTarget) return known;
    const fields = new FieldMarks(askField, named);
    const kinds = new Map<TargetSummary["kind"], number>();
    const marks = new Int32Array(this.count);
    const markedBefore = new Int32Array(this.count + 1);
    const { data, targets } = this;
    let lastTarget: TargetSummary | undefined;
    let lastTargetMarks = 0;
    const { protos: protoMarks, sports: sportMarks, dports: dportMarks } = fields;
    for (let row = 0; row < marks.length; row++) {
      const at = row * RECORD_FIELDS;
      const flags = data[at + FLAGS]!;
      const proto = data[at + PROTO]!;
      const target = targets[row]!;
      if (target !== lastTarget) {
        lastTarget = target;
        const known = kinds.get(target.kind);
        if (known !== undefined) lastTargetMarks = known;
        else kinds.set(target.kind, (lastTargetMarks = askTarget(target.kind)));
      }
      let found = lastTargetMarks;
      // Known answers read in place (most rows); the asker only for what is not known yet.
      if (proto !== 0) {
        const key = proto * 2 + (flags & PROTO_NEGATED);
        const known = protoMarks[key]!;
        found |= known >= 0 ? known : fields.proto(key);
      }
      if ((flags & HAS_SPORT) !== 0) found |= portMarks(fields, sportMarks, "sport", data[at + SPORT_LO]!, data[at + SPORT_HI]!, (flags & SPORT_NEGATED) !== 0);
      if ((flags & HAS_DPORT) !== 0) found |= portMarks(fields, dportMarks, "dport", data[at + DPORT_LO]!, data[at + DPORT_HI]!, (flags & DPORT_NEGATED) !== 0);
      marks[row] = found;
      markedBefore[row + 1] = markedBefore[row]! + (found !== 0 ? 1 : 0);
    }
    this.lastMarks = { askField, askTarget, marks, markedBefore };
    return this.lastMarks;
  }

  /** See DeferredRules.bounds. */
  bounds(row: number, into: PlainBounds): void {
    const data = this.data;
    const at = row * RECORD_FIELDS;
    const flags = data[at + FLAGS]!;
    into.hasSrc = (flags & (HAS_SRC | SRC_NEGATED)) === HAS_SRC;
    if (into.hasSrc) {
      into.srcLo = BigInt(data[at + SRC_FIRST]! >>> 0);
      into.srcHi = BigInt(data[at + SRC_LAST]! >>> 0);
    }
    into.hasDst = (flags & (HAS_DST | DST_NEGATED)) === HAS_DST;
    if (into.hasDst) {
      into.dstLo = BigInt(data[at + DST_FIRST]! >>> 0);
      into.dstHi = BigInt(data[at + DST_LAST]! >>> 0);
    }
    const proto = data[at + PROTO]!;
    into.hasProto = proto !== 0 && (flags & PROTO_NEGATED) === 0;
    if (into.hasProto) into.protoLo = into.protoHi = proto;
    into.hasDport = (flags & (HAS_DPORT | DPORT_NEGATED)) === HAS_DPORT;
    if (into.hasDport) {
      into.dportLo = data[at + DPORT_LO]!;
      into.dportHi = data[at + DPORT_HI]!;
    }
  }

  /** The rule has no match: it applies to every packet. */
  unconditional(row: number): boolean {
    return this.data[row * RECORD_FIELDS + MATCH_COUNT] === 0;
  }

  build(row: number, chain: string, index: number): Rule {
    const at = row * RECORD_FIELDS;
    return buildCommonRule(this.source, this.data[at + START]!, this.data[at + END]!, this.table, chain, index);
  }
}

/** Adds an interface name to a chain's pending rows' names, once. */
function addInterface(pending: PendingRows, name: string): void {
  if (!pending.interfaceNames.includes(name)) pending.interfaceNames.push(name);
}

/** A table's row marks for one pair of askers (DeferredRows.marks). */
interface RowMarks {
  readonly askField: (match: FieldMatch) => number;
  readonly askTarget: (kind: TargetSummary["kind"]) => number;
  readonly marks: Int32Array;
  readonly markedBefore: Int32Array;
}

/**
 * One asker's answers about field matches: -1 not asked yet. Port ranges (rare in dumps) are asked every time. With
 * `named` values, a match naming none of them is answered 0 unasked.
 */
class FieldMarks {
  /** By protocol * 2 + negated, and by single port * 2 + negated. */
  readonly protos = new Int32Array(512).fill(-1);
  readonly sports = new Int32Array(131072).fill(-1);
  readonly dports = new Int32Array(131072).fill(-1);
  private readonly namedPorts: readonly number[] | undefined;

  constructor(
    private readonly ask: (match: FieldMatch) => number,
    named: NamedValues | undefined,
  ) {
    this.namedPorts = named?.ports;
    if (named === undefined) return;
    // Every protocol and single port not named is known to get no marks.
    this.protos.fill(0);
    for (const proto of named.protos) if (proto >= 0 && proto < 256) this.protos.fill(-1, proto * 2, proto * 2 + 2);
    for (const known of [this.sports, this.dports]) {
      known.fill(0);
      for (const port of named.ports) if (port >= 0 && port < 65536) known.fill(-1, port * 2, port * 2 + 2);
    }
  }

  /** The marks of a protocol match, asked when not known. */
  proto(key: number): number {
    let marks = this.protos[key]!;
    if (marks < 0) this.protos[key] = marks = this.ask({ kind: "field", field: "proto", values: PROTOCOL_VALUES[key >> 1]!, negated: (key & 1) === 1 });
    return marks;
  }

  /** The marks of a port match `[lo, hi]`, asked when not known. */
  port(field: "sport" | "dport", lo: number, hi: number, negated: boolean): number {
    if (lo !== hi) {
      if (this.namedPorts !== undefined && !this.namedPorts.some((port) => lo <= port && port <= hi)) return 0;
      return this.ask({ kind: "field", field, values: [[lo, hi]], negated });
    }
    const known = field === "sport" ? this.sports : this.dports;
    const key = lo * 2 + (negated ? 1 : 0);
    let marks = known[key]!;
    if (marks < 0) known[key] = marks = this.ask({ kind: "field", field, values: oneInterval([lo, lo]), negated });
    return marks;
  }
}

function portMarks(fields: FieldMarks, known: Int32Array, field: "sport" | "dport", lo: number, hi: number, negated: boolean): number {
  if (lo === hi) {
    const marks = known[lo * 2 + (negated ? 1 : 0)]!;
    if (marks >= 0) return marks;
  }
  return fields.port(field, lo, hi, negated);
}

/** Builds the chain's pending rows into its rules, in order, before a command of the general path reads them. */
export function settleChain(table: TableState, chain: ChainState): void {
  const pending = chain.pending;
  if (pending === undefined) return;
  const rows = table.deferred!;
  for (const row of pending.rows) chain.rules.push(rows.build(row, chain.name, chain.rules.length + 1));
  rows.unsettled -= pending.rows.length;
  chain.pending = undefined;
}

/** Forgets the chain's pending rows: the chain is flushed (`:CHAIN` again under iptables-restore --noflush). */
export function dropPending(table: TableState, chain: ChainState): void {
  if (chain.pending === undefined) return;
  table.deferred!.unsettled -= chain.pending.rows.length;
  chain.pending = undefined;
}

/** Settles every chain of the table (commands that read or rename across chains). */
export function settleTable(table: TableState): void {
  if (table.deferred === undefined || table.deferred.unsettled === 0) return;
  for (const chain of table.chains.values()) settleChain(table, chain);
}

const NO_PICKS: readonly number[] = [];

/** The rows of one chain of the model, built on demand (see DeferredRules). */
class ChainRows implements DeferredRules {
  built = false;
  /** Rules built so far, by position; made on the first. */
  private cache: (Rule | undefined)[] | undefined;

  constructor(
    private readonly rows: DeferredRows,
    private readonly ids: readonly number[],
    private readonly chain: string,
    readonly interfaceNames: readonly string[],
    readonly callees: readonly string[],
  ) {}

  get count(): number {
    return this.ids.length;
  }

  target(i: number): TargetSummary {
    return this.rows.target(this.ids[i]!);
  }

  picks(askField: (match: FieldMatch) => number, askTarget: (kind: TargetSummary["kind"]) => number, named?: NamedValues): readonly number[] {
    const { marks, markedBefore } = this.rows.marks(askField, askTarget, named);
    const ids = this.ids;
    // Rows are kept in file order, so a chain's lie between its first and its last.
    if (ids.length === 0 || markedBefore[ids[ids.length - 1]! + 1] === markedBefore[ids[0]!]) return NO_PICKS;
    let picks: number[] | undefined;
    for (let i = 0; i < ids.length; i++) {
      const found = marks[ids[i]!]!;
      if (found !== 0) (picks ??= []).push(i, found);
    }
    return picks ?? NO_PICKS;
  }

  bounds(i: number, into: PlainBounds): void {
    this.rows.bounds(this.ids[i]!, into);
  }

  rule(i: number): Rule {
    const cache = (this.cache ??= new Array<Rule | undefined>(this.ids.length));
    return (cache[i] ??= this.rows.build(this.ids[i]!, this.chain, i + 1));
  }

  all(): Rule[] {
    const rules = new Array<Rule>(this.ids.length);
    for (let i = 0; i < rules.length; i++) rules[i] = this.rule(i);
    this.built = true;
    return rules;
  }
}

export interface ChainFields {
  readonly name: string;
  readonly table: TableName;
  readonly builtin: boolean;
  readonly policy?: ChainPolicy;
  readonly range?: SourceRange;
}

/**
 * A model chain whose rules are the state's pending rows: `rules` is an enumerable property built on first read
 * (then a plain value), `deferred` a hidden one with the rows' summaries.
 */
export function deferredChain(fields: ChainFields, state: ChainState, rows: DeferredRows): Chain {
  const pending = state.pending!;
  const chain = { name: fields.name, table: fields.table, builtin: fields.builtin, policy: fields.policy, range: fields.range } as Chain;
  Object.defineProperty(chain, "rules", { configurable: true, enumerable: true, get: buildRules });
  Object.defineProperty(chain, "deferred", { value: new ChainRows(rows, pending.rows, fields.name, pending.interfaceNames, pending.callees) });
  return chain;
}

/** The getter of a deferred chain's `rules` (one function for all of them): builds them, then keeps them as a value. */
function buildRules(this: Chain): Rule[] {
  const rules = (this.deferred as ChainRows).all();
  Object.defineProperty(this, "rules", { value: rules, writable: true, enumerable: true, configurable: true });
  return rules;
}
