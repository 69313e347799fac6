// CST of an iptables-restore document -> the firewall model, applying iptables-restore's line semantics in order:
// `*table` starts a fresh table, `:CHAIN POLICY` declares, commands change it, COMMIT makes it the loaded state.
// Chosen --noflush behaviour: none. Every `*table` block replaces what earlier blocks loaded for that table (as
// iptables-restore without -n does), keeping only the built-in chains' policies, which a flush does not reset.

import type { IToken } from "chevrotain";
import type { Diagnostic, Family, FirewallModel, Ruleset, Table, TableName, Chain } from "../../model/firewall.js";
import { emptyHostFacts } from "../../model/firewall.js";
import { rangeOf, type SourceFile } from "../../model/source.js";
import type { Word } from "./extensions/types.js";
import {
  applyCommand,
  chainNameProblem,
  copyTable,
  findJumpLoop,
  finalRules,
  isTableName,
  newChainState,
  newTable,
  readCommand,
  TABLE_NAMES,
  type ApplyContext,
  type TableState,
} from "./commands.js";
import type { LinesCstChildren } from "./cst-restore.js";
import { DeferredRows, deferredChain, dropPending, settleChain } from "./deferred-rules.js";
import { nativeLinesOf, type NativeLines } from "./native-lines.js";
import { lexRestore } from "./lexer.js";
import { parseRestore } from "./parser.js";
import { MAX_LINE_WORDS, MAX_WORD_LENGTH, splitRestoreWords } from "./words.js";

/** The loaded tables of one family. */
export type FamilyTables = Map<TableName, TableState>;

export class DiagnosticList {
  readonly items: Diagnostic[] = [];
  constructor(private readonly source: SourceFile) {}
  readonly report = (message: string, start: number, end: number): void => {
    this.items.push({ message, range: rangeOf(this.source, start, end) });
  };
}

const BOM = 0xfeff;

/** Parses an iptables-restore / iptables-save document for `family`; lines marked for the other family are skipped. */
export function restoreToModel(source: SourceFile, family: Family): FirewallModel {
  const diagnostics = new DiagnosticList(source);
  const committed: FamilyTables = new Map();
  const text = source.text;
  if (text.charCodeAt(0) === BOM) {
    diagnostics.report("the file starts with a byte order mark (BOM): iptables-restore reads it as part of the first line", 0, 1);
  }
  loadRestoreRange(source, family, diagnostics, committed, false, text.charCodeAt(0) === BOM ? 1 : 0, text.length);
  return toFirewallModel(source, new Map([[family, committed]]), diagnostics.items);
}

/**
 * Loads `source.text[start, end)` as iptables-restore input into `committed` (a whole file, or a here-document in a
 * shell script). `noflush` is iptables-restore -n: tables keep what they hold and `:CHAIN` flushes existing chains.
 * `variables` are given for a here-document whose delimiter is unquoted: the shell expands `$NAME` in it first.
 */
export function loadRestoreRange(
  source: SourceFile,
  family: Family,
  diagnostics: DiagnosticList,
  committed: FamilyTables,
  noflush: boolean,
  start: number,
  end: number,
  variables?: ReadonlyMap<string, string>,
): void {
  const crlf = source.text.indexOf("\r\n", start);
  if (crlf !== -1 && crlf < end) {
    diagnostics.report("Windows line endings (CR LF): iptables-restore reads the CR as part of each line and refuses it", crlf, crlf + 1);
  }
  const loader = new RestoreLoader(source, family, diagnostics, committed, noflush, variables);
  const cst = parseRestore(lexRestore(source.text, start, end));
  for (const lines of cst.children.lines ?? []) loader.lines(lines.children, start);
  loader.end();
}

interface Block {
  readonly table: TableState | undefined;
  /** The `*name` token, for the "no COMMIT" report. */
  readonly start: number;
  readonly end: number;
}

class RestoreLoader {
  private block: Block | undefined;
  private readonly ctx: ApplyContext;
  /** IPv4 documents without variables to expand (here-documents in scripts can have them). */
  private readonly commonShapes: boolean;
  /** The compiled checker, for a large ASCII document of common shapes (native-lines.ts). */
  private readonly native: NativeLines | undefined;

  constructor(
    private readonly source: SourceFile,
    private readonly family: Family,
    private readonly diagnostics: DiagnosticList,
    private readonly committed: FamilyTables,
    private readonly noflush: boolean,
    private readonly variables?: ReadonlyMap<string, string>,
  ) {
    this.ctx = { source, family, report: diagnostics.report, lenient: false };
    this.commonShapes = family === "ipv4" && variables === undefined;
    this.native = this.commonShapes ? nativeLinesOf(source) : undefined;
  }

  /** One CST node: a token of one or more lines, at offset `base + token.startOffset`. */
  lines(children: LinesCstChildren, base: number): void {
    let token: IToken | undefined;
    if ((token = first(children.CommandLines))) {
      if (this.native !== undefined) return this.nativeCommands(token, base, this.native);
      return this.each(token, base, (start, end, hasBreak) => this.command(start, end, hasBreak));
    }
    if ((token = first(children.ChainLines))) return this.each(token, base, (start, end) => this.chain(start, end));
    if ((token = first(children.TableLine))) return this.each(token, base, (start, end) => this.table(start, end));
    if ((token = first(children.CommitLine))) return this.commit(base + token.startOffset, base + token.startOffset + 6);
  }

  /** Calls `line` for each line of `token` with its start and end (line break and a CR before it excluded). */
  private each(token: IToken, base: number, line: (start: number, end: number, hasBreak: boolean) => void): void {
    const text = this.source.text;
    const stop = base + token.startOffset + token.image.length;
    let start = base + token.startOffset;
    while (start < stop) {
      let next = text.indexOf("\n", start);
      if (next === -1 || next >= stop) next = stop;
      const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
      line(start, end, next < stop);
      start = next + 1;
    }
  }

  /** The command lines of `token`: runs of common `-A` lines through the compiled checker, any other line as `each` does. */
  private nativeCommands(token: IToken, base: number, native: NativeLines): void {
    const text = this.source.text;
    const stop = base + token.startOffset + token.image.length;
    let start = base + token.startOffset;
    while (start < stop) {
      // A line read by the general path can end the table (a COMMIT with blanks): the table is asked for each run.
      const table = this.block?.table;
      if (table !== undefined) {
        start = native.take(start, stop, table, (table.deferred ??= new DeferredRows(this.source, table.name, (stop - start) / 100)));
        if (start >= stop) break;
      }
      let next = text.indexOf("\n", start);
      if (next === -1 || next >= stop) next = stop;
      this.command(start, next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next, next < stop);
      start = next + 1;
    }
  }

  end(): void {
    if (this.block) this.noCommit(this.block);
  }

  private report(message: string, start: number, end: number): void {
    this.diagnostics.report(message, start, end);
  }

  private noCommit(block: Block): void {
    const name = this.source.text.slice(block.start + 1, block.end).trim().split(/[ \t]/)[0];
    this.report(`table "${name}" has no COMMIT: iptables-restore loads nothing from it`, block.start, block.end);
  }

  private table(start: number, end: number): void {
    const text = this.source.text;
    const nameStart = skipBlanks(text, start + 1, end);
    const nameEnd = wordEnd(text, nameStart, end);
    const name = text.slice(nameStart, nameEnd);
    if (this.block) {
      this.report(`"*${name}" starts a table before the previous one has its COMMIT line`, start, end);
      this.block = undefined;
    }
    if (name.length === 0) {
      this.report('table name missing after "*"', start, end);
      this.block = { table: undefined, start, end };
      return;
    }
    if (!isTableName(name)) {
      this.report(`unknown table "${name}" (iptables has ${TABLE_NAMES.join(", ")})`, nameStart, nameEnd);
      this.block = { table: undefined, start, end };
      return;
    }
    const previous = this.committed.get(name);
    const table = this.noflush && previous ? copyTable(previous) : newTable(name, rangeOf(this.source, start, end), previous);
    this.block = { table, start, end };
  }

  private commit(start: number, end: number): void {
    if (!this.block) {
      this.report("COMMIT outside a table: there is no \"*table\" line before it", start, end);
      return;
    }
    const table = this.block.table;
    if (table) {
      const loop = findJumpLoop(table);
      if (loop) {
        const { start: at, end: to } = loop.rule.range;
        this.report(`jump loop ${loop.path.join(" -> ")}: the kernel refuses table "${table.name}" at COMMIT`, at, to);
      }
      this.committed.set(table.name, table);
    }
    this.block = undefined;
  }

  private chain(start: number, end: number): void {
    const table = this.block?.table;
    if (!this.block) {
      this.report('chain declaration outside a table: add a "*filter" (or other table) line before it', start, end);
      return;
    }
    if (!table) return;
    const text = this.source.text;
    const nameStart = start + 1;
    const nameEnd = wordEnd(text, nameStart, end);
    const name = text.slice(nameStart, nameEnd);
    const policyStart = skipBlanks(text, nameEnd, end);
    const policyEnd = wordEnd(text, policyStart, end);
    const policy = text.slice(policyStart, policyEnd);
    const existing = table.chains.get(name);
    if (existing?.builtin) {
      existing.range = rangeOf(this.source, start, end);
      if (policy.length === 0) {
        this.report(`chain "${name}" has no policy: write ":${name} ACCEPT" or ":${name} DROP"`, start, end);
      } else if (policy === "ACCEPT" || policy === "DROP") {
        existing.policy = { verdict: policy === "ACCEPT" ? "accept" : "drop", range: rangeOf(this.source, start, end) };
      } else if (policy !== "-") {
        this.report(`unknown policy "${policy}" for built-in chain "${name}" (use ACCEPT or DROP)`, policyStart, policyEnd);
      }
      return;
    }
    const problem = chainNameProblem(name, false);
    if (problem) {
      this.report(problem, nameStart === nameEnd ? start : nameStart, nameStart === nameEnd ? end : nameEnd);
      return;
    }
    if (existing && this.noflush) {
      existing.rules = [];
      dropPending(table, existing);
      existing.dirty = false;
      return;
    }
    if (existing) {
      this.report(`chain "${name}" is declared twice in table "${table.name}"`, nameStart, nameEnd);
      return;
    }
    if (policy.length === 0) {
      this.report(`chain "${name}" has no policy: write ":${name} - [0:0]" for a user chain`, start, end);
      return;
    }
    table.chains.set(name, newChainState(name, false, undefined, rangeOf(this.source, start, end)));
    if (policy !== "-") {
      this.report(`"${name}" is not a built-in chain of table "${table.name}", so its policy must be "-", not "${policy}"`, policyStart, policyEnd);
    }
  }

  private command(start: number, end: number, hasBreak: boolean): void {
    const text = this.source.text;
    let from = start;
    if (text.charCodeAt(start) === 91 /* [ */) {
      const close = text.indexOf("]", start);
      if (close === -1 || close >= end) {
        this.report('packet and byte counters "[" without "]"', start, end);
        return;
      }
      const colon = text.indexOf(":", start);
      if (colon === -1 || colon > close) {
        this.report('counters must be written "[packets:bytes]"', start, close + 1);
        return;
      }
      from = close + 1;
    }
    // Most lines of a dump are `-A` lines of a few shapes, read without the general path when it would add nothing.
    const table = this.block?.table;
    if (from === start && this.commonShapes && table && text.charCodeAt(start) === 45 && text.charCodeAt(start + 1) === 65 && text.charCodeAt(start + 2) === 32) {
      if ((table.deferred ??= new DeferredRows(this.source, table.name)).take(start, end, table)) return;
    }
    const split = splitRestoreWords(text, from, end, MAX_LINE_WORDS + 1);
    const words = split.words;
    if (words.length === 0) {
      this.report("a line with only blanks: iptables-restore refuses it (only an empty line is skipped)", start, Math.max(end, start + 1));
      return;
    }
    if (words.length === 1 && words[0]!.text === "COMMIT") {
      const message =
        !hasBreak
          ? 'the last line "COMMIT" has no line break: iptables-restore does not recognise it'
          : '"COMMIT" must be alone on its line: iptables-restore does not recognise it with blanks around it';
      this.report(message, words[0]!.start, words[0]!.end);
      return this.commit(start, end);
    }
    if (!this.block) {
      const what = words[0]!.text.startsWith("-") ? "command" : "text";
      this.report(`${what} outside a table: add a "*filter" (or other table) line before it`, words[0]!.start, words[words.length - 1]!.end);
      return;
    }
    if (!table) return;
    if (words.length > MAX_LINE_WORDS) {
      this.report(`too many words on one line (iptables-restore takes at most ${MAX_LINE_WORDS})`, words[MAX_LINE_WORDS]!.start, end);
      return;
    }
    if (split.tooLong) {
      this.report(`word longer than ${MAX_WORD_LENGTH} characters: iptables refuses it`, split.tooLong.start, split.tooLong.end);
      return;
    }
    const unresolved = this.variables ? expandVariables(words, this.variables) : undefined;
    const command = readCommand(words, start, end, this.diagnostics.report);
    if (!command) return;
    if (command.onlyFamily && command.onlyFamily !== this.family) return;
    if (command.tableOption) {
      this.report('"-t" cannot be used in an iptables-restore file: the "*table" line sets the table', command.tableOption.start, (command.table ?? command.tableOption).end);
      return;
    }
    if (unresolved) {
      applyCommand(command, table, start, end, false, { ...this.ctx, tolerated: unresolved });
      return;
    }
    applyCommand(command, table, start, end, split.canonical, this.ctx);
  }
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Expands `$NAME` / `${NAME}` in the words in place, as sh does in a here-document; returns the words it could not. */
function expandVariables(words: Word[], variables: ReadonlyMap<string, string>): Word[] {
  const unresolved: Word[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.text.includes("$") && !word.text.includes("`")) continue;
    let missing = word.text.includes("`") || word.text.includes("$(");
    const text = word.text.replace(VARIABLE, (whole, braced: string | undefined, plain: string | undefined) => {
      const value = variables.get(braced ?? plain!);
      if (value === undefined) missing = true;
      return value ?? whole;
    });
    words[i] = { ...word, text };
    if (missing) unresolved.push(word);
  }
  return unresolved;
}

function first(tokens: IToken[] | undefined): IToken | undefined {
  return tokens?.[0];
}

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  return i;
}

function wordEnd(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
  return i;
}

/** The model of the loaded tables, IPv4 first. */
export function toFirewallModel(source: SourceFile, families: Map<Family, FamilyTables>, diagnostics: Diagnostic[]): FirewallModel {
  const rulesets: Ruleset[] = [];
  for (const family of ["ipv4", "ipv6"] as const) {
    const tables = families.get(family);
    if (!tables || tables.size === 0) continue;
    const modelTables = new Map<TableName, Table>();
    for (const name of TABLE_NAMES) {
      const state = tables.get(name);
      if (!state) continue;
      const chains = new Map<string, Chain>();
      for (const chain of state.chains.values()) {
        const fields = { name: chain.name, table: name, builtin: chain.builtin, policy: chain.policy, range: chain.range };
        // Rules read by the common reader stay lines until asked for (deferred-rules.ts), unless built ones precede them.
        if (chain.pending !== undefined && chain.rules.length > 0) settleChain(state, chain);
        chains.set(chain.name, chain.pending !== undefined ? deferredChain(fields, chain, state.deferred!) : { ...fields, rules: finalRules(chain) });
      }
      modelTables.set(name, { name, chains, range: state.range });
    }
    rulesets.push({ family, tables: modelTables });
  }
  return { source, format: "iptables", rulesets, host: emptyHostFacts(), diagnostics };
}
