// The check of common `-A` lines (src/formats/iptables/common-lines.ts) compiled ahead of time, for large dumps.
//
// JavaScript checks a dump's first ten thousand lines several times slower than the rest, while its code is still
// being compiled, and a 100k-rule dump is mostly that. This module (AssemblyScript, built to WebAssembly by
// `npm run build`) is fast from its first line: it splits and reads a run of lines of the ASCII text the caller copied
// into its memory, and writes what it read of each as a record. It answers only for a strict subset of what
// checkCommonRule takes (decimal ports, dotted-quad addresses, `-p tcp|udp`, hexadecimal marks...): any other line
// stops the run and goes to the JavaScript reader, so every line it does take must read exactly as checkCommonRule
// reads it, which test/formats/iptables/native-lines.test.ts holds it to. What needs the table's chains (the chain,
// the jump target, interface names as strings) is left to the caller: see src/formats/iptables/native-lines.ts.

/** Words of a line at most (MAX_LINE_WORDS in words.ts) and longest word (MAX_WORD_LENGTH). */
const MAX_LINE_WORDS = 251;
const MAX_WORD_LENGTH = 1023;

/** Record layout (src/formats/iptables/row-layout.ts): RECORD_FIELDS i32 per line, at recordsAt(). Field indexes, in bytes. */
export const RECORD_FIELDS = 22;
const START = 0;
const END = 4;
const FLAGS = 8;
const PROTO = 12;
const MATCH_COUNT = 16;
const SPORT_LO = 20;
const SPORT_HI = 24;
const DPORT_LO = 28;
const DPORT_HI = 32;
const SRC_FIRST = 36;
const SRC_LAST = 40;
const DST_FIRST = 44;
const DST_LAST = 48;
const CHAIN_END = 52;
const TARGET_START = 56;
const TARGET_END = 60;
const IN_START = 64;
const IN_END = 68;
const OUT_START = 72;
const OUT_END = 76;
/** The name ids (see intern) of the target's name, when it is a name, and of the chain's. */
const TARGET_ID = 80;
const CHAIN_ID = 84;

/** Bits of FLAGS. */
const PROTO_NEGATED = 1;
const HAS_SPORT = 2;
const SPORT_NEGATED = 4;
const HAS_DPORT = 8;
const DPORT_NEGATED = 16;
const HAS_SRC = 32;
const SRC_NEGATED = 64;
const HAS_DST = 128;
const DST_NEGATED = 256;
const HAS_IN = 512;
const HAS_OUT = 1024;
const GOTO = 2048;
/** The target, in bits 12-14. */
const TARGET_SHIFT = 12;
const TARGET_NONE = 0;
const TARGET_NAMED = 1;
const TARGET_MARK = 2;
const TARGET_DNAT = 3;
/** `-i` / `-o` written (even as `+`, which makes no match: the chain must still allow them). */
const IN_WRITTEN = 1 << 15;
const OUT_WRITTEN = 1 << 16;

/** Records one run may write. */
const MAX_RECORDS = 1024;

const TCP = 6;
const UDP = 17;

const wordStarts = memory.data((MAX_LINE_WORDS + 2) * 4, 16);
const wordEnds = memory.data((MAX_LINE_WORDS + 2) * 4, 16);
const records = memory.data(MAX_RECORDS * RECORD_FIELDS * 4, 16);

/** Where the caller copies the text (offset 0 of the text is this address). */
export function textAt(): usize {
  return (__heap_base + 15) & ~15;
}

export function recordsAt(): usize {
  return records;
}

/** Where the last run stopped (text offset): the start of the line it did not take, or the end of the range. */
let stoppedAt: i32 = 0;
/** Whether the last run stopped at a line it does not take (rather than at the end or with its records full). */
let stoppedOnLine: bool = false;

export function runStoppedAt(): i32 {
  return stoppedAt;
}

export function runStoppedOnLine(): bool {
  return stoppedOnLine;
}

let text: usize = 0;

@inline function ch(i: i32): i32 {
  return <i32>load<u8>(text + <usize>i);
}
@inline function wordStart(w: i32): i32 {
  return load<i32>(wordStarts + (<usize>w << 2));
}
@inline function wordEnd(w: i32): i32 {
  return load<i32>(wordEnds + (<usize>w << 2));
}
@inline function wordLength(w: i32): i32 {
  return wordEnd(w) - wordStart(w);
}

/** Whether word `w` is `expected` (ASCII). */
function wordIs(w: i32, expected: string): bool {
  const s = wordStart(w);
  const n = expected.length;
  if (wordEnd(w) - s != n) return false;
  for (let k = 0; k < n; k++) if (ch(s + k) != <i32>expected.charCodeAt(k)) return false;
  return true;
}

@inline function isBang(w: i32): bool {
  return wordLength(w) == 1 && ch(wordStart(w)) == 33;
}

/**
 * Reads the lines of `[from, to)` (text offsets) from `from`, a line start, writing a record for each it takes, until
 * one it does not take, the end, or MAX_RECORDS; returns the number of records (see runStoppedAt/runStoppedOnLine).
 */
export function run(from: i32, to: i32): i32 {
  text = textAt();
  let count = 0;
  let start = from;
  stoppedOnLine = false;
  while (start < to) {
    if (count == MAX_RECORDS) break;
    const next = lineBreak(start, to);
    const end = next > start && ch(next - 1) == 13 ? next - 1 : next;
    const record = records + <usize>(count * RECORD_FIELDS * 4);
    if (!(end - start > 3 && ch(start) == 45 && ch(start + 1) == 65 && ch(start + 2) == 32) || !checkLine(start, end, record)) {
      stoppedOnLine = true;
      break;
    }
    count++;
    start = next + 1;
  }
  stoppedAt = start < to ? start : to;
  return count;
}

/** The offset of the first line break in text[from, to), or `to`: sixteen bytes at a time, then byte by byte. */
function lineBreak(from: i32, to: i32): i32 {
  let i = from;
  const breaks = i8x16.splat(10);
  while (i + 16 <= to) {
    const found = i8x16.bitmask(i8x16.eq(v128.load(text + <usize>i), breaks));
    if (found != 0) return i + ctz<i32>(found);
    i += 16;
  }
  while (i < to && ch(i) != 10) i++;
  return i;
}

/** splitPlain of common-lines.ts: the word count, or 0. */
function split(start: i32, end: i32): i32 {
  let count = 0;
  let i = start;
  while (i < end) {
    if (count > MAX_LINE_WORDS) return 0;
    const begin = i;
    if (ch(i) == 34) {
      let close = i + 1;
      for (; close < end; close++) {
        const c = ch(close);
        if (c == 34) break;
        if (c < 32 || c == 92 || c == 127) return 0;
      }
      if (close >= end) return 0;
      i = close + 1;
      if (close - begin - 1 > MAX_WORD_LENGTH) return 0;
    } else {
      for (; i < end; i++) {
        const c = ch(i);
        if (c <= 34) {
          if (c == 32) break;
          if (c < 32 || c == 34) return 0;
        } else if (c >= 127) return 0;
      }
      if (i == begin || i - begin > MAX_WORD_LENGTH) return 0;
    }
    store<i32>(wordStarts + (<usize>count << 2), begin);
    store<i32>(wordEnds + (<usize>count << 2), i);
    count++;
    if (i < end) {
      if (ch(i) != 32 || i + 1 >= end || ch(i + 1) == 32) return 0;
      i++;
    }
  }
  if (count > MAX_LINE_WORDS) return 0;
  if (count < 2) return 0;
  const c = ch(wordStart(1));
  if (c == 45 || c == 33 || c == 34) return 0;
  return count;
}

// Where each option is (word of its `!` or itself), -1 when absent: locate() of common-lines.ts.
let atSrc = -1;
let atDst = -1;
let atProto = -1;
let atIn = -1;
let atOut = -1;
let atPorts = -1;
let atSport = -1;
let atDport = -1;
let atComment = -1;
let atStatistic = -1;
let atJump = -1;
let atMark = -1;
let atDnat = -1;

function locate(count: i32): bool {
  atSrc = atDst = atProto = atIn = atOut = atPorts = atSport = atDport = atComment = atStatistic = atJump = atMark = atDnat = -1;
  let w = 2;
  while (w < count) {
    const first = w;
    const negated = isBang(w);
    if (negated) w++;
    if (w + 1 >= count || ch(wordStart(w)) != 45 || ch(wordStart(w + 1)) == 45) return false;
    const length = wordLength(w);
    const c1 = ch(wordStart(w) + 1);
    if (length == 2) {
      if (c1 == 115) {
        if (atSrc != -1) return false;
        atSrc = first;
      } else if (c1 == 100) {
        if (atDst != -1) return false;
        atDst = first;
      } else if (c1 == 112) {
        if (atProto != -1) return false;
        atProto = first;
      } else if (c1 == 105) {
        if (atIn != -1) return false;
        atIn = first;
      } else if (c1 == 111) {
        if (atOut != -1) return false;
        atOut = first;
      } else if (c1 == 109) {
        if (negated) return false;
        if (wordIs(w + 1, "comment")) {
          if (atComment != -1 || w + 3 >= count || !wordIs(w + 2, "--comment") || ch(wordStart(w + 3)) == 45) return false;
          atComment = w;
          w += 4;
          continue;
        }
        if (wordIs(w + 1, "statistic")) {
          if (atStatistic != -1 || w + 5 >= count || !wordIs(w + 2, "--mode") || !wordIs(w + 3, "random") || !wordIs(w + 4, "--probability")) return false;
          if (ch(wordStart(w + 5)) == 45) return false;
          atStatistic = w;
          w += 6;
          continue;
        }
        if (atPorts != -1 || !(wordIs(w + 1, "tcp") || wordIs(w + 1, "udp"))) return false;
        atPorts = w;
      } else if (c1 == 106 || c1 == 103) {
        if (negated || atJump != -1) return false;
        atJump = w;
        if (c1 == 106 && wordIs(w + 1, "MARK")) {
          if (w + 3 >= count || !wordIs(w + 2, "--set-xmark") || ch(wordStart(w + 3)) == 45) return false;
          atMark = w + 2;
          w += 4;
          continue;
        }
        if (c1 == 106 && wordIs(w + 1, "DNAT")) {
          if (w + 3 >= count || !wordIs(w + 2, "--to-destination") || ch(wordStart(w + 3)) == 45) return false;
          atDnat = w + 2;
          w += 4;
          continue;
        }
      } else return false;
    } else if (wordIs(w, "--dport") || wordIs(w, "--sport")) {
      if (atPorts == -1) return false;
      if (ch(wordStart(w) + 2) == 100) {
        if (atDport != -1) return false;
        atDport = first;
      } else {
        if (atSport != -1) return false;
        atSport = first;
      }
    } else return false;
    w += 2;
  }
  return w == count;
}

@inline function valueWord(first: i32): i32 {
  return first + (wordLength(first) == 1 ? 2 : 1);
}

/** Four decimal bytes without leading zeros, then optionally `/` and a decimal prefix without leading zero. */
let networkFirst: u32 = 0;
let networkLast: u32 = 0;
let networkPrefix: i32 = 0;

function readNetwork(from: i32, to: i32): bool {
  let value: u32 = 0;
  let byte: u32 = 0;
  let digits = 0;
  let dots = 0;
  let i = from;
  for (; i < to; i++) {
    const c = ch(i);
    if (c == 47) break;
    if (c == 46) {
      if (digits == 0 || dots == 3) return false;
      value = (value << 8) | byte;
      dots++;
      byte = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57 || (digits == 1 && byte == 0)) return false;
    byte = byte * 10 + <u32>(c - 48);
    digits++;
    if (byte > 255) return false;
  }
  if (dots != 3 || digits == 0) return false;
  value = (value << 8) | byte;
  let prefix = 32;
  if (i < to) {
    const digitsFrom = i + 1;
    if (digitsFrom >= to || to - digitsFrom > 2 || (ch(digitsFrom) == 48 && to - digitsFrom > 1)) return false;
    prefix = 0;
    for (let k = digitsFrom; k < to; k++) {
      const c = ch(k);
      if (c < 48 || c > 57) return false;
      prefix = prefix * 10 + (c - 48);
    }
    if (prefix > 32) return false;
  }
  const mask: u32 = prefix == 0 ? 0 : <u32>0xffffffff << <u32>(32 - prefix);
  networkFirst = value & mask;
  networkLast = networkFirst | ~mask;
  networkPrefix = prefix;
  return true;
}

/** plainPort of common-lines.ts. */
function plainPort(from: i32, to: i32): i32 {
  if (to - from > 5 || to == from || (ch(from) == 48 && to - from > 1)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = ch(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value <= 65535 ? value : -1;
}

/** `0x` and one to eight hexadecimal digits (what parseUnsigned reads as at most 0xffffffff). */
function isHex32(from: i32, to: i32): bool {
  if (to - from < 3 || to - from > 10 || ch(from) != 48 || (ch(from + 1) != 120 && ch(from + 1) != 88)) return false;
  for (let i = from + 2; i < to; i++) {
    const c = ch(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** A run of decimal digits (the probability's fraction). */
function isPlainFraction(from: i32, to: i32): bool {
  if (to - from < 3 || ch(from) != 48 || ch(from + 1) != 46) return false;
  for (let i = from + 2; i < to; i++) {
    const c = ch(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function checkLine(start: i32, end: i32, record: usize): bool {
  const count = split(start, end);
  if (count == 0 || !locate(count)) return false;
  let flags = 0;
  let matches = 0;
  let proto = 0;
  if (atProto != -1) {
    const negated = isBang(atProto);
    const value = valueWord(atProto);
    if (wordIs(value, "tcp")) proto = TCP;
    else if (wordIs(value, "udp")) proto = UDP;
    else return false;
    if (negated) flags |= PROTO_NEGATED;
    matches++;
  }
  if (atPorts != -1) {
    const module = ch(wordStart(atPorts + 1)) == 116 ? TCP : UDP;
    if (proto != module || (flags & PROTO_NEGATED) != 0) return false;
  }
  if (atSrc != -1) {
    const value = valueWord(atSrc);
    if (!readNetwork(wordStart(value), wordEnd(value))) return false;
    const negated = isBang(atSrc);
    if (networkPrefix != 0 || negated) {
      flags |= HAS_SRC | (negated ? SRC_NEGATED : 0);
      store<u32>(record + SRC_FIRST, networkFirst);
      store<u32>(record + SRC_LAST, networkLast);
      matches++;
    }
  }
  if (atDst != -1) {
    const value = valueWord(atDst);
    if (!readNetwork(wordStart(value), wordEnd(value))) return false;
    const negated = isBang(atDst);
    if (networkPrefix != 0 || negated) {
      flags |= HAS_DST | (negated ? DST_NEGATED : 0);
      store<u32>(record + DST_FIRST, networkFirst);
      store<u32>(record + DST_LAST, networkLast);
      matches++;
    }
  }
  if (atIn != -1) {
    flags |= IN_WRITTEN;
    const matched = readInterface(atIn, record + IN_START, record + IN_END);
    if (matched < 0) return false;
    if (matched > 0) {
      flags |= HAS_IN;
      matches++;
    }
  }
  if (atOut != -1) {
    flags |= OUT_WRITTEN;
    const matched = readInterface(atOut, record + OUT_START, record + OUT_END);
    if (matched < 0) return false;
    if (matched > 0) {
      flags |= HAS_OUT;
      matches++;
    }
  }
  if (atSport != -1) {
    const value = valueWord(atSport);
    const port = plainPort(wordStart(value), wordEnd(value));
    if (port < 0) return false;
    flags |= HAS_SPORT | (isBang(atSport) ? SPORT_NEGATED : 0);
    store<i32>(record + SPORT_LO, port);
    store<i32>(record + SPORT_HI, port);
    matches++;
  }
  if (atDport != -1) {
    const value = valueWord(atDport);
    const port = plainPort(wordStart(value), wordEnd(value));
    if (port < 0) return false;
    flags |= HAS_DPORT | (isBang(atDport) ? DPORT_NEGATED : 0);
    store<i32>(record + DPORT_LO, port);
    store<i32>(record + DPORT_HI, port);
    matches++;
  }
  if (atStatistic != -1) {
    if (!isPlainFraction(wordStart(atStatistic + 5), wordEnd(atStatistic + 5))) return false;
    matches++;
  }
  let target = TARGET_NONE;
  if (atJump != -1) {
    const name = atJump + 1;
    if (ch(wordStart(name)) == 34) return false;
    if (ch(wordStart(atJump) + 1) == 103) flags |= GOTO;
    if (atMark != -1) {
      const value = atMark + 1;
      const s = wordStart(value);
      const e = wordEnd(value);
      let slash = s;
      while (slash < e && ch(slash) != 47) slash++;
      if (!isHex32(s, slash) || (slash < e && !isHex32(slash + 1, e))) return false;
      target = TARGET_MARK;
    } else if (atDnat != -1) {
      if (!dnatTaken()) return false;
      target = TARGET_DNAT;
    } else target = TARGET_NAMED;
    store<i32>(record + TARGET_START, wordStart(name));
    store<i32>(record + TARGET_END, wordEnd(name));
    store<i32>(record + TARGET_ID, target == TARGET_NAMED ? intern(wordStart(name), wordEnd(name)) : 0);
  }
  store<i32>(record + START, start);
  store<i32>(record + END, end);
  store<i32>(record + FLAGS, flags | (target << TARGET_SHIFT));
  store<i32>(record + PROTO, proto);
  store<i32>(record + MATCH_COUNT, matches);
  store<i32>(record + CHAIN_END, wordEnd(1));
  store<i32>(record + CHAIN_ID, intern(wordStart(1), wordEnd(1)));
  return true;
}

/**
 * The interface option at word `first`: -1 when the JavaScript reader must read it (quoted, IFNAMSIZ or longer), 0
 * for a `+` that matches every interface, 1 for a match, whose name's offsets go to `startAt` and `endAt`.
 */
function readInterface(first: i32, startAt: usize, endAt: usize): i32 {
  const value = valueWord(first);
  if (ch(wordStart(value)) == 34 || wordLength(value) >= 16) return -1;
  if (wordLength(value) == 1 && ch(wordStart(value)) == 43 && !isBang(first)) return 0;
  store<i32>(startAt, wordStart(value));
  store<i32>(endAt, wordEnd(value));
  return 1;
}

/**
 * `--to-destination A.B.C.D[:PORT]` in dotted-quad and decimal form, a port only after a `-p tcp|udp` (not negated)
 * before the target; the table and chain are the caller's to check.
 */
function dnatTaken(): bool {
  const value = atDnat + 1;
  const s = wordStart(value);
  const e = wordEnd(value);
  let colon = s;
  while (colon < e && ch(colon) != 58) colon++;
  if (colon == s) return false;
  for (let i = s; i < colon; i++) {
    const c = ch(i);
    if (c == 47 || c == 45) return false;
  }
  if (!readNetwork(s, colon) || networkPrefix != 32) return false;
  if (colon == e) return true;
  if (atProto == -1 || atProto > atJump || isBang(atProto)) return false;
  for (let i = colon + 1; i < e; i++) if (ch(i) == 45 || ch(i) == 47) return false;
  return plainPort(colon + 1, e) >= 0;
}

/**
 * Names (chains, jump targets) read in this document, by id: the same name has the same id from line to line, so the
 * caller recognises a chain or target it has resolved before by comparing numbers rather than text. An open-addressing
 * table of NAME_SLOTS slots (start, length, id; id 0 for an empty slot), half of which are used at most: a document
 * with more names gets id 0 for the others, which tells the caller to read the name itself.
 */
const NAME_SLOTS = 65536;
const NAME_SLOT_BYTES = 12;
const names = memory.data(NAME_SLOTS * NAME_SLOT_BYTES, 16);
let nameCount = 0;

/** Forgets the names of the previous document (the caller copies a new one into memory). */
export function reset(): void {
  memory.fill(names, 0, NAME_SLOTS * NAME_SLOT_BYTES);
  nameCount = 0;
}

/** The id (1 or more) of the name text[from, to), given one when first seen; 0 when the table is full. */
function intern(from: i32, to: i32): i32 {
  const length = to - from;
  let h: u32 = 2166136261;
  for (let i = from; i < to; i++) h = (h ^ <u32>ch(i)) * 16777619;
  let slot = h & (NAME_SLOTS - 1);
  // At most half the slots are used, so an empty one comes long before the probes run out.
  for (let probe = 0; probe < NAME_SLOTS; probe++) {
    const entry = names + <usize>(slot * NAME_SLOT_BYTES);
    const id = load<i32>(entry, 8);
    if (id == 0) {
      if (nameCount >= NAME_SLOTS / 2) return 0;
      store<i32>(entry, from);
      store<i32>(entry, length, 4);
      store<i32>(entry, ++nameCount, 8);
      return nameCount;
    }
    if (load<i32>(entry, 4) == length && memory.compare(text + <usize>load<i32>(entry), text + <usize>from, length) == 0) return id;
    slot = (slot + 1) & (NAME_SLOTS - 1);
  }
  return 0;
}
