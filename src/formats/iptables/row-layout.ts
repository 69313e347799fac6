// The record the compiled checker (assembly/common-lines.ts) writes for each line it takes, and the row a deferred
// rule is kept as (deferred-rules.ts): rows are records, so runs of records are kept by copying them whole, and a line
// the JavaScript reader took is written in the same layout (its first fields, up to DST_LAST). Field indexes count
// Int32 values; the compiled checker has the same layout in bytes and exports its RECORD_FIELDS, which must equal this
// one for its records to be used; test/formats/iptables/native-lines.test.ts compares what both sides make of the same
// lines.

/** Int32 values per record (and per row). */
export const RECORD_FIELDS = 22;

export const START = 0;
export const END = 1;
export const FLAGS = 2;
/** The protocol number, 0 for no protocol match. */
export const PROTO = 3;
/** How many matches the rule has (0: it matches every packet). */
export const MATCH_COUNT = 4;
export const SPORT_LO = 5;
export const SPORT_HI = 6;
export const DPORT_LO = 7;
export const DPORT_HI = 8;
/** Addresses as unsigned 32-bit numbers (read back with `>>> 0`). */
export const SRC_FIRST = 9;
export const SRC_LAST = 10;
export const DST_FIRST = 11;
export const DST_LAST = 12;
/** Offsets into the text, read while the line is kept. */
export const CHAIN_END = 13;
export const TARGET_START = 14;
export const TARGET_END = 15;
export const IN_START = 16;
export const IN_END = 17;
export const OUT_START = 18;
export const OUT_END = 19;
/**
 * Ids of the target's name (when TARGET_NAMED) and of the chain's: equal names have equal ids throughout a document,
 * so a name resolved before is recognised without reading it; 0 when the checker had no id to give (read the name).
 */
export const TARGET_ID = 20;
export const CHAIN_ID = 21;

/** Bits of FLAGS. */
export const PROTO_NEGATED = 1;
export const HAS_SPORT = 2;
export const SPORT_NEGATED = 4;
export const HAS_DPORT = 8;
export const DPORT_NEGATED = 16;
export const HAS_SRC = 32;
export const SRC_NEGATED = 64;
export const HAS_DST = 128;
export const DST_NEGATED = 256;
export const HAS_IN = 512;
export const HAS_OUT = 1024;
export const GOTO = 2048;
/** The target's kind, in bits 12-14: TARGET_NAMED (a verdict, a chain or another target), MARK or DNAT. */
export const TARGET_SHIFT = 12;
export const TARGET_NAMED = 1;
export const TARGET_MARK = 2;
export const TARGET_DNAT = 3;
/** `-i` / `-o` written (even as `+`, which makes no match: the chain must still allow them). */
export const IN_WRITTEN = 1 << 15;
export const OUT_WRITTEN = 1 << 16;
