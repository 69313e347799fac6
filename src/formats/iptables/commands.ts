// iptables commands (-A -I -D -R -N -X -F -Z -P -E ...) read from a line's words and applied to the state of the
// tables, in file order, as iptables(8) and iptables-restore(8) apply them. Shared by restore files and shell scripts.

import {
  BUILTIN_CHAINS,
  type ChainPolicy,
  type Family,
  type Rule,
  type TableName,
  type Target,
  type TargetSummary,
} from "../../model/firewall.js";
import { rangeOf, type SourceFile, type SourceRange } from "../../model/source.js";
import { settleChain, settleTable, type DeferredRows, type PendingRows } from "./deferred-rules.js";
import type { ExtensionDef } from "./extensions/extension.js";
import { parseRuleSpec } from "./extensions/index.js";
import { findMatch, findTarget } from "./extensions/registry.js";
import { valuesTaken } from "./extensions/rule-parser.js";
import type { RuleSpec, RuleSpecContext, Word } from "./extensions/types.js";
import { quoteWord, splitRestoreWords } from "./words.js";

export type CommandKind =
  | "append"
  | "insert"
  | "delete"
  | "replace"
  | "new"
  | "deleteChain"
  | "flush"
  | "zero"
  | "policy"
  | "rename"
  | "list"
  | "check";

/** The command options, short and long (iptables(8) COMMANDS); their arguments are read by readCommand. */
const COMMANDS: Readonly<Record<string, CommandKind>> = {
  "-A": "append",
  "--append": "append",
  "-I": "insert",
  "--insert": "insert",
  "-D": "delete",
  "--delete": "delete",
  "-R": "replace",
  "--replace": "replace",
  "-N": "new",
  "--new-chain": "new",
  "-X": "deleteChain",
  "--delete-chain": "deleteChain",
  "-F": "flush",
  "--flush": "flush",
  "-Z": "zero",
  "--zero": "zero",
  "-P": "policy",
  "--policy": "policy",
  "-E": "rename",
  "--rename-chain": "rename",
  "-L": "list",
  "--list": "list",
  "-S": "list",
  "--list-rules": "list",
  "-C": "check",
  "--check": "check",
};

export const TABLE_NAMES: readonly TableName[] = ["raw", "mangle", "nat", "filter", "security"];

/** Names that `-N` refuses because a target of that name exists (iptables: "chain name may not clash with target name"). */
const TARGET_NAMES = new Set(
  "ACCEPT DROP QUEUE RETURN REJECT LOG NFLOG ULOG MARK CONNMARK DNAT SNAT MASQUERADE REDIRECT NETMAP TCPMSS NFQUEUE CT NOTRACK TRACE DSCP TOS TTL HL CLASSIFY CONNSECMARK SECMARK SET TEE TPROXY AUDIT CHECKSUM IDLETIMER LED RATEEST SYNPROXY TCPOPTSTRIP CLUSTERIP ECN HMARK DNPT SNPT".split(
    " ",
  ),
);

/** iptables limits chain names to 28 characters (XT_EXTENSION_MAXNAMELEN - 1). */
export const MAX_CHAIN_NAME = 28;

export interface Command {
  readonly kind: CommandKind;
  /** The command option itself (`-A`). */
  readonly word: Word;
  readonly chain?: Word;
  /** Rule number of -I/-D/-R/-Z/-L. */
  readonly num?: Word;
  /** The policy of -P, the new name of -E. */
  readonly second?: Word;
  /** The rule specification: every word that is not the command, its arguments or a global option. */
  readonly spec: Word[];
  /** `-t TABLE`, when given. */
  readonly table?: Word;
  readonly tableOption?: Word;
  /** `-4` / `-6`: the command applies only to that family. */
  readonly onlyFamily?: Family;
}

export type Report = (message: string, start: number, end: number) => void;

function isNumber(word: Word | undefined): boolean {
  return word !== undefined && /^[0-9]+$/.test(word.text);
}

/** iptables takes an optional argument only when the next word does not start with `-` or `!`. */
function isOptionalArgument(word: Word | undefined): boolean {
  if (word === undefined) return false;
  const first = word.text.charCodeAt(0);
  return word.text.length > 0 && first !== 45 /* - */ && first !== 33 /* ! */;
}

function optionalArgument(words: readonly Word[], i: number): Word | undefined {
  return isOptionalArgument(words[i]) ? words[i] : undefined;
}

/**
 * Reads the command from a line's words. Reports and returns undefined when there is none or its arguments are
 * missing. `lineStart`/`lineEnd` position the "no command" report.
 */
export function readCommand(words: readonly Word[], lineStart: number, lineEnd: number, report: Report): Command | undefined {
  const spec: Word[] = [];
  let table: Word | undefined;
  let tableOption: Word | undefined;
  let onlyFamily: Family | undefined;
  let commandAt = -1;
  let kind: CommandKind | undefined;
  let i = 0;
  for (; i < words.length; i++) {
    const text = words[i]!.text;
    const found = COMMANDS[text];
    if (found !== undefined && !words[i]!.quoted) {
      commandAt = i;
      kind = found;
      break;
    }
    const global = readGlobal(words, i);
    if (global === undefined) {
      spec.push(words[i]!);
      continue;
    }
    if (global.isTable) {
      tableOption = words[i];
      table = global.table;
      if (!table) return missing(words[i]!, "a table name", report);
    }
    if (global.family) onlyFamily = global.family;
    i += global.consumed - 1;
  }
  if (commandAt === -1 || kind === undefined) {
    const last = words[words.length - 1];
    report("no command (such as -A, -I, -N or -P) on this line", words[0]?.start ?? lineStart, last?.end ?? lineEnd);
    return undefined;
  }
  const word = words[commandAt]!;
  i = commandAt + 1;
  let chain: Word | undefined;
  let num: Word | undefined;
  let second: Word | undefined;
  // No closure over `i` to read the arguments: it would move `i` into a context object for the whole function.
  switch (kind) {
    case "append":
    case "check":
    case "new":
      chain = optionalArgument(words, i);
      if (!chain) return missing(word, "a chain name", report);
      i++;
      break;
    case "insert":
    case "delete":
      chain = optionalArgument(words, i);
      if (!chain) return missing(word, "a chain name", report);
      i++;
      if (isNumber(words[i])) num = words[i++];
      break;
    case "replace":
      chain = optionalArgument(words, i);
      if (!chain) return missing(word, "a chain name", report);
      i++;
      if (!isNumber(words[i])) return missing(chain, "a rule number", report);
      num = words[i++];
      break;
    case "policy":
    case "rename":
      chain = optionalArgument(words, i);
      if (!chain) return missing(word, "a chain name", report);
      i++;
      second = optionalArgument(words, i);
      if (!second) return missing(chain, kind === "policy" ? "a policy (ACCEPT or DROP)" : "the new chain name", report);
      i++;
      break;
    case "deleteChain":
    case "flush":
    case "zero":
    case "list":
      chain = optionalArgument(words, i);
      if (chain) i++;
      if (chain && (kind === "zero" || kind === "list") && isNumber(words[i])) num = words[i++];
      break;
  }
  // Global options count only where getopt reads an option: `--comment -4` is a comment, not an IPv4-only mark.
  const loaded: ExtensionDef[] = [];
  let values = 0;
  for (; i < words.length; i++) {
    const each = words[i]!;
    // Most words are values or rule options; only `-...` words can be global options.
    const global = values === 0 && each.text.charCodeAt(0) === 45 ? readGlobal(words, i) : undefined;
    if (global === undefined) {
      spec.push(each);
      if (values > 0) values--;
      else if (each.text.charCodeAt(0) === 45) values = optionValues(each.text, words[i + 1], loaded);
      continue;
    }
    if (global.isTable) {
      tableOption = words[i];
      table = global.table;
      if (!table) return missing(words[i]!, "a table name", report);
    } else if (words[i + global.consumed - 1] === undefined) {
      return missing(words[i]!, "a value", report);
    }
    if (global.family) onlyFamily = global.family;
    i += global.consumed - 1;
  }
  if (kind === "delete" && num === undefined && spec.length === 0) {
    return missing(chain ?? word, "a rule number or a rule specification", report);
  }
  return { kind, word, chain, num, second, spec, table, tableOption, onlyFamily };
}

/** valuesTaken for a word of the rule, after noting the module it loads (`-m NAME`, `-j TARGET`). */
function optionValues(text: string, next: Word | undefined, loaded: ExtensionDef[]): number {
  if (next !== undefined) {
    const module = text === "-m" || text === "--match" ? findMatch(next.text, "ipv4") ?? findMatch(next.text, "ipv6") : undefined;
    const target = text === "-j" || text === "--jump" ? findTarget(next.text, "ipv4") ?? findTarget(next.text, "ipv6") : undefined;
    if (module ?? target) loaded.push((module ?? target)!);
  }
  return valuesTaken(text, loaded);
}

interface Global {
  /** Words the option takes, itself included. */
  readonly consumed: number;
  /** `-t TABLE` (the table word is absent when the line ends after `-t`). */
  readonly isTable?: boolean;
  readonly table?: Word;
  readonly family?: Family;
}

/** Options of the iptables command itself (not of the rule): -t, -4/-6, -w, -W, -v, -n, -x, --line-numbers, -c. */
function readGlobal(words: readonly Word[], i: number): Global | undefined {
  const word = words[i]!;
  const text = word.text;
  // Runs for every word of every rule: most words are values or rule options, rejected by the first tests.
  if (text.charCodeAt(0) !== 45 /* - */ || word.quoted) return undefined;
  if (text.length === 2) {
    switch (text.charCodeAt(1)) {
      case 116 /* t */:
        return { consumed: 2, isTable: true, table: words[i + 1] };
      case 52 /* 4 */:
        return { consumed: 1, family: "ipv4" };
      case 54 /* 6 */:
        return { consumed: 1, family: "ipv6" };
      case 119 /* w */:
        return { consumed: isNumber(words[i + 1]) ? 2 : 1 };
      case 87 /* W */:
        return { consumed: 2 };
      case 99 /* c */:
        return { consumed: 3 };
      case 118 /* v */:
      case 110 /* n */:
      case 120 /* x */:
        return { consumed: 1 };
    }
    return undefined;
  }
  if (text.charCodeAt(1) !== 45) return undefined;
  switch (text) {
    case "--table":
      return { consumed: 2, isTable: true, table: words[i + 1] };
    case "--ipv4":
      return { consumed: 1, family: "ipv4" };
    case "--ipv6":
      return { consumed: 1, family: "ipv6" };
    case "--wait":
      return { consumed: isNumber(words[i + 1]) ? 2 : 1 };
    case "--wait-interval":
      return { consumed: 2 };
    case "--set-counters":
      return { consumed: 3 };
    case "--verbose":
    case "--numeric":
    case "--exact":
    case "--line-numbers":
      return { consumed: 1 };
  }
  if (text.startsWith("--table=")) return { consumed: 1, isTable: true, table: { ...word, text: text.slice(8), start: word.start + 8 } };
  if (text.startsWith("--wait=") || text.startsWith("--wait-interval=") || text.startsWith("--modprobe=")) return { consumed: 1 };
  return undefined;
}

function missing(after: Word, what: string, report: Report): undefined {
  report(`"${after.text}" needs ${what} after it`, after.start, after.end);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Table state.

export interface ChainState {
  name: string;
  readonly builtin: boolean;
  policy?: ChainPolicy;
  range?: SourceRange;
  rules: Rule[];
  /** Rules were inserted, deleted, replaced or renamed: their `index`/`chain` must be recomputed. */
  dirty: boolean;
  /** What the rule-spec parser is told about this chain; made once per chain, not once per rule. */
  specContext?: RuleSpecContext;
  /** Common lines checked but not yet built, which follow `rules` (deferred-rules.ts). */
  pending?: PendingRows;
}

export interface TableState {
  readonly name: TableName;
  readonly chains: Map<string, ChainState>;
  range?: SourceRange;
  /**
   * The chain the last command named: consecutive rules mostly go to one chain, and comparing the name is cheaper
   * than hashing it. Cleared when a chain is deleted.
   */
  lastChain?: ChainState;
  /** The rows of the chains' pending lines (deferred-rules.ts). */
  deferred?: DeferredRows;
}

/**
 * A chain with every field set, so that all chains share one shape: the loops over a dump's 100k lines then see one
 * kind of chain object (objects of several shapes make such loops polymorphic, and a shape first seen after V8
 * optimized a loop makes it drop that code).
 */
export function newChainState(name: string, builtin: boolean, policy: ChainPolicy | undefined, range: SourceRange | undefined): ChainState {
  return { name, builtin, policy, range, rules: [], dirty: false, specContext: undefined, pending: undefined };
}

/** An empty table with its built-in chains; their policies come from `previous` (a flush keeps policies) or ACCEPT. */
export function newTable(name: TableName, range: SourceRange | undefined, previous?: TableState): TableState {
  const chains = new Map<string, ChainState>();
  for (const builtin of BUILTIN_CHAINS[name]) {
    const policy = previous?.chains.get(builtin)?.policy ?? { verdict: "accept" };
    chains.set(builtin, newChainState(builtin, true, policy, undefined));
  }
  return { name, chains, range, lastChain: undefined, deferred: undefined };
}

/** A copy whose chains and rule lists can change without touching `table` (iptables-restore --noflush). */
export function copyTable(table: TableState): TableState {
  settleTable(table);
  const chains = new Map<string, ChainState>();
  for (const [name, chain] of table.chains) chains.set(name, { ...chain, rules: [...chain.rules], specContext: undefined });
  return { name: table.name, chains, range: table.range, lastChain: undefined, deferred: undefined };
}

/** A hint when `chain` is a built-in chain of other tables (`-A POSTROUTING` in filter). */
function builtinElsewhere(chain: string, table: TableName): string {
  const owners = TABLE_NAMES.filter((name) => name !== table && (BUILTIN_CHAINS[name] as readonly string[]).includes(chain));
  return owners.length === 0 ? "" : ` (it is a built-in chain of table ${owners.map((o) => `"${o}"`).join(", ")})`;
}

export function isTableName(name: string): name is TableName {
  return (TABLE_NAMES as readonly string[]).includes(name);
}

/** Why `name` cannot be a user chain, or undefined when it can. */
export function chainNameProblem(name: string, fromNewChainCommand: boolean): string | undefined {
  if (name.length === 0) return "a chain name is missing";
  if (name.length > MAX_CHAIN_NAME) return `chain name "${name}" is longer than ${MAX_CHAIN_NAME} characters`;
  if (fromNewChainCommand && (name.startsWith("-") || name.startsWith("!"))) {
    return `chain name "${name}" must not start with "${name[0]}"`;
  }
  if (fromNewChainCommand && TARGET_NAMES.has(name)) return `chain name "${name}" is the name of a target`;
  if (name === "ACCEPT" || name === "DROP" || name === "QUEUE" || name === "RETURN") return `chain name "${name}" is reserved`;
  return undefined;
}

export interface ApplyContext {
  readonly source: SourceFile;
  readonly family: Family;
  readonly report: Report;
  /**
   * Shell scripts commonly clean up with `iptables -D ... 2>/dev/null` or `-X` of chains that may not exist yet:
   * those failures do not stop the script, so they are not reported.
   */
  readonly lenient: boolean;
  /** Rule-spec errors inside these offsets are not reported (words holding shell expansions we cannot resolve). */
  readonly tolerated?: readonly { readonly start: number; readonly end: number }[];
}

/**
 * Applies one command to `table`. `lineStart`/`lineEnd` are the whole command as written (the rule's range);
 * `canonical` says its words are written as iptables-save writes them (splitRestoreWords).
 */
export function applyCommand(command: Command, table: TableState, lineStart: number, lineEnd: number, canonical: boolean, ctx: ApplyContext): void {
  const { report } = ctx;
  const chainName = command.chain?.text;
  let chain: ChainState | undefined;
  if (chainName !== undefined) {
    const last = table.lastChain;
    chain = last !== undefined && last.name === chainName ? last : table.chains.get(chainName);
    if (chain) table.lastChain = chain;
  }
  if (table.deferred !== undefined && table.deferred.unsettled > 0) {
    // Rule commands read their chain's rules; deleting, flushing and renaming read (or rewrite) every chain's.
    const kind = command.kind;
    if (kind === "deleteChain" || kind === "flush" || kind === "rename") settleTable(table);
    else if (chain !== undefined) settleChain(table, chain);
  }
  switch (command.kind) {
    case "append":
    case "insert":
    case "replace":
    case "check": {
      const target = chain ?? missingChain(command, table, report);
      if (!target) return;
      const rule = buildRule(command, table, target, lineStart, lineEnd, canonical, ctx);
      if (command.kind === "check") return;
      if (command.kind === "append") {
        if (rule) {
          target.rules.push(rule);
        }
        return;
      }
      const position = command.num ? Number(command.num.text) : 1;
      if (command.kind === "insert") {
        const tooFar = position < 1 || position > target.rules.length + 1;
        if (tooFar && !(ctx.lenient && position > 1)) {
          report(`cannot insert at rule ${position}: chain "${target.name}" has ${target.rules.length} rules`, command.num!.start, command.num!.end);
          return;
        }
        // A script run on a host that already has rules may insert further down than our empty start allows.
        if (rule) {
          target.rules.splice(tooFar ? target.rules.length : position - 1, 0, rule);
          target.dirty = true;
        }
        return;
      }
      if (position < 1 || position > target.rules.length) {
        if (!ctx.lenient) report(`cannot replace rule ${position}: chain "${target.name}" has ${target.rules.length} rules`, command.num!.start, command.num!.end);
        return;
      }
      if (rule) {
        target.rules[position - 1] = rule;
        target.dirty = true;
      }
      return;
    }
    case "delete": {
      const target = chain ?? (ctx.lenient ? undefined : missingChain(command, table, report));
      if (!target) return;
      if (command.num) {
        const position = Number(command.num.text);
        if (position < 1 || position > target.rules.length) {
          if (!ctx.lenient) report(`cannot delete rule ${position}: chain "${target.name}" has ${target.rules.length} rules`, command.num.start, command.num.end);
          return;
        }
        target.rules.splice(position - 1, 1);
        target.dirty = true;
        return;
      }
      const key = specKey(command.spec.map((w) => w.text));
      const found = target.rules.findIndex((rule) => specKey(ruleWords(rule)) === key);
      if (found === -1) {
        if (!ctx.lenient) {
          const first = command.spec[0]!;
          const last = command.spec[command.spec.length - 1]!;
          report(`no rule in chain "${target.name}" matches this one, so it cannot be deleted`, first.start, last.end);
        }
        return;
      }
      target.rules.splice(found, 1);
      target.dirty = true;
      return;
    }
    case "new": {
      const name = command.chain!;
      const problem = chainNameProblem(name.text, true);
      if (problem) return report(problem, name.start, name.end);
      if (table.chains.has(name.text)) {
        if (!ctx.lenient) report(`chain "${name.text}" already exists in table "${table.name}"`, name.start, name.end);
        return;
      }
      table.chains.set(name.text, newChainState(name.text, false, undefined, rangeOf(ctx.source, lineStart, lineEnd)));
      return;
    }
    case "deleteChain": {
      if (command.chain) {
        if (!chain) {
          if (!ctx.lenient) missingChain(command, table, report);
          return;
        }
        if (chain.builtin) return report(`built-in chain "${chain.name}" cannot be deleted`, command.chain.start, command.chain.end);
        if (chain.rules.length > 0) return report(`chain "${chain.name}" is not empty: flush it (-F) before deleting it`, command.chain.start, command.chain.end);
        if (isReferenced(table, chain.name)) return report(`chain "${chain.name}" is still the target of a rule`, command.chain.start, command.chain.end);
        table.chains.delete(chain.name);
        table.lastChain = undefined;
        return;
      }
      for (const user of [...table.chains.values()]) {
        if (user.builtin) continue;
        if (user.rules.length > 0 || isReferenced(table, user.name)) {
          if (!ctx.lenient) report(`chain "${user.name}" is not empty or still referenced, so -X cannot delete it`, command.word.start, command.word.end);
          return;
        }
        table.chains.delete(user.name);
        table.lastChain = undefined;
      }
      return;
    }
    case "flush": {
      if (command.chain) {
        const target = ctx.lenient ? chain : chain ?? missingChain(command, table, report);
        if (target) {
          target.rules = [];
          target.dirty = false;
        }
        return;
      }
      for (const each of table.chains.values()) {
        each.rules = [];
        each.dirty = false;
      }
      return;
    }
    case "zero":
    case "list":
      if (command.chain && !chain && !ctx.lenient) missingChain(command, table, report);
      return;
    case "policy": {
      const target = chain ?? missingChain(command, table, report);
      if (!target) return;
      const policy = command.second!;
      if (!target.builtin) return report(`chain "${target.name}" is a user chain: only built-in chains have a policy`, command.chain!.start, command.chain!.end);
      if (policy.text !== "ACCEPT" && policy.text !== "DROP") return report(`unknown policy "${policy.text}" (use ACCEPT or DROP)`, policy.start, policy.end);
      target.policy = { verdict: policy.text === "ACCEPT" ? "accept" : "drop", range: rangeOf(ctx.source, lineStart, lineEnd) };
      return;
    }
    case "rename": {
      const target = chain ?? missingChain(command, table, report);
      if (!target) return;
      const to = command.second!;
      if (target.builtin) return report(`built-in chain "${target.name}" cannot be renamed`, command.chain!.start, command.chain!.end);
      const problem = chainNameProblem(to.text, true);
      if (problem) return report(problem, to.start, to.end);
      if (table.chains.has(to.text)) return report(`chain "${to.text}" already exists in table "${table.name}"`, to.start, to.end);
      renameChain(table, target, to.text);
      return;
    }
  }
}

function missingChain(command: Command, table: TableState, report: Report): undefined {
  if (command.chain) {
    const name = command.chain.text;
    report(`chain "${name}" does not exist in table "${table.name}"${builtinElsewhere(name, table.name)}`, command.chain.start, command.chain.end);
  }
  return undefined;
}

function buildRule(command: Command, table: TableState, chain: ChainState, start: number, end: number, canonical: boolean, ctx: ApplyContext): Rule | undefined {
  const context = (chain.specContext ??= {
    source: ctx.source,
    family: ctx.family,
    table: table.name,
    chain: chain.name,
    isChain: (name) => table.chains.has(name),
  });
  let spec: RuleSpec;
  try {
    spec = parseRuleSpec(command.spec, context);
  } catch (error) {
    // A defect in the rule-spec parser costs this rule, not the file.
    ctx.report(`vpnlint could not read this rule (internal error: ${error instanceof Error ? error.message : String(error)})`, start, end);
    return undefined;
  }
  if (spec.skipped) return undefined;
  if (spec.errors.length > 0) {
    const tolerated = ctx.tolerated ?? [];
    const errors = spec.errors.filter((e) => !tolerated.some((t) => e.range.start < t.end && e.range.end > t.start));
    for (const error of errors) ctx.report(error.message, error.range.start, error.range.end);
    if (errors.length > 0) return undefined;
  }
  const rule: Rule = {
    chain: chain.name,
    index: chain.rules.length + 1,
    range: rangeOf(ctx.source, start, end),
    text: ruleText(command, chain.name, ctx.source.text, canonical),
    matches: spec.matches,
    target: spec.target,
    comment: spec.comment,
  };
  return rule;
}

/**
 * `-A CHAIN` and the spec words as iptables-save writes them. When the line was already written so (`canonical`, see
 * splitRestoreWords) the text is one slice of the source: no rebuilding, and one string instead of a concatenation.
 */
export function ruleText(command: Command, chain: string, text: string, canonical: boolean): string {
  const spec = command.spec;
  if (spec.length === 0) return `-A ${chain}`;
  const first = spec[0]!;
  const last = spec[spec.length - 1]!;
  if (canonical) {
    let length = spec.length - 1;
    for (const word of spec) length += word.end - word.start;
    if (length === last.end - first.start) {
      const word = command.word;
      const chainWord = command.chain!;
      if (word.text === "-A" && !word.quoted && !chainWord.quoted && chainWord.start === word.end + 1 && first.start === chainWord.end + 1) {
        return text.slice(word.start, last.end);
      }
      return `-A ${chain} ${text.slice(first.start, last.end)}`;
    }
  }
  return `-A ${chain} ${spec.map(quoteWord).join(" ")}`;
}

/** The words of a rule's spec, read back from its normalized text. */
function ruleWords(rule: Rule): string[] {
  const words = splitRestoreWords(rule.text, 0, rule.text.length).words;
  return words.slice(2).map((w) => w.text);
}

const IMPLICIT_MATCHES = new Set(["tcp", "udp", "udplite", "icmp", "icmpv6", "ipv6-icmp", "sctp", "dccp"]);

/**
 * What -D compares. The kernel compares compiled rules; the closest text form drops the `-m tcp` that iptables adds
 * for `-p tcp` options, so `-D INPUT -p tcp --dport 22` finds `-A INPUT -p tcp -m tcp --dport 22`.
 */
function specKey(words: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if ((w === "-m" || w === "--match") && IMPLICIT_MATCHES.has(words[i + 1] ?? "")) {
      i++;
      continue;
    }
    kept.push(w === "--protocol" ? "-p" : w === "--jump" ? "-j" : w === "--goto" ? "-g" : w);
  }
  return kept.join("\u0000");
}

function jumpsTo(target: Target, name: string): boolean {
  return (target.kind === "jump" || target.kind === "goto") && target.chain === name;
}

function isReferenced(table: TableState, name: string): boolean {
  for (const chain of table.chains.values()) {
    for (const rule of chain.rules) if (jumpsTo(rule.target, name)) return true;
  }
  return false;
}

/** -E: the chain takes the new name, and so do the rules that jump to it (as iptables-save then shows them). */
function renameChain(table: TableState, chain: ChainState, to: string): void {
  const from = chain.name;
  const entries = [...table.chains.entries()].map(([name, state]) => [name === from ? to : name, state] as const);
  table.chains.clear();
  for (const [name, state] of entries) table.chains.set(name, state);
  chain.name = to;
  chain.dirty = true;
  chain.specContext = undefined;
  for (const each of table.chains.values()) {
    each.rules = each.rules.map((rule) => {
      const words = splitRestoreWords(rule.text, 0, rule.text.length).words.slice(2);
      let changed = each === chain;
      for (let i = 0; i + 1 < words.length; i++) {
        const option = words[i]!.text;
        if ((option === "-j" || option === "-g" || option === "--jump" || option === "--goto") && words[i + 1]!.text === from) {
          words[i + 1] = { ...words[i + 1]!, text: to };
          changed = true;
        }
      }
      if (!changed) return rule;
      each.dirty = true;
      const target = jumpsTo(rule.target, from) ? { ...rule.target, chain: to } : rule.target;
      return { ...rule, chain: each.name, target, text: `-A ${each.name}${words.length ? " " : ""}${words.map(quoteWord).join(" ")}` };
    });
  }
}

/**
 * The first jump loop reachable from a built-in chain (`-A INPUT -j A`, `-A A -j B`, `-A B -j A`): the kernel
 * refuses such a table ("Too many levels of links"). Iterative depth-first search, so deep chains cannot overflow.
 */
export function findJumpLoop(table: TableState): { rule: Rule; path: string[] } | undefined {
  // Keyed by the chain objects (identity hashes) rather than their names; the stack is two parallel arrays.
  const state = new Map<ChainState, "open" | "done">();
  const stack: ChainState[] = [];
  const nexts: number[] = [];
  const rows = table.deferred;
  for (const root of table.chains.values()) {
    if (!root.builtin) continue;
    stack.push(root);
    nexts.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const chain = stack[top]!;
      const rules = chain.rules;
      const pending = chain.pending;
      // Pending rows are passed over by the chains they name (a 100k-rule dump's rows are mostly not jumps), unless
      // one of those follows a row that ends the kernel's walk: then row by row, as built rules are.
      const callees = pending !== undefined && !pending.unreachedCallees ? pending.callees : undefined;
      const count = rules.length + (pending === undefined ? 0 : callees !== undefined ? callees.length : pending.rows.length);
      const position = nexts[top]!++;
      if (position >= count) {
        state.set(chain, "done");
        stack.pop();
        nexts.pop();
        continue;
      }
      let calleeName: string;
      if (position < rules.length || callees === undefined) {
        // Built rules first, then the pending rows that follow them.
        const row = position < rules.length ? -1 : pending!.rows[position - rules.length]!;
        const target: TargetSummary = row === -1 ? rules[position]!.target : rows!.target(row);
        if (target.kind !== "jump" && target.kind !== "goto") {
          // Like the kernel's mark_source_chains: an unconditional ACCEPT, DROP or RETURN ends the walk of the chain.
          const unconditional = row === -1 ? rules[position]!.matches.length === 0 : rows!.unconditional(row);
          if (((target.kind === "verdict" && target.verdict !== "reject") || target.kind === "return") && unconditional) {
            nexts[top] = count;
          }
          continue;
        }
        calleeName = target.chain!;
      } else {
        calleeName = callees[position - rules.length]!;
      }
      const callee = table.chains.get(calleeName);
      if (!callee || callee.builtin) continue;
      const seen = state.get(callee);
      if (seen === "open") {
        const from = stack.indexOf(callee);
        return { rule: loopRule(table, chain, position, callee.name), path: [...stack.slice(from).map((f) => f.name), callee.name] };
      }
      if (seen === "done") continue;
      state.set(callee, "open");
      stack.push(callee);
      nexts.push(0);
    }
  }
  return undefined;
}

/**
 * The rule at `position` of the walk of `chain` (findJumpLoop) that jumps or goes to `callee`, built: rows are built
 * with their chain (settled), so the rule returned is the one the chain holds and callers remove. A position past the
 * built rules counts the chain's pending callees: the rule is the first of those rows to name `callee`.
 */
function loopRule(table: TableState, chain: ChainState, position: number, callee: string): Rule {
  const built = chain.rules.length;
  if (position < built) return chain.rules[position]!;
  const byRow = chain.pending!.unreachedCallees;
  settleChain(table, chain);
  if (byRow) return chain.rules[position]!;
  for (let i = built; i < chain.rules.length; i++) {
    const target = chain.rules[i]!.target;
    if ((target.kind === "jump" || target.kind === "goto") && target.chain === callee) return chain.rules[i]!;
  }
  throw new Error(`findJumpLoop: no rule of ${chain.name} jumps to ${callee}`);
}

/** The model rules of a chain, renumbered when the chain was edited. */
export function finalRules(chain: ChainState): Rule[] {
  if (!chain.dirty) return chain.rules;
  return chain.rules.map((rule, i) => (rule.index === i + 1 && rule.chain === chain.name ? rule : { ...rule, index: i + 1, chain: chain.name }));
}
