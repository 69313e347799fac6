// The config tree both forms build: a trie of words (node names, tag values and leaf values alike), so that
// `rule 10 { action accept }` and `set ... rule 10 action 'accept'` give the same tree. Built iteratively.

import type { IToken } from "chevrotain";
import type { Diagnostic } from "../../model/firewall.js";
import type { SourceFile, SourceRange } from "../../model/source.js";
import { tokenize } from "./lexer.js";
import { parseStatements, type Statement } from "./parser.js";
import { BlockComment, DoubleQuoted, LCurly, LineComment, RCurly, SingleQuoted, UnterminatedComment } from "./tokens.js";

export type ConfigForm = "curly" | "commands";

/**
 * One word of the configuration path. A leaf's value is a child without children; a multi-value leaf has several.
 * Children live in a Map, so names like `__proto__` or `constructor` are plain data.
 */
export interface ConfigNode {
  readonly name: string;
  children: Map<string, ConfigNode> | undefined;
  /** What first defined it: the leaf line, the whole `{ ... }` block, or the first `set` line. */
  readonly range: SourceRange;
  /** The word itself (with its quotes). */
  readonly nameRange: SourceRange;
}

export interface ConfigTree {
  readonly source: SourceFile;
  readonly form: ConfigForm;
  readonly root: ConfigNode;
  /** Texts of block and line comments (the version footer lives there). */
  readonly comments: string[];
  readonly diagnostics: Diagnostic[];
}

/** Deeper nesting than any real config has; beyond it blocks are still balanced but their content is dropped. */
export const MAX_DEPTH = 128;

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

interface MutableRange {
  readonly source: SourceFile;
  readonly start: number;
  end: number;
}

export function lineOf(source: SourceFile, offset: number): number {
  return source.position(offset).line;
}

export function buildTree(source: SourceFile, form: ConfigForm): ConfigTree {
  const lexed = tokenize(source.text);
  const diagnostics: Diagnostic[] = [];
  const at = (start: number, end: number): SourceRange => ({ source, start, end: Math.max(start, end) });
  for (const error of lexed.errors) diagnostics.push({ message: `unexpected character "${source.text.charAt(error.offset)}"`, range: at(error.offset, error.offset + error.length) });
  for (const token of lexed.groups["invalid"] ?? []) {
    const what = token.tokenType === UnterminatedComment ? `unterminated "/*" comment` : `unterminated ${token.image.charAt(0)} string`;
    diagnostics.push({ message: `${what} opened at line ${lineOf(source, token.startOffset)}`, range: at(token.startOffset, token.startOffset + 2) });
  }
  const comments: string[] = [];
  for (const token of lexed.groups["comments"] ?? []) {
    if (token.tokenType === BlockComment || token.tokenType === LineComment) comments.push(token.image);
  }
  if (form === "curly") {
    for (const token of lexed.groups["hash"] ?? []) {
      diagnostics.push({
        message: `"#" comments are not config.boot syntax: the router refuses to load the file (remove "${truncate(token.image)}")`,
        range: at(token.startOffset, token.startOffset + token.image.length),
      });
    }
  }
  const parsed = parseStatements(lexed.tokens, form);
  for (const error of parsed.errors) diagnostics.push({ message: error.message, range: at(error.token.startOffset || 0, error.token.startOffset || 0) });
  const root: ConfigNode = { name: "", children: undefined, range: at(0, source.text.length), nameRange: at(0, 0) };
  const builder = form === "curly" ? buildCurly : buildCommands;
  builder(parsed.statements, root, source, diagnostics);
  return { source, form, root, comments, diagnostics };
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The word a token stands for: quotes removed, backslash escapes of double-quoted strings resolved. */
function unquote(token: IToken): string {
  const image = token.image;
  if (token.tokenType === SingleQuoted) return image.slice(1, -1);
  if (token.tokenType !== DoubleQuoted) return image;
  const body = image.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\" || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[++i]!;
    out += next === "n" ? "\n" : next === "t" ? "\t" : next;
  }
  return out;
}

function tokenEnd(token: IToken): number {
  return token.startOffset + token.image.length;
}

function child(parent: ConfigNode, word: Word, range: SourceRange, source: SourceFile): { node: ConfigNode; created: boolean } {
  let children = parent.children;
  if (!children) children = parent.children = new Map();
  const existing = children.get(word.text);
  if (existing) return { node: existing, created: false };
  const node: ConfigNode = { name: word.text, children: undefined, range, nameRange: { source, start: word.start, end: word.end } };
  children.set(word.text, node);
  return { node, created: true };
}

interface Frame {
  readonly node: ConfigNode;
  readonly open: IToken;
  /** The range shared by the nodes this block created; its end moves to the closing brace. */
  readonly range: MutableRange | undefined;
}

/** config.boot: `name {`, `name value {`, `name value?` lines and `}`; duplicate nodes merge. */
function buildCurly(statements: Statement[], root: ConfigNode, source: SourceFile, diagnostics: Diagnostic[]): void {
  const stack: Frame[] = [];
  const sink: ConfigNode = { name: "", children: undefined, range: root.range, nameRange: root.nameRange };
  let current = root;
  let tooDeep = false;
  const close = (token: IToken): void => {
    const frame = stack.pop();
    if (!frame) {
      diagnostics.push({ message: `unmatched "}": no "{" is open here`, range: { source, start: token.startOffset, end: tokenEnd(token) } });
      return;
    }
    if (frame.range) frame.range.end = tokenEnd(token);
    current = stack.length > 0 ? stack[stack.length - 1]!.node : root;
  };
  for (const statement of statements) {
    const { words: tokens, end } = statement;
    if (tokens.length === 0) {
      if (!end) continue;
      if (end.tokenType === RCurly) close(end);
      else if (end.tokenType === LCurly) {
        diagnostics.push({ message: `"{" without a node name before it`, range: { source, start: end.startOffset, end: tokenEnd(end) } });
        stack.push({ node: current, open: end, range: undefined });
      }
      continue;
    }
    const words: Word[] = tokens.map((t) => ({ text: unquote(t), start: t.startOffset, end: tokenEnd(t) }));
    const first = words[0]!;
    const opens = end?.tokenType === LCurly;
    if (words.length > 2) {
      const extra = words[2]!;
      diagnostics.push({
        message: opens
          ? `"${first.text}" takes at most one tag value before "{", found "${extra.text}"`
          : `"${first.text}" takes at most one value, found "${extra.text}" after "${words[1]!.text}"`,
        range: { source, start: extra.start, end: words[words.length - 1]!.end },
      });
    }
    const used = words.slice(0, 2);
    const range: MutableRange = { source, start: first.start, end: opens ? tokenEnd(end!) : used[used.length - 1]!.end };
    let node = current;
    let created = false;
    for (const word of used) ({ node, created } = child(node, word, range, source));
    if (opens) {
      if (stack.length >= MAX_DEPTH) {
        if (!tooDeep) diagnostics.push({ message: `nesting deeper than ${MAX_DEPTH} levels; the content below is ignored`, range: { source, start: first.start, end: tokenEnd(end!) } });
        tooDeep = true;
        node = sink;
      }
      stack.push({ node, open: end!, range: created ? range : undefined });
      current = node;
    } else if (end?.tokenType === RCurly) {
      close(end);
    }
  }
  if (stack.length > 0) {
    const outer = stack[0]!;
    const more = stack.length > 1 ? ` (and ${stack.length - 1} more inside it)` : "";
    diagnostics.push({
      message: `unbalanced "{" opened at line ${lineOf(source, outer.open.startOffset)}${more}: the file ends before its "}"`,
      range: { source, start: outer.open.startOffset, end: tokenEnd(outer.open) },
    });
  }
}

/** Commands that change nothing in the configuration and are fine in a transcript. */
const PASSIVE_COMMANDS = new Set(["commit", "commit-confirm", "confirm", "save", "configure", "compare", "discard", "load", "merge", "rollback", "run", "show", "end", "exit-discard"]);
/**
 * Tag nodes whose value is part of the same edit level (`edit firewall name X` then `up` goes to `firewall`).
 * Vyatta CLI: "up" moves one level up, "exit"/"top" to the top.
 */
const TAG_NODES = new Set(["name", "ipv6-name", "rule", "ethernet", "bonding", "bridge", "vif", "pppoe", "dataplane", "loopback", "tunnel", "vti", "zone", "from", "to", "peer", "address-group", "network-group", "port-group", "interface-group", "wireguard", "openvpn"]);

/** Shell words: adjacent tokens without blanks between them form one word (`foo'bar'` is `foobar`). */
function shellWords(tokens: IToken[]): Word[] {
  const words: Word[] = [];
  for (const token of tokens) {
    const text = unquote(token);
    const last = words[words.length - 1];
    if (last && last.end === token.startOffset) words[words.length - 1] = { text: last.text + text, start: last.start, end: tokenEnd(token) };
    else words.push({ text, start: token.startOffset, end: tokenEnd(token) });
  }
  return words;
}

const PROMPT = /^[^\s@]+@[^\s]+[#$>]$/;

/** `set`/`delete`/`comment` commands, and `edit`/`exit`/`top`/`up` transcripts with relative paths. */
function buildCommands(lines: Statement[], root: ConfigNode, source: SourceFile, diagnostics: Diagnostic[]): void {
  let level: Word[] = [];
  for (const line of lines) {
    let words = shellWords(line.words);
    if (words.length > 0 && PROMPT.test(words[0]!.text)) words = words.slice(1);
    if (words.length === 0) continue;
    const verb = words[0]!;
    const args = words.slice(1);
    const range: SourceRange = { source, start: verb.start, end: words[words.length - 1]!.end };
    if (verb.text.startsWith("[edit")) continue;
    switch (verb.text) {
      case "set": {
        const path = [...level, ...args];
        if (args.length === 0) {
          diagnostics.push({ message: `"set" needs a configuration path`, range });
          break;
        }
        if (path.length > MAX_DEPTH) {
          diagnostics.push({ message: `configuration path deeper than ${MAX_DEPTH} levels; the line is ignored`, range });
          break;
        }
        let node = root;
        for (const word of path) node = child(node, word, range, source).node;
        touchLast(root, path);
        break;
      }
      case "delete":
        remove(root, [...level, ...args]);
        break;
      case "comment":
        break;
      case "edit":
        if (level.length + args.length > MAX_DEPTH) diagnostics.push({ message: `configuration path deeper than ${MAX_DEPTH} levels; the line is ignored`, range });
        else level = [...level, ...args];
        break;
      case "exit":
      case "top":
        level = [];
        break;
      case "up": {
        const popped = level.slice(0, -1);
        const parent = popped[popped.length - 1];
        level = parent && TAG_NODES.has(parent.text) && popped.length >= 1 ? popped.slice(0, -1) : popped;
        break;
      }
      default:
        if (!PASSIVE_COMMANDS.has(verb.text)) {
          diagnostics.push({ message: `"${truncate(verb.text)}" is not a configuration command (expected set, delete, edit, exit, ...)`, range });
        }
    }
  }
}

/** Setting a leaf again replaces its value: move the value to the end so "the last value" is the one in effect. */
function touchLast(root: ConfigNode, path: readonly Word[]): void {
  if (path.length < 2) return;
  let parent = root;
  for (let i = 0; i < path.length - 1; i++) parent = parent.children!.get(path[i]!.text)!;
  const key = path[path.length - 1]!.text;
  const node = parent.children!.get(key)!;
  parent.children!.delete(key);
  parent.children!.set(key, node);
}

function remove(root: ConfigNode, path: readonly Word[]): void {
  let parent: ConfigNode | undefined = root;
  for (let i = 0; i < path.length - 1 && parent; i++) parent = parent.children?.get(path[i]!.text);
  const last = path[path.length - 1];
  if (parent && last) parent.children?.delete(last.text);
}

/** The node at `path` below `node`, if every step exists. */
export function nodeAt(node: ConfigNode | undefined, ...path: string[]): ConfigNode | undefined {
  let current = node;
  for (const step of path) {
    current = current?.children?.get(step);
    if (!current) return undefined;
  }
  return current;
}

/** Children in order (tag values, leaf values, child nodes). */
export function childrenOf(node: ConfigNode | undefined): ConfigNode[] {
  return node?.children ? [...node.children.values()] : [];
}

/** The last child (the value in effect for a single-value leaf), without building an array. */
export function lastChild(node: ConfigNode | undefined): ConfigNode | undefined {
  let last: ConfigNode | undefined;
  if (node?.children) for (const c of node.children.values()) last = c;
  return last;
}
