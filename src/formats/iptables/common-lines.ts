// `-A` lines of the shapes iptables-save writes most, read straight from the text: generic -s/-d (IPv4), -p, -i/-o,
// `-m comment --comment`, `-m tcp|udp` with --sport/--dport, `-m statistic --mode random --probability`, and `-j` to
// a verdict, a user chain, `MARK --set-xmark` or `DNAT --to-destination ADDRESS[:PORT]`. Kubernetes nodes and large
// filtering gateways write almost nothing else, and the general path (words, command, getopt over every loaded
// extension) costs several times as much per rule.
//
// Two passes over the same code: checkCommonRule checks a line while the document loads and keeps only the facts a
// pass over the whole ruleset reads (deferred-rules.ts keeps them as rows); buildCommonRule makes the rule when
// something asks for it. A line is taken only when it is read completely, written as iptables-save writes it (single
// spaces, no counters, only the comment quoted), and the general path would load it without a word of complaint.
// For anything else the general path reads the line, so every message still comes from one place. Its rules equal
// the general path's, ranges and texts included: test/formats/iptables/common-lines.test.ts loads every iptables
// document of the corpora and iptables' own tests, and generated and mutated dumps, both ways and compares the models.

import { BUILTIN_CHAINS, type Interval, type Match, type Rule, type TableName, type Target, type TargetSummary } from "../../model/firewall.js";
import { rangeOf, type SourceFile, type SourceRange } from "../../model/source.js";
import { oneInterval, PROTOCOL_VALUES, standardTarget } from "./extensions/mapping.js";
import { parseFraction } from "./extensions/parsers.js";
import { findTarget, STANDARD_TARGETS } from "./extensions/registry.js";
import { PORT_PROTOCOLS, SERVICE_ANY, SERVICE_TCP } from "./extensions/tables.js";
import { markOperation } from "./extensions/targets/mark.js";
import { network4, parseAddress, parseMarkMask, parsePort, parsePortRange, parseProtocol, readNetwork4 } from "./extensions/values.js";
import type { ChainState, TableState } from "./commands.js";
import { MAX_LINE_WORDS, MAX_WORD_LENGTH } from "./words.js";

const TCP = 6;
const UDP = 17;
const IFNAMSIZ = 16;

/**
 * Word boundaries of the line being read, as offsets: starts[i] and ends[i] (a quoted word's include its quotes).
 * Rules are read one at a time, so one pair of arrays serves them all.
 */
const starts = new Int32Array(MAX_LINE_WORDS + 1);
const ends = new Int32Array(MAX_LINE_WORDS + 1);

/** Where each option of the rule is (word index of its `!` or of the option itself), -1 when absent. */
const at = { src: -1, dst: -1, proto: -1, in: -1, out: -1, ports: -1, sport: -1, dport: -1, comment: -1, statistic: -1, jump: -1, mark: -1, dnat: -1 };

/**
 * What checkCommonRule learned of the line it accepted, enough for a pass over a whole ruleset without the rule
 * (model DeferredRules): valid until the next line is read.
 */
export interface LineFacts {
  chain: ChainState;
  target: TargetSummary;
  /** How many matches the rule has (0: it matches every packet). */
  matchCount: number;
  /** `-p`: the protocol number (0 for none or `all`, which make no match) and its `!`. */
  proto: number;
  protoNegated: boolean;
  sport: Interval | undefined;
  sportNegated: boolean;
  dport: Interval | undefined;
  dportNegated: boolean;
  /** The names of its interface matches, in order. */
  readonly interfaces: string[];
  /** `-s` / `-d` as first and last address (when they make a match), and their `!`. */
  src: boolean;
  srcFirst: number;
  srcLast: number;
  srcNegated: boolean;
  dst: boolean;
  dstFirst: number;
  dstLast: number;
  dstNegated: boolean;
}

/**
 * A target summary with every field set: the rows of a dump hold a few kinds of them, read in loops over all rows,
 * which then see one shape of summary (see newChainState).
 */
function summary(kind: TargetSummary["kind"], verdict?: TargetSummary["verdict"], chain?: string): TargetSummary {
  return { kind, chain, verdict };
}

export const NO_TARGET = summary("none");
const ACCEPT = summary("verdict", "accept");
const DROP = summary("verdict", "drop");
const RETURN = summary("return");
const QUEUE = summary("opaque");
export const MARK_SUMMARY = summary("mark");
export const DNAT_SUMMARY = summary("dnat");

/**
 * An address beyond V8's small integers, the addresses' first value: IPv4 addresses from 64.0.0.0 on are not small
 * integers, and a field that held only small ones changes its representation when the first larger one comes, which
 * makes V8 drop optimized code that read the field (the loops over a dump's lines, when its first such address comes
 * after they were optimized).
 */
const LARGE_ADDRESS = 2 ** 32 - 1;

export const lineFacts: LineFacts = {
  chain: undefined as unknown as ChainState,
  target: NO_TARGET,
  matchCount: 0,
  proto: 0,
  protoNegated: false,
  sport: undefined,
  sportNegated: false,
  dport: undefined,
  dportNegated: false,
  interfaces: [],
  src: false,
  srcFirst: LARGE_ADDRESS,
  srcLast: LARGE_ADDRESS,
  srcNegated: false,
  dst: false,
  dstFirst: LARGE_ADDRESS,
  dstLast: LARGE_ADDRESS,
  dstNegated: false,
};

/** Summaries of jumps and gotos by chain name, shared by the rules naming the same chain (a table's worth). */
export type JumpSummaries = Map<string, TargetSummary>;

/**
 * Checks the `-A` line `text[start, end)` of `table` (whose chains `loading` holds) without building its rule: true,
 * with `lineFacts` filled, when it is of the common shapes and the general path would load it without a word of
 * complaint; false (nothing learned) when the general path must read it. For IPv4 documents read without variables.
 */
export function checkCommonRule(source: SourceFile, start: number, end: number, table: TableState, loading: Loading): boolean {
  const text = source.text;
  const count = splitPlain(text, start, end);
  if (count < 2) return false;
  // Runs of rules of one chain: compared in place with the last chain's name, looked up only when it changes.
  const last = table.lastChain;
  const chain = last !== undefined && wordIs(text, 1, last.name) ? last : table.chains.get(text.slice(starts[1]!, ends[1]!));
  if (chain === undefined || !locate(text, count)) return false;
  const facts = lineFacts;
  facts.matchCount = 0;
  facts.proto = 0;
  facts.protoNegated = facts.sportNegated = facts.dportNegated = false;
  facts.sport = facts.dport = undefined;
  if (facts.interfaces.length !== 0) facts.interfaces.length = 0;
  facts.src = facts.dst = false;
  const target = readRule(source, table.name, loading, chain.name, undefined);
  if (target === undefined) return false;
  facts.target = target;
  facts.chain = chain;
  table.lastChain = chain;
  return true;
}

/**
 * The rule of a line checkCommonRule accepted, as the general path builds it, ranges and text included: rule
 * `index` of `chain` in `table`. Throws if the line is not one (a defect: the caller keeps only accepted lines).
 */
export function buildCommonRule(source: SourceFile, start: number, end: number, table: TableName, chain: string, index: number): Rule {
  const text = source.text;
  const count = splitPlain(text, start, end);
  if (count < 2 || !locate(text, count)) throw new Error(`line at offset ${start} is not a common -A line`);
  const matches: Match[] = [];
  // Given a list for the matches, readRule builds: its target is a model Target, not a summary.
  const target = readRule(source, table, undefined, chain, matches) as Target | undefined;
  if (target === undefined) throw new Error(`line at offset ${start} is not a common -A line`);
  return {
    chain,
    index,
    range: rangeOf(source, start, end),
    text: text.slice(start, end),
    matches,
    target,
    comment: at.comment === -1 ? undefined : wordText(text, at.comment + 3),
  };
}

/**
 * Splits the line at single spaces into `starts`/`ends`; returns the word count, or 0 for a line not written as
 * iptables-save writes it: a blank other than one space between words, a control character, a quote anywhere but
 * around a whole word, a backslash inside quotes, an empty or overlong word, too many words.
 */
function splitPlain(text: string, start: number, end: number): number {
  let count = 0;
  let i = start;
  while (i < end) {
    if (count > MAX_LINE_WORDS) return 0;
    const wordStart = i;
    if (text.charCodeAt(i) === 34) {
      // A quoted word without escapes or control characters (a backslash escapes inside quotes: general path).
      let close = i + 1;
      for (; close < end; close++) {
        const c = text.charCodeAt(close);
        if (c === 34) break;
        if (c < 32 || c === 92 || c === 127) return 0;
      }
      if (close >= end) return 0;
      i = close + 1;
      if (close - wordStart - 1 > MAX_WORD_LENGTH) return 0;
    } else {
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c <= 34) {
          if (c === 32) break;
          if (c < 32 || c === 34) return 0;
        } else if (c === 127) return 0;
      }
      if (i === wordStart || i - wordStart > MAX_WORD_LENGTH) return 0;
    }
    starts[count] = wordStart;
    ends[count++] = i;
    if (i < end) {
      // One space, then a word: no double, leading or trailing blank.
      if (text.charCodeAt(i) !== 32 || i + 1 >= end || text.charCodeAt(i + 1) === 32) return 0;
      i++;
    }
  }
  if (count > MAX_LINE_WORDS) return 0;
  // `-A CHAIN`: a chain word starting with - or ! is no chain name to iptables (it reads an option there).
  if (!(ends[0]! - starts[0]! === 2 && text.charCodeAt(starts[0]!) === 45 && text.charCodeAt(starts[0]! + 1) === 65)) return 0;
  if (count > 1 && (text.charCodeAt(starts[1]!) === 45 || text.charCodeAt(starts[1]!) === 33 || text.charCodeAt(starts[1]!) === 34)) return 0;
  return count;
}

/** The value of word `w`: without its quotes when it has them (splitPlain allows no escapes inside). */
function wordText(text: string, w: number): string {
  const quoted = text.charCodeAt(starts[w]!) === 34;
  return text.slice(starts[w]! + (quoted ? 1 : 0), ends[w]! - (quoted ? 1 : 0));
}

/** Whether word `w` is written exactly `expected`, compared without slicing. */
function wordIs(text: string, w: number, expected: string): boolean {
  return ends[w]! - starts[w]! === expected.length && text.startsWith(expected, starts[w]!);
}

/**
 * Finds each option's word (pass 1); false for any option, module or order outside the common shapes, and for a
 * value that starts with `-` (rare in dumps; whether such a word is a value or a global option like `-4` is getopt's
 * business, which the general path follows).
 */
function locate(text: string, count: number): boolean {
  at.src = at.dst = at.proto = at.in = at.out = at.ports = at.sport = at.dport = at.comment = at.statistic = at.jump = at.mark = at.dnat = -1;
  let w = 2;
  while (w < count) {
    const first = w;
    const negated = wordIs(text, w, "!");
    if (negated) w++;
    if (w + 1 >= count || text.charCodeAt(starts[w]!) !== 45 || text.charCodeAt(starts[w + 1]!) === 45) return false;
    const length = ends[w]! - starts[w]!;
    const c1 = text.charCodeAt(starts[w]! + 1);
    if (length === 2) {
      switch (c1) {
        case 115 /* s */:
          if (at.src !== -1) return false;
          at.src = first;
          break;
        case 100 /* d */:
          if (at.dst !== -1) return false;
          at.dst = first;
          break;
        case 112 /* p */:
          if (at.proto !== -1) return false;
          at.proto = first;
          break;
        case 105 /* i */:
          if (at.in !== -1) return false;
          at.in = first;
          break;
        case 111 /* o */:
          if (at.out !== -1) return false;
          at.out = first;
          break;
        case 109 /* m */:
          if (negated) return false;
          if (wordIs(text, w + 1, "comment")) {
            // `-m comment --comment TEXT`; a second comment module is left to the general path.
            if (at.comment !== -1 || w + 3 >= count || !wordIs(text, w + 2, "--comment") || text.charCodeAt(starts[w + 3]!) === 45) return false;
            at.comment = w;
            w += 4;
            continue;
          }
          if (wordIs(text, w + 1, "statistic")) {
            if (at.statistic !== -1 || w + 5 >= count || !wordIs(text, w + 2, "--mode") || !wordIs(text, w + 3, "random") || !wordIs(text, w + 4, "--probability")) return false;
            if (text.charCodeAt(starts[w + 5]!) === 45) return false;
            at.statistic = w;
            w += 6;
            continue;
          }
          if (at.ports !== -1 || !(wordIs(text, w + 1, "tcp") || wordIs(text, w + 1, "udp"))) return false;
          at.ports = w;
          break;
        case 106 /* j */:
        case 103 /* g */:
          if (negated || at.jump !== -1) return false;
          at.jump = w;
          if (c1 === 106 && wordIs(text, w + 1, "MARK")) {
            // `-j MARK --set-xmark VALUE[/MASK]`, its option right after it.
            if (w + 3 >= count || !wordIs(text, w + 2, "--set-xmark") || text.charCodeAt(starts[w + 3]!) === 45) return false;
            at.mark = w + 2;
            w += 4;
            continue;
          }
          if (c1 === 106 && wordIs(text, w + 1, "DNAT")) {
            // `-j DNAT --to-destination VALUE`, likewise.
            if (w + 3 >= count || !wordIs(text, w + 2, "--to-destination") || text.charCodeAt(starts[w + 3]!) === 45) return false;
            at.dnat = w + 2;
            w += 4;
            continue;
          }
          break;
        default:
          return false;
      }
    } else if (wordIs(text, w, "--dport") || wordIs(text, w, "--sport")) {
      // Only after `-m tcp|udp`: otherwise -p loads the module implicitly, which the general path handles.
      if (at.ports === -1) return false;
      if (text.charCodeAt(starts[w]! + 2) === 100) {
        if (at.dport !== -1) return false;
        at.dport = first;
      } else {
        if (at.sport !== -1) return false;
        at.sport = first;
      }
    } else return false;
    w += 2;
  }
  return w === count;
}

/**
 * Values and the model (pass 2), in the order the general path builds them: src, dst, in, out, proto, module matches.
 * With `out`, the matches are pushed to it and the target is a model Target; without, the line is only checked: the
 * facts go to `lineFacts` and the target is a summary. `chains` (the table's, while loading) checks jump targets;
 * a rule built later was checked with them already.
 */
function readRule(source: SourceFile, table: TableName, loading: Loading | undefined, chainName: string, out: Match[] | undefined): TargetSummary | undefined {
  const text = source.text;
  if (at.in !== -1 && (chainName === "OUTPUT" || chainName === "POSTROUTING")) return undefined;
  if (at.out !== -1 && (chainName === "PREROUTING" || chainName === "INPUT")) return undefined;
  let proto = -1;
  let protoNegated = false;
  if (at.proto !== -1) {
    protoNegated = wordIs(text, at.proto, "!");
    const value = valueWord(at.proto);
    proto = wordIs(text, value, "tcp") ? TCP : wordIs(text, value, "udp") ? UDP : (parseProtocol(text.slice(starts[value]!, ends[value]!)) ?? -2);
    if (proto === -2 || (proto === 0 && protoNegated)) return undefined;
  }
  const portAt = at.ports;
  const portModule = portAt === -1 ? -1 : text.charCodeAt(starts[portAt + 1]!) === 116 ? TCP : UDP;
  if (portModule !== -1 && (proto !== portModule || protoNegated)) return undefined;
  if (at.src !== -1 && !address(source, at.src, "src", out)) return undefined;
  if (at.dst !== -1 && !address(source, at.dst, "dst", out)) return undefined;
  if (at.in !== -1 && !iface(source, at.in, "in", out)) return undefined;
  if (at.out !== -1 && !iface(source, at.out, "out", out)) return undefined;
  if (proto > 0) {
    if (out === undefined) {
      lineFacts.proto = proto;
      lineFacts.protoNegated = protoNegated;
      lineFacts.matchCount++;
    } else out.push({ kind: "field", field: "proto", values: PROTOCOL_VALUES[proto]!, negated: protoNegated, range: span(source, at.proto, valueWord(at.proto)) });
  }
  // Module matches in the order the modules were loaded (comment adds none).
  const services = portModule === TCP ? SERVICE_TCP : SERVICE_ANY;
  if (at.statistic !== -1 && portAt !== -1 && portAt < at.statistic) {
    if (!ports(source, services, out) || !statistic(source, out)) return undefined;
  } else if (!statistic(source, out) || !ports(source, services, out)) return undefined;
  if (at.jump === -1) return out === undefined ? NO_TARGET : { kind: "none" };
  return jump(source, table, loading, chainName, at.jump, out !== undefined);
}

/** While a document loads: its table's chains (jump targets must exist) and the jump summaries shared so far. */
export interface Loading {
  readonly chains: ReadonlyMap<string, unknown>;
  readonly jumps: JumpSummaries;
  readonly gotos: JumpSummaries;
}

/** The word holding the value of the option at `first` (its `!` or itself). */
function valueWord(first: number): number {
  return first + (ends[first]! - starts[first]! === 1 ? 2 : 1);
}

function span(source: SourceFile, first: number, last: number): SourceRange {
  return rangeOf(source, starts[first]!, ends[last]!);
}

function address(source: SourceFile, first: number, direction: "src" | "dst", out: Match[] | undefined): boolean {
  const text = source.text;
  const negated = wordIs(text, first, "!");
  const w = valueWord(first);
  // The value is sliced first: the address readers search it with indexOf, which must not run on into the file.
  const value = text.slice(starts[w]!, ends[w]!);
  if (value.indexOf(",") !== -1 || readNetwork4(value) !== undefined || network4.prefix < 0) return false;
  if (network4.prefix === 0 && !negated) return true;
  if (out === undefined) {
    const facts = lineFacts;
    facts.matchCount++;
    if (direction === "src") {
      facts.src = true;
      facts.srcFirst = network4.first;
      facts.srcLast = network4.last;
      facts.srcNegated = negated;
    } else {
      facts.dst = true;
      facts.dstFirst = network4.first;
      facts.dstLast = network4.last;
      facts.dstNegated = negated;
    }
    return true;
  }
  const lo = BigInt(network4.first);
  const values = [[lo, network4.last === network4.first ? lo : BigInt(network4.last)] as const];
  out.push({ kind: "address", direction, family: "ipv4", values, negated, range: span(source, first, w) });
  return true;
}

function iface(source: SourceFile, first: number, direction: "in" | "out", out: Match[] | undefined): boolean {
  const text = source.text;
  const negated = wordIs(text, first, "!");
  const w = valueWord(first);
  const name = text.slice(starts[w]!, ends[w]!);
  if (text.charCodeAt(starts[w]!) === 34 || Buffer.byteLength(name) >= IFNAMSIZ) return false;
  if (name === "+" && !negated) return true;
  if (out === undefined) {
    lineFacts.matchCount++;
    lineFacts.interfaces.push(name);
    return true;
  }
  out.push({ kind: "interface", direction, name, negated, range: span(source, first, w) });
  return true;
}

/** --sport then --dport, as the tcp and udp modules map them. */
function ports(source: SourceFile, services: number, out: Match[] | undefined): boolean {
  return port(source, at.sport, "sport", services, out) && port(source, at.dport, "dport", services, out);
}

function port(source: SourceFile, first: number, field: "sport" | "dport", services: number, out: Match[] | undefined): boolean {
  if (first === -1) return true;
  const w = valueWord(first);
  if (source.text.charCodeAt(starts[w]!) === 34) return false;
  const plain = plainPort(source.text, starts[w]!, ends[w]!);
  const interval = plain >= 0 ? ([plain, plain] as const) : parsePortRange(source.text.slice(starts[w]!, ends[w]!), services);
  if (interval === undefined) return false;
  const negated = wordIs(source.text, first, "!");
  if (out !== undefined) {
    out.push({ kind: "field", field, values: oneInterval(interval), negated, range: span(source, first, w) });
    return true;
  }
  lineFacts.matchCount++;
  if (field === "sport") {
    lineFacts.sport = interval;
    lineFacts.sportNegated = negated;
  } else {
    lineFacts.dport = interval;
    lineFacts.dportNegated = negated;
  }
  return true;
}

/** `0.` and digits, as kube-proxy writes probabilities: a number parseFraction takes, within 0..1. */
function isPlainFraction(text: string, from: number, to: number): boolean {
  if (to - from < 3 || text.charCodeAt(from) !== 48 || text.charCodeAt(from + 1) !== 46) return false;
  for (let i = from + 2; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * A port written as dumps write most: decimal digits, no leading zero, at most 65535 (what parsePortRange reads the
 * same way: no service name is all digits); -1 for anything else.
 */
function plainPort(text: string, from: number, to: number): number {
  if (to - from > 5 || to === from || (text.charCodeAt(from) === 48 && to - from > 1)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value <= 65535 ? value : -1;
}

/** `-m statistic --mode random --probability P`: a match the engine does not model, with its options as written. */
function statistic(source: SourceFile, out: Match[] | undefined): boolean {
  const first = at.statistic;
  if (first === -1) return true;
  const text = source.text;
  if (text.charCodeAt(starts[first + 5]!) === 34) return false;
  if (!isPlainFraction(text, starts[first + 5]!, ends[first + 5]!) && parseFraction(text.slice(starts[first + 5]!, ends[first + 5]!), 0, 1) === undefined) return false;
  if (out === undefined) lineFacts.matchCount++;
  else out.push({ kind: "opaque", module: "statistic", text: text.slice(starts[first + 2]!, ends[first + 5]!), negated: false, range: span(source, first, first + 5) });
  return true;
}

/**
 * The target; a model Target when `build`, else a summary (verdicts and jumps without ranges).
 */
function jump(source: SourceFile, table: TableName, loading: Loading | undefined, chain: string, first: number, build: boolean): TargetSummary | undefined {
  const text = source.text;
  const goto = text.charCodeAt(starts[first]! + 1) === 103;
  if (text.charCodeAt(starts[first + 1]!) === 34) return undefined;
  // splitPlain lets no blank into a word, so the name needs no blank check.
  // Names of 29 characters or more are refused by jumpSummary (a built rule was checked by it first).
  const name = text.slice(starts[first + 1]!, ends[first + 1]!);
  if (at.mark !== -1) {
    const value = parseMarkMask(text.slice(starts[at.mark + 1]!, ends[at.mark + 1]!));
    if (value === undefined || text.charCodeAt(starts[at.mark + 1]!) === 34) return undefined;
    return build ? markOperation("set-xmark", value[0], value[1], span(source, first, at.mark + 1)) : MARK_SUMMARY;
  }
  if (at.dnat !== -1) return dnat(source, table, chain, first, build);
  if (!build) return jumpSummary(name, goto, table, loading!);
  if (!goto && STANDARD_TARGETS.has(name)) return standardTarget(name, false, span(source, first, first + 1));
  if ((!goto && findTarget(name, "ipv4")) || (BUILTIN_CHAINS[table] as readonly string[]).includes(name)) return undefined;
  return standardTarget(name, goto, span(source, first, first + 1));
}

/**
 * The summary of `-j NAME` / `-g NAME` (no target options) in `table` while it loads: a verdict, or a jump to a
 * chain it has; undefined for anything the general path must read. A jump to a chain already jumped to passed every
 * check but the chain's existence, which can change: that alone is asked again.
 */
export function jumpSummary(name: string, goto: boolean, table: TableName, loading: Loading): TargetSummary | undefined {
  if (name.length >= 29) return undefined;
  const known = (goto ? loading.gotos : loading.jumps).get(name);
  if (known !== undefined) return loading.chains.has(name) ? known : undefined;
  if (!goto && STANDARD_TARGETS.has(name)) return name === "ACCEPT" ? ACCEPT : name === "DROP" ? DROP : name === "RETURN" ? RETURN : QUEUE;
  if (!goto && findTarget(name, "ipv4")) return undefined;
  if (!loading.chains.has(name) || (BUILTIN_CHAINS[table] as readonly string[]).includes(name)) return undefined;
  const jump = summary(goto ? "goto" : "jump", undefined, name);
  (goto ? loading.gotos : loading.jumps).set(name, jump);
  return jump;
}

/**
 * `-j DNAT --to-destination A.B.C.D[:PORT]`: one address and at most one port (ranges and port shifts are the general
 * path's). In the nat table, in PREROUTING, OUTPUT or a user chain; a port needs `-p tcp|udp|...` before the target,
 * as the DNAT module reads the protocol when it reads its option.
 */
function dnat(source: SourceFile, table: TableName, chain: string, first: number, build: boolean): TargetSummary | undefined {
  const text = source.text;
  const value = text.slice(starts[at.dnat + 1]!, ends[at.dnat + 1]!);
  if (table !== "nat" || value.charCodeAt(0) === 34) return undefined;
  if (chain === "INPUT" || chain === "POSTROUTING") return undefined;
  const colon = value.indexOf(":");
  const address = parseAddress(colon === -1 ? value : value.slice(0, colon), "ipv4");
  if (address === undefined || value.indexOf("-") !== -1 || value.indexOf("/") !== -1) return undefined;
  if (colon === -1) return build ? dnatTarget(address, undefined, span(source, first, at.dnat + 1)) : DNAT_SUMMARY;
  if (at.proto === -1 || at.proto > first || wordIs(text, at.proto, "!")) return undefined;
  const proto = parseProtocol(text.slice(starts[valueWord(at.proto)]!, ends[valueWord(at.proto)]!));
  const port = parsePort(value.slice(colon + 1));
  if (proto === undefined || !PORT_PROTOCOLS.includes(proto) || port === undefined) return undefined;
  return build ? dnatTarget(address, port, span(source, first, at.dnat + 1)) : DNAT_SUMMARY;
}

function dnatTarget(address: bigint, port: number | undefined, range: SourceRange): Target {
  return port === undefined ? { kind: "dnat", toAddresses: [address, address], range } : { kind: "dnat", toAddresses: [address, address], toPorts: [port, port], range };
}
