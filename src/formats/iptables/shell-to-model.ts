// CST of a shell script -> the firewall model: every iptables/ip6tables call is applied in script order to the
// kernel's tables (which exist from the start, with ACCEPT policies), and `iptables-restore <<EOF` here-documents are
// loaded as restore input. Other commands are ignored. Control flow is not evaluated: every call counts once.

import type { IToken } from "chevrotain";
import type { Family, FirewallModel } from "../../model/firewall.js";
import type { SourceFile } from "../../model/source.js";
import { applyCommand, findJumpLoop, isTableName, newTable, readCommand, TABLE_NAMES, type ApplyContext } from "./commands.js";
import type { CommandCstChildren } from "./cst-shell.js";
import type { Word } from "./extensions/types.js";
import { lexShell } from "./lexer.js";
import { parseShell } from "./parser.js";
import { decodeShellWord } from "./shell-words.js";
import { DiagnosticList, loadRestoreRange, toFirewallModel, type FamilyTables } from "./to-model.js";

const IPTABLES = /^(ip6?)tables(?:-legacy|-nft)?$/;
const RESTORE = /^(ip6?)tables(?:-legacy|-nft)?-restore$/;
/** Words that may precede the command itself. */
const PREFIXES = new Set(["sudo", "command", "exec", "nice", "nohup", "time", "env", "builtin"]);
const RESERVED = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done"]);
const DECLARATIONS = new Set(["export", "local", "readonly", "declare", "typeset"]);
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;
/** `$(which iptables)`, `` `command -v iptables` ``: the value is the program's name. */
const LOOKUP = /^(?:\$\(|`)\s*(?:which|command\s+-v|type\s+-p)\s+([\w./-]+)\s*(?:\)|`)$/;
const REDIRECTION = /^[0-9]*(?:>>?|<|>&|<&)/;

interface PendingHeredoc {
  readonly family: Family;
  readonly noflush: boolean;
  /** The delimiter is unquoted, so the shell expands variables in the body. */
  readonly expands: boolean;
}

interface ShellWordOf extends Word {
  readonly unresolved: boolean;
}

export function shellToModel(source: SourceFile): FirewallModel {
  const loader = new ShellLoader(source);
  const cst = parseShell(lexShell(source.text));
  for (const item of cst.children.item ?? []) {
    const children = item.children;
    if (children.command) loader.command(children.command[0]!.children);
    else if (children.HeredocBody) loader.heredoc(children.HeredocBody[0]!);
  }
  return toFirewallModel(source, loader.families, loader.diagnostics.items);
}

class ShellLoader {
  readonly diagnostics: DiagnosticList;
  readonly families = new Map<Family, FamilyTables>([
    ["ipv4", new Map()],
    ["ipv6", new Map()],
  ]);
  private readonly variables = new Map<string, string>();
  private readonly pending: PendingHeredoc[] = [];

  constructor(private readonly source: SourceFile) {
    this.diagnostics = new DiagnosticList(source);
  }

  heredoc(token: IToken): void {
    const next = this.pending.shift();
    if (!next) return;
    const start = token.startOffset;
    const lastBreak = token.image.lastIndexOf("\n");
    const end = lastBreak === -1 ? start : start + lastBreak + 1;
    const variables = next.expands ? new Map(this.variables) : undefined;
    loadRestoreRange(this.source, next.family, this.diagnostics, this.families.get(next.family)!, next.noflush, start, end, variables);
  }

  command(children: CommandCstChildren): void {
    const tokens = [...(children.ShellWord ?? []), ...(children.HeredocStart ?? [])];
    tokens.sort((a, b) => a.startOffset - b.startOffset);
    const words = this.expand(tokens);
    if (!words) return;
    let i = 0;
    while (i < words.length && RESERVED.has(words[i]!.text)) i++;
    if (i < words.length && DECLARATIONS.has(words[i]!.text)) {
      this.assign(words.slice(i + 1), true);
      return;
    }
    const assigned = this.assign(words.slice(i), false);
    i += assigned;
    if (i === words.length && assigned > 0) return;
    while (i < words.length && PREFIXES.has(words[i]!.text.replace(/^.*\//, ""))) {
      i++;
      while (i < words.length && (words[i]!.text.startsWith("-") || ASSIGNMENT.test(words[i]!.text))) i += words[i]!.text === "-u" ? 2 : 1;
    }
    const name = words[i]?.text.replace(/^.*\//, "");
    if (name === undefined) return;
    const call = IPTABLES.exec(name);
    if (call) return this.iptables(words.slice(i + 1), call[1] === "ip6" ? "ipv6" : "ipv4", tokens);
    const restore = RESTORE.exec(name);
    if (restore && tokens.some((t) => t.image.startsWith("<<"))) {
      const args = words.slice(i + 1).map((w) => w.text);
      const heredoc = tokens.find((t) => t.image.startsWith("<<"))!;
      this.pending.push({
        family: restore[1] === "ip6" ? "ipv6" : "ipv4",
        noflush: args.includes("-n") || args.includes("--noflush"),
        expands: !/^<<-?[ \t]*['"\\]/.test(heredoc.image),
      });
    }
  }

  /** Records leading `NAME=value` words; returns how many there were. */
  private assign(words: readonly ShellWordOf[], declaration: boolean): number {
    let n = 0;
    for (const word of words) {
      const match = ASSIGNMENT.exec(word.text);
      if (!match) {
        if (declaration) continue;
        break;
      }
      n++;
      const raw = this.source.text.slice(word.start, word.end).slice(match[1]!.length + 1);
      const lookup = LOOKUP.exec(raw.replace(/^["']|["']$/g, ""));
      const value = lookup ? lookup[1]! : word.unresolved ? undefined : word.text.slice(match[0].length);
      if (value === undefined) this.variables.delete(match[1]!);
      else this.variables.set(match[1]!, value);
    }
    return n;
  }

  /** Shell words as iptables receives them; undefined when the command cannot be read (reported). */
  private expand(tokens: readonly IToken[]): ShellWordOf[] | undefined {
    const words: ShellWordOf[] = [];
    for (const token of tokens) {
      const start = token.startOffset;
      const end = start + token.image.length;
      if (token.image.startsWith("<<")) continue;
      const value = decodeShellWord(token.image, this.variables);
      if (value.unterminatedAt !== undefined) {
        this.diagnostics.report("unterminated quote: the shell reads the rest of the file as part of this word", start + value.unterminatedAt, start + value.unterminatedAt + 1);
        return undefined;
      }
      if (value.fields) {
        for (const field of value.fields) words.push({ text: field, start, end, quoted: false, unresolved: false });
      } else {
        // The shell removes its quotes: iptables sees an unquoted word.
        words.push({ text: value.text, start, end, quoted: false, unresolved: value.unresolved });
      }
    }
    return words;
  }

  private iptables(args: ShellWordOf[], family: Family, tokens: readonly IToken[]): void {
    const words: ShellWordOf[] = [];
    for (let k = 0; k < args.length; k++) {
      const word = args[k]!;
      if (!word.quoted && REDIRECTION.test(word.text)) {
        if (/^[0-9]*(?:>>?|<)$/.test(word.text)) k++;
        continue;
      }
      words.push(word);
    }
    if (words.length === 0) return;
    const start = tokens[0]!.startOffset;
    const last = tokens[tokens.length - 1]!;
    const end = last.startOffset + last.image.length;
    const report = this.diagnostics.report;
    const command = readCommand(words, start, end, report);
    if (!command) return;
    if (command.onlyFamily && command.onlyFamily !== family) {
      const option = words.find((w) => w.text === "-4" || w.text === "-6" || w.text === "--ipv4" || w.text === "--ipv6")!;
      report(`"${option.text}" cannot be used with ${family === "ipv4" ? "iptables" : "ip6tables"}`, option.start, option.end);
      return;
    }
    if (command.kind === "list") return;
    const tableName = command.table?.text ?? "filter";
    if (!isTableName(tableName)) {
      const at = command.table ?? command.tableOption!;
      report(`unknown table "${tableName}" (iptables has ${TABLE_NAMES.join(", ")})`, at.start, at.end);
      return;
    }
    const tables = this.families.get(family)!;
    let table = tables.get(tableName);
    if (!table) {
      table = newTable(tableName, undefined);
      tables.set(tableName, table);
    }
    const unresolved = words.filter((w) => w.unresolved);
    const ctx: ApplyContext = { source: this.source, family, report, lenient: true, tolerated: unresolved };
    applyCommand(command, table, start, end, false, ctx);
    const loop = command.kind === "append" || command.kind === "insert" || command.kind === "replace" ? findJumpLoop(table) : undefined;
    if (loop) {
      // The kernel refuses the command that closes the loop; the table stays as it was before it.
      report(`jump loop ${loop.path.join(" -> ")}: the kernel refuses this rule`, loop.rule.range.start, loop.rule.range.end);
      for (const chain of table.chains.values()) {
        const at = chain.rules.indexOf(loop.rule);
        if (at === -1) continue;
        chain.rules.splice(at, 1);
        chain.dirty = true;
      }
    }
  }
}
