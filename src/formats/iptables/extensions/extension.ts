// How match modules and targets are described: their long options (as libxtables' option tables declare them),
// their value parsers, their final checks (userspace and kernel checkentry) and how they map into the model.

import type { BuiltinChainName, Family, Match, TableName, Target } from "../../../model/firewall.js";
import type { SourceRange } from "../../../model/source.js";
import type { RuleSpecContext, Word } from "./types.js";

/** A value iptables refuses; parsers return it instead of throwing. */
export class Invalid {
  constructor(readonly message: string) {}
}

/**
 * How an option takes its argument (getopt_long plus the extensions that read further words themselves):
 * none; required (`--x v` or `--x=v`); optional (only `--x=v`); two (a second word that must not start with `-` or
 * `!`, like `--tcp-flags MASK COMP`); maybeNext (the next word when it does not start with `-` or `!`).
 */
export type ArgKind = "none" | "required" | "optional" | "two" | "maybeNext";

/** Parses one option value; `second` is the extra word of `two` options. Returns the value or an Invalid. */
export type ValueParser = (value: string, ext: ExtensionState, rule: RuleState, second: string | undefined) => unknown;

export interface OptionDef {
  readonly name: string;
  /** Other names of the same option (`--source-port` for `--sport`): giving both counts as giving it twice. */
  readonly aliases: readonly string[];
  readonly arg: ArgKind;
  readonly invert: boolean;
  readonly multi: boolean;
  readonly parse: ValueParser | undefined;
}

export interface ExtensionSpec {
  readonly name: string;
  readonly options?: readonly OptionDef[];
  /** libipt_* / libip6t_* modules exist for one family only. */
  readonly family?: Family;
  /** The kernel part needs `-p` to be one of these, not negated (`.proto` in the kernel, or its checkentry). */
  readonly protos?: readonly number[];
  /** Tables and built-in chains (hooks) the kernel accepts it in. */
  readonly tables?: readonly TableName[];
  readonly hooks?: readonly BuiltinChainName[];
  /** Groups of options of which at least one must be given. */
  readonly required?: readonly (readonly string[])[];
  /** Groups of options of which at most one may be given. */
  readonly exclusive?: readonly (readonly string[])[];
  /** Further checks once the whole rule is read; returns a message. */
  readonly check?: (ext: ExtensionState, rule: RuleState) => string | undefined;
}

export interface MatchSpec extends ExtensionSpec {
  /** Adds the module's matches to `out`. Absent: one OpaqueMatch with the options as written. */
  readonly toMatches?: (ext: ExtensionState, rule: RuleState, out: Match[]) => void;
}

export interface TargetSpec extends ExtensionSpec {
  /** The model target. Absent: a ContinueTarget (or OpaqueTerminalTarget when `terminal`). */
  readonly toTarget?: (ext: ExtensionState, rule: RuleState, range: SourceRange) => Target;
  readonly terminal?: boolean;
}

export interface ExtensionDef extends MatchSpec, TargetSpec {
  readonly kind: "match" | "target";
  readonly options: readonly OptionDef[];
  /** Option name -> index into `options`. */
  readonly index: ReadonlyMap<string, number>;
  /** The same keyed by `--name`, so a rule's word is looked up as it is. */
  readonly dashedIndex: ReadonlyMap<string, number>;
  /** `required` and `exclusive` as bit masks over option indexes, so the per-rule checks are integer tests. */
  readonly requiredMasks: readonly number[];
  readonly exclusiveMasks: readonly number[];
}

function define(kind: "match" | "target", spec: MatchSpec | TargetSpec): ExtensionDef {
  const options = spec.options ?? [];
  if (options.length > 31) throw new Error(`${spec.name}: too many options for the flag mask`);
  const index = new Map<string, number>();
  options.forEach((o, i) => {
    index.set(o.name, i);
    for (const alias of o.aliases) index.set(alias, i);
  });
  const mask = (group: readonly string[]): number => {
    let bits = 0;
    for (const name of group) {
      const i = index.get(name);
      if (i === undefined) throw new Error(`${spec.name}: no option --${name}`);
      bits |= 1 << i;
    }
    return bits;
  };
  const requiredMasks = (spec.required ?? []).map(mask);
  const exclusiveMasks = (spec.exclusive ?? []).map(mask);
  const dashedIndex = new Map([...index].map(([name, i]) => [`--${name}`, i]));
  return { ...spec, kind, options, index, dashedIndex, requiredMasks, exclusiveMasks };
}

export function defineMatch(spec: MatchSpec): ExtensionDef {
  return define("match", spec);
}

export function defineTarget(spec: TargetSpec): ExtensionDef {
  return define("target", spec);
}

/**
 * An option: `flags` holds `!` (may be negated), `*` (may repeat), and the argument kind: `?` optional, `2` two
 * words, `n` maybe the next word, `0` none (the parser then runs with "" to check the option's position). Without a parser the option takes no argument. `name` may list aliases: `sport|source-port`.
 */
export function opt(name: string, parse?: ValueParser, flags = ""): OptionDef {
  let arg: ArgKind = parse ? "required" : "none";
  if (flags.includes("0")) arg = "none";
  else if (flags.includes("?")) arg = "optional";
  else if (flags.includes("2")) arg = "two";
  else if (flags.includes("n")) arg = "maybeNext";
  const [main, ...aliases] = name.split("|");
  return { name: main!, aliases, arg, invert: flags.includes("!"), multi: flags.includes("*"), parse };
}

/** One loaded match or the target of one rule, with what its options said. */
export class ExtensionState {
  seen = 0;
  inverted = 0;
  readonly values: unknown[];
  /** Index of the first word of each given option (sparse: only given options have one). */
  readonly optionWords: number[];
  /** Index of the last word (the value) of each given option (sparse). */
  readonly optionEnds: number[];
  /** Scratch space for modules that build more than per-option values (policy elements). */
  data: unknown;
  /** While a value parser runs: whether its option was preceded by `!`. */
  negatedNow = false;

  constructor(
    readonly def: ExtensionDef,
    /** The `-m NAME` / `-j NAME` word; -1 for a match loaded implicitly by `-p`. */
    readonly nameWord: number,
    /**
     * Which extension consumed each word of the rule (its `id`, 0 for none): one array per rule instead of one list
     * per extension, shared by the rule's extensions and only read while the rule is parsed. Slots from
     * `wordCount` on are not the rule's.
     */
    private readonly owners: Uint16Array,
    private readonly wordCount: number,
    private readonly id: number,
  ) {
    // Sized once: a store at index 3 of an empty array would grow it to 20 slots, three times per loaded module.
    const count = def.options.length;
    this.values = new Array<unknown>(count);
    this.optionWords = new Array<number>(count);
    this.optionEnds = new Array<number>(count);
  }

  /** Records that the extension consumed word `w` (an option, its value or its `!`). */
  take(w: number): void {
    this.owners[w] = this.id;
  }

  /** Every word the extension consumed (options, values, their `!`), in order, for messages and opaque text. */
  get words(): number[] {
    const out: number[] = [];
    const owners = this.owners;
    for (let w = 0; w < this.wordCount; w++) if (owners[w] === this.id) out.push(w);
    return out;
  }

  /** The first and last word the extension consumed, -1 when none. */
  firstWord(): number {
    const owners = this.owners;
    for (let w = 0; w < this.wordCount; w++) if (owners[w] === this.id) return w;
    return -1;
  }

  lastWord(): number {
    const owners = this.owners;
    for (let w = this.wordCount - 1; w >= 0; w--) if (owners[w] === this.id) return w;
    return -1;
  }

  has(name: string): boolean {
    const i = this.def.index.get(name);
    return i !== undefined && (this.seen & (1 << i)) !== 0;
  }

  isInverted(name: string): boolean {
    const i = this.def.index.get(name);
    return i !== undefined && (this.inverted & (1 << i)) !== 0;
  }

  value<T>(name: string): T | undefined {
    const i = this.def.index.get(name);
    return i === undefined ? undefined : (this.values[i] as T | undefined);
  }

  /** The word of an option (or of the module name) for diagnostics. */
  wordOf(name: string): number {
    const i = this.def.index.get(name);
    const w = i === undefined ? undefined : this.optionWords[i];
    return w ?? this.nameWord;
  }
}

/** The generic part of a rule as far as it has been read; extension parsers and checks look at it. */
export interface RuleState {
  readonly ctx: RuleSpecContext;
  readonly words: readonly Word[];
  /** -p as a number, -1 when not given. */
  proto: number;
  protoNegated: boolean;
  /** The chain is a built-in one of its table (hook checks apply); false for user chains. */
  readonly builtin: boolean;
  readonly matches: ExtensionState[];
  target: ExtensionState | undefined;
}

/** True when the rule's protocol is one of `protos` and not negated (what the kernel's `.proto` checks demand). */
export function protoIs(rule: RuleState, protos: readonly number[]): boolean {
  return rule.proto >= 0 && !rule.protoNegated && protos.includes(rule.proto);
}
