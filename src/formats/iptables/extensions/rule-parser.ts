// Reads the words of one rule as iptables 1.8.9 does (getopt_long over the generic options plus the options of every
// loaded match and target, implicit `-p` matches, `!` handling), checks it as userspace and the kernel would, and
// maps it into the model. The first problem ends the rule, as it ends iptables.

import {
  BUILTIN_CHAINS,
  type AddressMatch,
  type Diagnostic,
  type Match,
  type Target,
} from "../../../model/firewall.js";
import { rangeOf, type SourceRange } from "../../../model/source.js";
import { ExtensionState, Invalid, protoIs, type ExtensionDef, type RuleState } from "./extension.js";
import { hasBlank, opaqueMatch, optionsText, PROTOCOL_VALUES, standardTarget, wordsText } from "./mapping.js";
import { hostMessage } from "./parsers.js";
import { findMatch, findTarget, optionOwners, STANDARD_TARGETS } from "./registry.js";
import { PORT_PROTOCOLS, PROTOCOL_MATCH_NAMES } from "./tables.js";
import type { RuleSpec, RuleSpecContext, Word } from "./types.js";
import {
  isDecimal,
  network4,
  networkInterval,
  normalizeBigIntervals,
  parseNetwork,
  parseProtocol,
  readNetwork4,
  type Network,
} from "./values.js";

/** Generic long options (iptables' original_opts) and the short option they stand for. */
const GENERIC_LONG: ReadonlyMap<string, string> = new Map([
  ["append", "A"], ["delete", "D"], ["check", "C"], ["insert", "I"], ["replace", "R"], ["list", "L"],
  ["list-rules", "S"], ["flush", "F"], ["zero", "Z"], ["new-chain", "N"], ["delete-chain", "X"],
  ["rename-chain", "E"], ["policy", "P"], ["source", "s"], ["src", "s"], ["destination", "d"], ["dst", "d"],
  ["protocol", "p"], ["in-interface", "i"], ["jump", "j"], ["table", "t"], ["match", "m"], ["numeric", "n"],
  ["out-interface", "o"], ["verbose", "v"], ["wait", "w"], ["wait-interval", "W"], ["exact", "x"],
  ["fragments", "f"], ["version", "V"], ["help", "h"], ["line-numbers", "0"], ["modprobe", "M"],
  ["set-counters", "c"], ["goto", "g"], ["ipv4", "4"], ["ipv6", "6"],
]);

/** Short options by character code: 1 = takes a value, 2 = optional attached value, 3 = none (iptables' optstring). */
const SHORT_ARG = new Int8Array(128);
for (const [options, arg] of [["ACDRIMNEPopsdjitmcg", 1], ["LSFZXhwW", 2], ["Vfvnx46", 3]] as const) {
  for (const c of options) SHORT_ARG[c.charCodeAt(0)] = arg;
}

/** Short options, by character code, that are commands (a rule cannot contain them). */
const IS_COMMAND = new Uint8Array(128);
for (const c of "ACDRILSFZNXEP") IS_COMMAND[c.charCodeAt(0)] = 1;
/** Generic options that may be given once, by character code: their bit (-j and -g share one), else 0. */
const GENERIC_BIT = new Uint8Array(128);
for (const [c, bit] of [["s", 1], ["d", 2], ["p", 4], ["i", 8], ["o", 16], ["f", 32], ["j", 64], ["g", 64], ["c", 128]] as const) {
  GENERIC_BIT[c.charCodeAt(0)] = bit;
}
/** Generic options that may follow `!` (iptables' inverse_for_options), by character code. */
const INVERTIBLE = new Uint8Array(128);
for (const c of "sdpiof") INVERTIBLE[c.charCodeAt(0)] = 1;
const IFNAMSIZ = 16;

interface AddressOption {
  /** The model's intervals; undefined when the option is opaque or matches every address (a /0, not negated). */
  readonly values: readonly (readonly [bigint, bigint])[] | undefined;
  /** A non-contiguous mask, which the engine does not model. */
  readonly opaque: boolean;
  readonly negated: boolean;
  readonly first: number;
  readonly last: number;
}

interface InterfaceOption {
  readonly name: string;
  readonly negated: boolean;
  readonly first: number;
  readonly last: number;
}

interface Resolved {
  readonly generic?: string;
  readonly ambiguous?: string[];
}

const UNKNOWN: Resolved = {};
/** Returned when an extension option was found; the option is in `foundExt`/`foundIndex` (no allocation per option). */
const EXTENSION_HIT: Resolved = {};
const GENERIC_HITS: ReadonlyMap<string, Resolved> = new Map([...GENERIC_LONG].map(([long, short]) => [long, { generic: short }]));
const GENERIC_DASHED: ReadonlyMap<string, Resolved> = new Map([...GENERIC_HITS].map(([long, hit]) => [`--${long}`, hit]));

/** The name of a `--name` or `--name=value` word, for messages. */
function longName(text: string, eq: number): string {
  return eq === -1 ? text.slice(2) : text.slice(2, eq);
}

/** See toModel. */
const matchScratch: Match[] = [];
/** The errors of every rule without any (nobody adds to a RuleSpec's errors). */
const NO_ERRORS: Diagnostic[] = [];

/** The owners of the words of the rule being parsed; rules are parsed one at a time, so one array serves them all. */
let ownerScratch = new Uint16Array(256);

/**
 * How many following words getopt hands to the option word `text` as values, given the match and target modules
 * loaded before it (oldest first): 1 for `-s`, `--comment`, `--dport`..., 0 for a word that is no option, takes no
 * value, carries it (`-s10.0.0.1`, `--dport=22`) or only takes a next word that cannot look like an option. It lets
 * the command reader tell a global option (`-4`, `-t nat`) from the same text given as a value (`--comment -4`).
 * Options of modules not loaded yet (loaded by -p on first use) count when every module that has one takes a value.
 */
export function valuesTaken(text: string, loaded: readonly ExtensionDef[]): number {
  if (text.length < 2 || text.charCodeAt(0) !== 45) return 0;
  if (text.charCodeAt(1) !== 45) {
    for (let k = 1; k < text.length; k++) {
      const code = text.charCodeAt(k);
      const arg = code < 128 ? SHORT_ARG[code]! : 0;
      if (arg === 0) return 0;
      if (arg === 3) continue;
      return arg === 1 && k + 1 === text.length ? 1 : 0;
    }
    return 0;
  }
  if (text.indexOf("=") !== -1) return 0;
  const name = text.slice(2);
  const generic = GENERIC_LONG.get(name);
  if (generic !== undefined) return generic !== "0" && SHORT_ARG[generic.charCodeAt(0)] === 1 ? 1 : 0;
  for (let k = loaded.length - 1; k >= 0; k--) {
    const index = loaded[k]!.index.get(name);
    if (index !== undefined) return takesValue(loaded[k]!, index) ? 1 : 0;
  }
  const owners = optionOwners(name);
  if (owners.length === 0) return 0;
  return owners.every((owner) => {
    const def = findMatch(owner, "ipv4") ?? findMatch(owner, "ipv6");
    const index = def?.index.get(name);
    return def !== undefined && index !== undefined && takesValue(def, index);
  })
    ? 1
    : 0;
}

/** Whether getopt gives option `index` of `def` the next word whatever it looks like. */
function takesValue(def: ExtensionDef, index: number): boolean {
  const arg = def.options[index]!.arg;
  return arg === "required" || arg === "two";
}

export function parseRuleSpec(words: readonly Word[], context: RuleSpecContext): RuleSpec {
  return new RuleParser(words, context).run();
}

class RuleParser implements RuleState {
  proto = -1;
  protoNegated = false;
  readonly builtin: boolean;
  readonly matches: ExtensionState[] = [];
  target: ExtensionState | undefined;

  private protoText = "";
  private protoFirst = -1;
  private protoLast = -1;
  private protoUsed = false;
  /** Bits of the generic options seen (GENERIC_BIT), for "multiple -p flags". */
  private generic = 0;
  private src: AddressOption | undefined;
  private dst: AddressOption | undefined;
  private inIface: InterfaceOption | undefined;
  private outIface: InterfaceOption | undefined;
  private fragment: { negated: boolean; first: number } | undefined;
  private jump: { name: string; goto: boolean; first: number; last: number } | undefined;
  /** Matches and the target in load order; later ones win getopt's exact-name lookup. */
  private readonly loaded: ExtensionState[] = [];
  private error: Diagnostic | undefined;
  private skipped = false;
  private foundExt: ExtensionState | undefined;
  private foundIndex = -1;
  /** See ExtensionState.take: the shared scratch array, one slot per word. */
  private readonly owners: Uint16Array;

  constructor(
    readonly words: readonly Word[],
    readonly ctx: RuleSpecContext,
  ) {
    this.builtin = (BUILTIN_CHAINS[ctx.table] as readonly string[]).includes(ctx.chain);
    if (ownerScratch.length < words.length) ownerScratch = new Uint16Array(Math.max(words.length, ownerScratch.length * 2));
    ownerScratch.fill(0, 0, words.length);
    this.owners = ownerScratch;
  }

  run(): RuleSpec {
    this.readWords();
    if (this.skipped) return { matches: [], target: { kind: "none" }, errors: [], skipped: true };
    if (!this.error) this.finalChecks();
    if (this.error) return { matches: [], target: { kind: "none" }, errors: [this.error] };
    return this.toModel();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reading.

  private fail(word: number, message: string, lastWord = word): void {
    if (this.error) return;
    const words = this.words;
    const first = words[Math.max(0, Math.min(word, words.length - 1))];
    const last = words[Math.max(0, Math.min(lastWord, words.length - 1))];
    const range = first && last ? rangeOf(this.ctx.source, first.start, last.end) : rangeOf(this.ctx.source, 0, 0);
    this.error = { message, range };
  }

  private readWords(): void {
    const words = this.words;
    let invert = -1;
    let i = 0;
    while (i < words.length && !this.error && !this.skipped) {
      const text = words[i]!.text;
      if (text === "!") {
        if (invert >= 0) this.fail(i, `"!" twice in a row ("multiple consecutive ! not allowed")`);
        invert = i++;
        continue;
      }
      if (text === "--") {
        this.fail(i, `unexpected "--"`);
        break;
      }
      if (text.length > 2 && text.charCodeAt(0) === 45 && text.charCodeAt(1) === 45) i = this.longOption(i, invert);
      else if (text.length > 1 && text.charCodeAt(0) === 45) i = this.shortOptions(i, invert);
      else {
        this.fail(i, `unexpected "${text}": a value without an option (iptables: Bad argument)`);
        break;
      }
      invert = -1;
    }
    if (!this.error && !this.skipped && invert >= 0) this.fail(invert, `"!" is not followed by an option`);
  }

  private longOption(i: number, invert: number): number {
    const text = this.words[i]!.text;
    const eq = text.indexOf("=", 2);
    // The commonest case, `--name` with an exact name: looked up by the word itself, the name is not cut out.
    let found = eq === -1 ? this.resolveExact(text) : UNKNOWN;
    const inline = eq === -1 ? undefined : text.slice(eq + 1);
    if (found === UNKNOWN) {
      const name = longName(text, eq);
      found = this.resolve(name);
      if (found === UNKNOWN && this.loadProtoMatch()) found = this.resolve(name);
    }
    if (found.ambiguous) {
      this.fail(i, `ambiguous option "--${longName(text, eq)}": could be ${found.ambiguous.map((n) => `--${n}`).join(", ")}`);
      return i + 1;
    }
    if (found.generic !== undefined) {
      const arg = found.generic === "0" ? 3 : SHORT_ARG[found.generic.charCodeAt(0)]!;
      if (arg === 3) {
        if (inline !== undefined) this.fail(i, `option --${longName(text, eq)} does not take a value`);
        return this.genericOption(found.generic, i, undefined, i, invert);
      }
      if (inline !== undefined || arg === 2) return this.genericOption(found.generic, i, inline, i, invert);
      if (i + 1 >= this.words.length) {
        this.fail(i, `option --${longName(text, eq)} needs a value`);
        return i + 1;
      }
      return this.genericOption(found.generic, i, this.words[i + 1]!.text, i + 1, invert);
    }
    if (found === EXTENSION_HIT) return this.extensionOption(this.foundExt!, this.foundIndex, i, inline, invert);
    this.fail(i, this.unknownOptionMessage(longName(text, eq)));
    return i + 1;
  }

  private shortOptions(i: number, invert: number): number {
    const text = this.words[i]!.text;
    for (let k = 1; k < text.length; k++) {
      const c = text[k]!;
      const code = text.charCodeAt(k);
      const arg = code < 128 ? SHORT_ARG[code]! : 0;
      if (arg === 0 || (c === "f" && this.ctx.family === "ipv6")) {
        this.fail(i, `unknown option "-${c}"`);
        return i + 1;
      }
      const first = k === 1 ? invert : -1;
      if (arg === 3) {
        this.genericOption(c, i, undefined, i, first);
        if (this.error || this.skipped) return i + 1;
        continue;
      }
      const rest = text.slice(k + 1);
      if (rest.length > 0 || arg === 2) return this.genericOption(c, i, rest.length > 0 ? rest : undefined, i, first);
      if (i + 1 >= this.words.length) {
        this.fail(i, `option -${c} needs a value`);
        return i + 1;
      }
      return this.genericOption(c, i, this.words[i + 1]!.text, i + 1, first);
    }
    return i + 1;
  }

  /** resolve's exact lookups, by the whole `--name` word. */
  private resolveExact(dashed: string): Resolved {
    const g = GENERIC_DASHED.get(dashed);
    if (g !== undefined) return g;
    const loaded = this.loaded;
    for (let k = loaded.length - 1; k >= 0; k--) {
      const index = loaded[k]!.def.dashedIndex.get(dashed);
      if (index !== undefined) {
        this.foundExt = loaded[k]!;
        this.foundIndex = index;
        return EXTENSION_HIT;
      }
    }
    return UNKNOWN;
  }

  /** getopt_long's lookup: an exact name (generic first, then the newest extension), else a unique prefix. */
  private resolve(name: string): Resolved {
    const g = GENERIC_HITS.get(name);
    if (g !== undefined) return g;
    const loaded = this.loaded;
    for (let k = loaded.length - 1; k >= 0; k--) {
      const index = loaded[k]!.def.index.get(name);
      if (index !== undefined) {
        this.foundExt = loaded[k]!;
        this.foundIndex = index;
        return EXTENSION_HIT;
      }
    }
    if (name.length === 0) return UNKNOWN;
    let genericHit: string | undefined;
    let genericName = "";
    const names: string[] = [];
    for (const [long, short] of GENERIC_LONG) {
      if (!long.startsWith(name)) continue;
      if (genericHit === undefined) {
        genericHit = short;
        genericName = long;
        names.push(long);
      } else if (genericHit !== short) names.push(long);
    }
    let extHit: ExtensionState | undefined;
    let extIndex = -1;
    const seenDefs = new Set<ExtensionDef>();
    for (let k = loaded.length - 1; k >= 0; k--) {
      const ext = loaded[k]!;
      if (seenDefs.has(ext.def)) continue;
      seenDefs.add(ext.def);
      const hits = new Set<number>();
      for (const [optionName, index] of ext.def.index) {
        if (!optionName.startsWith(name) || hits.has(index)) continue;
        hits.add(index);
        names.push(optionName);
        if (!extHit) {
          extHit = ext;
          extIndex = index;
        }
      }
    }
    if (names.length > 1) return { ambiguous: names };
    if (genericHit !== undefined) return GENERIC_HITS.get(genericName)!;
    if (extHit) {
      this.foundExt = extHit;
      this.foundIndex = extIndex;
      return EXTENSION_HIT;
    }
    return UNKNOWN;
  }

  /** iptables loads the match named after `-p` when it meets an option nobody knows (`-p tcp --dport 22`). */
  private loadProtoMatch(): boolean {
    if (this.proto < 0 || this.protoText === "") return false;
    let name = PROTOCOL_MATCH_NAMES.get(this.proto);
    if (parseProtocol(this.protoText) !== undefined && !/^[0-9]/.test(this.protoText)) name = this.protoText.toLowerCase();
    if (name === "ipv6-icmp" || name === "icmpv6") name = "icmp6";
    if (name === undefined) return false;
    const def = findMatch(name, this.ctx.family);
    if (!def) return false;
    if (this.protoUsed && this.matches.some((m) => m.def === def)) return false;
    this.protoUsed = true;
    const ext = new ExtensionState(def, -1, this.owners, this.words.length, this.loaded.length + 1);
    this.matches.push(ext);
    this.loaded.push(ext);
    return true;
  }

  private unknownOptionMessage(name: string): string {
    const owners = optionOwners(name);
    if (owners.length === 0) return `unknown option "--${name}"`;
    if (owners.some((o) => o === "tcp" || o === "udp") && (name === "dport" || name === "sport" || name.endsWith("-port"))) {
      return `--${name} needs -p tcp, udp, udplite, sctp or dccp before it`;
    }
    const listed = owners.map((o) => `-m ${o}`).join(" or ");
    return `unknown option "--${name}": it belongs to ${listed}, which must come before it`;
  }

  private extensionOption(ext: ExtensionState, index: number, i: number, inline: string | undefined, invert: number): number {
    const opt = ext.def.options[index]!;
    const words = this.words;
    let next = i + 1;
    let value: string | undefined;
    let second: string | undefined;
    switch (opt.arg) {
      case "none":
        if (inline !== undefined) {
          this.fail(i, `option --${opt.name} does not take a value`);
          return next;
        }
        break;
      case "optional":
        value = inline;
        break;
      case "maybeNext":
        value = inline;
        if (value === undefined && next < words.length && !startsLikeOption(words[next]!.text)) value = words[next++]!.text;
        break;
      default:
        value = inline;
        if (value === undefined) {
          if (next >= words.length) {
            this.fail(i, `option --${opt.name} needs a value`);
            return next;
          }
          value = words[next++]!.text;
        }
        if (opt.arg === "two") {
          if (next >= words.length || startsLikeOption(words[next]!.text)) {
            this.fail(i, `option --${opt.name} needs two values`, next - 1);
            return next;
          }
          second = words[next++]!.text;
        }
    }
    const bit = 1 << index;
    if (!opt.multi && (ext.seen & bit) !== 0) {
      this.fail(i, `${optionLabel(ext)}: option --${opt.name} can only be given once`, next - 1);
      return next;
    }
    if (invert >= 0 && !opt.invert) {
      this.fail(invert, `${optionLabel(ext)}: option --${opt.name} cannot be negated with "!"`, i);
      return next;
    }
    let parsed: unknown = true;
    if (opt.parse && (value !== undefined || opt.arg === "none")) {
      ext.negatedNow = invert >= 0;
      parsed = opt.parse(value ?? "", ext, this, second);
      if (parsed instanceof Invalid) {
        this.fail(i, `${optionLabel(ext)} --${opt.name}: ${parsed.message}`, next - 1);
        return next;
      }
    }
    if (opt.multi) {
      const previous = ext.values[index] as unknown[] | undefined;
      ext.values[index] = previous ? [...previous, parsed] : [parsed];
    } else ext.values[index] = parsed;
    if ((ext.seen & bit) === 0) ext.optionWords[index] = invert >= 0 ? invert : i;
    ext.optionEnds[index] = next - 1;
    ext.seen |= bit;
    if (invert >= 0) {
      ext.inverted |= bit;
      ext.take(invert);
    }
    for (let w = i; w < next; w++) ext.take(w);
    return next;
  }

  private genericOption(c: string, i: number, value: string | undefined, valueWord: number, invert: number): number {
    const next = valueWord + 1;
    const code = c.charCodeAt(0);
    if (invert >= 0 && INVERTIBLE[code] !== 1) {
      if (c === "m") this.fail(invert, `"!" cannot come before -m (put it before the module's option)`, i);
      else this.fail(invert, `"!" cannot come before -${c}`, i);
      return next;
    }
    const negated = invert >= 0;
    const first = negated ? invert : i;
    if (IS_COMMAND[code] === 1) {
      this.fail(i, `a rule cannot contain the command -${c}`);
      return next;
    }
    const bit = GENERIC_BIT[code]!;
    if (bit !== 0) {
      if ((this.generic & bit) !== 0) {
        this.fail(i, `multiple -${c === "g" ? "j" : c} flags not allowed`, valueWord);
        return next;
      }
      this.generic |= bit;
    }
    switch (c) {
      case "p":
        this.protocolOption(value!, first, valueWord, negated);
        break;
      case "s":
      case "d":
        this.addressOption(c, value!, first, valueWord, negated);
        break;
      case "i":
      case "o":
        this.interfaceOption(c, value!, first, valueWord, negated);
        break;
      case "f":
        this.fragment = { negated, first };
        break;
      case "j":
      case "g":
        this.jumpOption(c === "g", value!, i, valueWord);
        break;
      case "m":
        this.matchOption(value!, i, valueWord);
        break;
      case "c":
        return this.countersOption(value!, i, valueWord);
      case "4":
        if (this.ctx.family === "ipv6") this.skipped = true;
        break;
      case "6":
        if (this.ctx.family === "ipv4") this.skipped = true;
        break;
      case "t":
        this.fail(i, `-t cannot be used inside a rule (the table is set by the "*table" line)`, valueWord);
        break;
      case "n":
      case "x":
      case "0":
        this.fail(i, `option -${c === "0" ? "-line-numbers" : c} is not allowed when adding a rule`);
        break;
      case "V":
      case "h":
        this.fail(i, `option -${c} is not allowed in a rule`);
        break;
      default:
        // -v, -w, -W, -M: accepted and without effect on the rule.
        break;
    }
    return next;
  }

  private protocolOption(value: string, first: number, valueWord: number, negated: boolean): void {
    const proto = parseProtocol(value);
    if (proto === undefined) {
      this.fail(valueWord, `unknown protocol "${value}"`);
      return;
    }
    if (proto === 0 && negated) {
      this.fail(first, `"! -p ${value}" would never match (every packet has a protocol)`, valueWord);
      return;
    }
    this.proto = proto;
    this.protoText = value;
    this.protoNegated = negated;
    this.protoFirst = first;
    this.protoLast = valueWord;
  }

  private addressOption(c: string, value: string, first: number, valueWord: number, negated: boolean): void {
    let option: AddressOption;
    if (this.ctx.family === "ipv4" && value.indexOf(",") === -1) {
      // The commonest shape (one IPv4 network): plain numbers, no Network object.
      const error = readNetwork4(value);
      if (error !== undefined) return this.addressError(c, value, value, error, valueWord);
      const prefix = network4.prefix;
      const skip = prefix < 0 || (prefix === 0 && !negated);
      const lo = BigInt(network4.first);
      const values = skip ? undefined : [[lo, network4.last === network4.first ? lo : BigInt(network4.last)] as const];
      option = { values, opaque: prefix < 0, negated, first, last: valueWord };
    } else {
      const networks: Network[] = [];
      let opaque = false;
      let everything = false;
      for (const part of value.indexOf(",") === -1 ? [value] : value.split(",")) {
        const network = parseNetwork(part, this.ctx.family);
        if ("error" in network) return this.addressError(c, value, part, network.error, valueWord);
        if (network.prefix < 0) opaque = true;
        else if (network.prefix === 0) everything = true;
        networks.push(network);
      }
      if (negated && networks.length > 1) {
        this.fail(first, `"!" is not allowed with several addresses in -${c}`, valueWord);
        return;
      }
      const skip = opaque || (everything && !negated);
      const values = skip ? undefined : networks.length === 1 ? [networkInterval(networks[0]!)] : normalizeBigIntervals(networks.map(networkInterval));
      option = { values, opaque, negated, first, last: valueWord };
    }
    if (c === "s") this.src = option;
    else this.dst = option;
  }

  private addressError(c: string, value: string, part: string, error: "address" | "mask", valueWord: number): void {
    const slash = part.indexOf("/");
    this.fail(valueWord, error === "mask" ? `invalid mask "${part.slice(slash + 1)}" in -${c} ${value}` : hostMessage(slash === -1 ? part : part.slice(0, slash)));
  }

  private interfaceOption(c: string, value: string, first: number, valueWord: number, negated: boolean): void {
    if (value.length === 0) {
      this.fail(valueWord, `empty interface name in -${c}`);
      return;
    }
    if (Buffer.byteLength(value) >= IFNAMSIZ) {
      this.fail(valueWord, `interface name "${value}" is too long (at most ${IFNAMSIZ - 1} characters)`);
      return;
    }
    const option = { name: value, negated, first, last: valueWord };
    if (c === "i") this.inIface = option;
    else this.outIface = option;
  }

  private jumpOption(goto: boolean, name: string, i: number, valueWord: number): void {
    if (name.length === 0 || name.length >= 29 || hasBlank(name)) {
      this.fail(valueWord, name.length === 0 ? `-${goto ? "g" : "j"} needs a target or chain name` : `invalid target name "${name}"`);
      return;
    }
    if (goto) {
      if (!this.ctx.isChain(name) || (BUILTIN_CHAINS[this.ctx.table] as readonly string[]).includes(name)) this.fail(valueWord, `-g needs a user-defined chain; "${name}" is not one`);
      else this.jump = { name, goto, first: i, last: valueWord };
      return;
    }
    if (STANDARD_TARGETS.has(name)) {
      this.jump = { name, goto, first: i, last: valueWord };
      return;
    }
    const def = findTarget(name, this.ctx.family);
    if (def) {
      const ext = new ExtensionState(def, i, this.owners, this.words.length, this.loaded.length + 1);
      ext.take(i);
      ext.take(valueWord);
      this.target = ext;
      this.loaded.push(ext);
      this.jump = { name, goto, first: i, last: valueWord };
      return;
    }
    if (this.ctx.isChain(name)) {
      if ((BUILTIN_CHAINS[this.ctx.table] as readonly string[]).includes(name)) {
        this.fail(valueWord, `cannot jump to the built-in chain ${name}; only user-defined chains can be jumped to`);
        return;
      }
      this.jump = { name, goto, first: i, last: valueWord };
      return;
    }
    const other = findTarget(name, this.ctx.family === "ipv4" ? "ipv6" : "ipv4");
    if (other) this.fail(valueWord, `target ${name} is not available for ${this.ctx.family === "ipv4" ? "IPv4 (iptables)" : "IPv6 (ip6tables)"}`);
    else this.fail(valueWord, `unknown target or chain "${name}"${suggestTarget(name)}`);
  }

  private matchOption(name: string, i: number, valueWord: number): void {
    const def = findMatch(name, this.ctx.family);
    if (!def) {
      const other = findMatch(name, this.ctx.family === "ipv4" ? "ipv6" : "ipv4");
      this.fail(
        valueWord,
        other ? `match module "${name}" is not available for ${this.ctx.family === "ipv4" ? "IPv4 (iptables)" : "IPv6 (ip6tables)"}` : `unknown match module "${name}"`,
      );
      return;
    }
    const ext = new ExtensionState(def, i, this.owners, this.words.length, this.loaded.length + 1);
    ext.take(i);
    ext.take(valueWord);
    this.matches.push(ext);
    this.loaded.push(ext);
  }

  private countersOption(value: string, i: number, valueWord: number): number {
    let next = valueWord + 1;
    const comma = value.indexOf(",", 1);
    let packets = comma === -1 ? value : value.slice(0, comma);
    let bytes: string | undefined = comma === -1 ? undefined : value.slice(comma + 1);
    if (bytes === undefined && next < this.words.length && !startsLikeOption(this.words[next]!.text)) bytes = this.words[next++]!.text;
    if (comma === 0) packets = "";
    if (bytes === undefined) this.fail(i, `-c needs a packet and a byte counter`, next - 1);
    else if (!isDecimal(packets)) this.fail(valueWord, `-c packet counter "${packets}" is not a number`);
    else if (!isDecimal(bytes)) this.fail(next - 1, `-c byte counter "${bytes}" is not a number`);
    return next;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Checks once every word is read: userspace final checks, then what the kernel's checkentry refuses.

  private finalChecks(): void {
    const chain = this.ctx.chain;
    if (this.inIface && (chain === "OUTPUT" || chain === "POSTROUTING")) {
      this.fail(this.inIface.first, `-i cannot be used in ${chain} (no input interface there)`, this.inIface.last);
      return;
    }
    if (this.outIface && (chain === "PREROUTING" || chain === "INPUT")) {
      this.fail(this.outIface.first, `-o cannot be used in ${chain} (no output interface yet)`, this.outIface.last);
      return;
    }
    for (const ext of this.matches) if (!this.checkExtension(ext)) return;
    if (this.target) this.checkExtension(this.target);
  }

  private checkExtension(ext: ExtensionState): boolean {
    const def = ext.def;
    const at = ext.nameWord >= 0 ? ext.nameWord : Math.max(0, ext.firstWord());
    const required = def.requiredMasks;
    for (let g = 0; g < required.length; g++) {
      if ((ext.seen & required[g]!) === 0) {
        const group = def.required![g]!;
        this.fail(at, `${extensionLabel(def)} needs ${group.map((n) => `--${n}`).join(" or ")}`, ext.nameWord >= 0 ? ext.nameWord + 1 : at);
        return false;
      }
    }
    const exclusive = def.exclusiveMasks;
    for (let g = 0; g < exclusive.length; g++) {
      const both = ext.seen & exclusive[g]!;
      if ((both & (both - 1)) !== 0) {
        const given = def.exclusive![g]!.filter((n) => ext.has(n));
        this.fail(ext.wordOf(given[1]!), `${extensionLabel(def)}: --${given[0]} and --${given[1]} cannot be used together`);
        return false;
      }
    }
    const message = def.check?.(ext, this);
    if (message !== undefined) {
      this.fail(at, `${extensionLabel(def)}: ${message}`, ext.nameWord >= 0 ? ext.nameWord + 1 : at);
      return false;
    }
    if (def.protos && !protoIs(this, def.protos)) {
      this.fail(at, `${extensionLabel(def)} needs ${protoList(def.protos)}${this.protoNegated ? " (not negated)" : ""}`, ext.nameWord >= 0 ? ext.nameWord + 1 : at);
      return false;
    }
    if (def.tables && !def.tables.includes(this.ctx.table)) {
      this.fail(at, `${extensionLabel(def)} is only valid in the ${def.tables.join(" or ")} table`, ext.nameWord >= 0 ? ext.nameWord + 1 : at);
      return false;
    }
    if (def.hooks && this.builtin && !(def.hooks as readonly string[]).includes(this.ctx.chain)) {
      this.fail(at, `${extensionLabel(def)} cannot be used in ${this.ctx.chain} (only in ${def.hooks.join(", ")})`, ext.nameWord >= 0 ? ext.nameWord + 1 : at);
      return false;
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The model.

  private range(first: number, last: number): SourceRange {
    return rangeOf(this.ctx.source, this.words[first]!.start, this.words[last]!.end);
  }

  private toModel(): RuleSpec {
    // Built in a scratch array and copied at its exact size: the model keeps 100k of these.
    const matches = matchScratch;
    matches.length = 0;
    if (this.src) this.addressMatch(this.src, "src", matches);
    if (this.dst) this.addressMatch(this.dst, "dst", matches);
    if (this.inIface) this.interfaceMatch(this.inIface, "in", matches);
    if (this.outIface) this.interfaceMatch(this.outIface, "out", matches);
    if (this.proto > 0) {
      matches.push({
        kind: "field",
        field: "proto",
        values: PROTOCOL_VALUES[this.proto]!,
        negated: this.protoNegated,
        range: this.range(this.protoFirst, this.protoLast),
      });
    }
    if (this.fragment) {
      matches.push({ kind: "field", field: "fragment", values: [[1, 1]], negated: this.fragment.negated, range: this.range(this.fragment.first, this.fragment.first) });
    }
    let comment: string | undefined;
    for (const ext of this.matches) {
      if (ext.def.name === "comment") comment = ext.value<string>("comment");
      if (ext.def.toMatches) ext.def.toMatches(ext, this, matches);
      else matches.push(opaqueMatch(ext, this));
    }
    const kept = matches.slice();
    const target = this.toTarget();
    return comment === undefined ? { matches: kept, target, errors: NO_ERRORS } : { matches: kept, target, comment, errors: NO_ERRORS };
  }

  private addressMatch(option: AddressOption, direction: "src" | "dst", out: Match[]): void {
    if (option.opaque) {
      out.push({ kind: "opaque", module: "address", text: wordsText(this, option.first, option.last), negated: false, range: this.range(option.first, option.last) });
      return;
    }
    if (option.values === undefined) return;
    const match: AddressMatch = { kind: "address", direction, family: this.ctx.family, values: option.values, negated: option.negated, range: this.range(option.first, option.last) };
    out.push(match);
  }

  private interfaceMatch(option: InterfaceOption, direction: "in" | "out", out: Match[]): void {
    if (option.name === "+" && !option.negated) return;
    out.push({ kind: "interface", direction, name: option.name, negated: option.negated, range: this.range(option.first, option.last) });
  }

  private toTarget(): Target {
    const jump = this.jump;
    if (!jump) return { kind: "none" };
    const ext = this.target;
    let last = jump.last;
    if (ext) last = Math.max(last, ext.lastWord());
    const range = this.range(jump.first, last);
    if (ext) {
      if (ext.def.toTarget) return ext.def.toTarget(ext, this, range);
      const options = optionsText(ext, this);
      return ext.def.terminal ? { kind: "opaque", name: ext.def.name, options, range } : { kind: "continue", name: ext.def.name, options, range };
    }
    return standardTarget(jump.name, jump.goto, range);
  }
}

/** `-m tcp` / `-j DNAT`, for messages. */
function extensionLabel(def: ExtensionDef): string {
  return def.kind === "match" ? `-m ${def.name}` : `-j ${def.name}`;
}

/** How an option's owner is named in messages: `tcp`, or `tcp (loaded by -p)` for an implicit match. */
function optionLabel(ext: ExtensionState): string {
  return ext.nameWord >= 0 || ext.def.kind === "target" ? ext.def.name : `${ext.def.name} (loaded by -p)`;
}


function startsLikeOption(text: string): boolean {
  return text.charCodeAt(0) === 45 || text.charCodeAt(0) === 33;
}

function protoList(protos: readonly number[]): string {
  if (protos.length === PORT_PROTOCOLS.length && PORT_PROTOCOLS.every((p) => protos.includes(p))) return "-p tcp, udp, udplite, sctp or dccp";
  const names = protos.map((p) => PROTOCOL_MATCH_NAMES.get(p) ?? String(p));
  return `-p ${names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}` : names[0]}`;
}

function suggestTarget(name: string): string {
  const upper = name.toUpperCase();
  if (STANDARD_TARGETS.has(upper) || findTarget(upper, "ipv4")) return ` (did you mean ${upper}?)`;
  return "";
}
