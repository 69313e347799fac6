// Token types of an iptables-restore document. iptables-restore reads line by line and decides what a line is by its
// first character (iptables-restore.c). A token is one line, or a run of consecutive lines of the same kind
// (chain declarations, comments, commands), line breaks included: a 100k-rule dump is a handful of tokens, and the
// words of each command line are split afterwards by words.ts, the way iptables' own add_param_to_argv does.

import type { TokenType } from "chevrotain";
import { createToken } from "../chevrotain.js";

/** Empty lines, which iptables-restore skips (a line of blanks is not empty: it is a command line); a run is one token. */
export const Newline = createToken({ name: "Newline", pattern: /\n+/, line_breaks: true });
/** `COMMIT` alone on its line (iptables compares the whole line, so `COMMIT ` with a trailing space is no COMMIT). */
export const CommitLine = createToken({ name: "CommitLine", pattern: /COMMIT\r?\n/, line_breaks: true });
/** `*filter`: starts a table. */
export const TableLine = createToken({ name: "TableLine", pattern: /\*[^\n]*\n?/, line_breaks: true });
/** `:INPUT ACCEPT [0:0]` lines: declare chains and their policies. */
export const ChainLines = createToken({ name: "ChainLines", pattern: /(?::[^\n]*\n?)+/, line_breaks: true });
/** `#` in column 0 only; anywhere else `#` is an ordinary word. */
export const CommentLines = createToken({ name: "CommentLines", pattern: /(?:#[^\n]*\n?)+/, line_breaks: true });
/**
 * Any other lines: commands (`-A INPUT ...`, `[0:0] -A ...`), or text iptables-restore will refuse. The lines of
 * `(?:(?![*:#\n]|COMMIT\r?\n)[^\n]+\n?)+`, found a line at a time with indexOf: a dump's run of 100k command lines
 * in a third of the time the regular expression takes.
 */
export const CommandLines = createToken({
  name: "CommandLines",
  pattern: { exec: (text: string, offset: number) => matchCommandLines(text, offset) },
  line_breaks: true,
});

/** A run of lines none of which is empty, starts with `*`, `:` or `#`, or is `COMMIT` (then a line break). */
export function matchCommandLines(text: string, offset: number): [string] | null {
  let end = offset;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === 42 || c === 58 || c === 35 || c === 10) break;
    if (c === 67 && text.startsWith("COMMIT", end)) {
      const after = text.charCodeAt(end + 6);
      if (after === 10 || (after === 13 && text.charCodeAt(end + 7) === 10)) break;
    }
    const lineFeed = text.indexOf("\n", end);
    end = lineFeed === -1 ? text.length : lineFeed + 1;
  }
  return end === offset ? null : [text.slice(offset, end)];
}

/** Order matters: Chevrotain takes the first pattern that matches, and CommandLines matches any other line. */
export const restoreTokens: TokenType[] = [Newline, CommitLine, TableLine, ChainLines, CommentLines, CommandLines];

// ---------------------------------------------------------------------------------------------------------------
// Shell scripts that call iptables (POSIX sh token rules, as far as iptables calls need them).

/** A word may hold quotes spanning lines, `\`-newline continuations and `$(...)`; see matchShellWord. */
export const ShellWord = createToken({
  name: "ShellWord",
  pattern: { exec: (text: string, offset: number) => matchShellWord(text, offset) },
  line_breaks: true,
});
/** `<<EOF`, `<<-EOF`, `<<'EOF'`: the body starts on the next line. */
export const HeredocStart = createToken({ name: "HeredocStart", pattern: /<<-?[ \t]*(?:'[^'\n]*'|"[^"\n]*"|\\?[A-Za-z0-9_]+)/ });
/** The lines of a here-document, up to its delimiter line (included). */
export const HeredocBody = createToken({
  name: "HeredocBody",
  pattern: { exec: (text: string, offset: number, tokens: unknown[]) => matchHeredocBody(text, offset, tokens as { image: string; tokenType: TokenType }[]) },
  line_breaks: true,
});
export const ShellNewline = createToken({ name: "ShellNewline", pattern: /\n/, line_breaks: true });
export const ShellOperator = createToken({ name: "ShellOperator", pattern: /&&|\|\||;;|[;&|()]/ });
export const ShellBlank = createToken({ name: "ShellBlank", pattern: /(?:[ \t\r]|\\\r?\n)+/, group: "skipped", line_breaks: true });
export const ShellComment = createToken({ name: "ShellComment", pattern: /#[^\n]*/, group: "skipped" });

export const shellTokens: TokenType[] = [HeredocBody, ShellNewline, ShellBlank, ShellComment, HeredocStart, ShellOperator, ShellWord];

/** Characters that end an unquoted shell word: blanks, line breaks and the operators `; & | ( ) < >`. */
function endsWord(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 59 || code === 38 || code === 124 || code === 40 || code === 41 || code === 60 || code === 62;
}

/**
 * One shell word: unquoted characters (a backslash escapes the next one), '...' and "..." (both may span lines),
 * `$(...)` and backquotes. `>`/`<` stay inside words only as redirections like `2>/dev/null` and `2>&1`.
 */
function matchShellWord(text: string, offset: number): [string] | null {
  let i = offset;
  const end = text.length;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) {
      i += 2;
    } else if (c === 39 /* ' */) {
      const close = text.indexOf("'", i + 1);
      i = close === -1 ? end : close + 1;
    } else if (c === 34 /* " */) {
      i++;
      while (i < end && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i = Math.min(end, i + 1);
    } else if (c === 96 /* ` */) {
      const close = text.indexOf("`", i + 1);
      i = close === -1 ? end : close + 1;
    } else if (c === 36 /* $ */ && text.charCodeAt(i + 1) === 40 /* ( */) {
      let depth = 0;
      for (; i < end; i++) {
        const d = text.charCodeAt(i);
        if (d === 40) depth++;
        else if (d === 41 && --depth === 0) break;
      }
      i = Math.min(end, i + 1);
    } else if ((c === 62 || c === 60) && text.charCodeAt(i + 1) !== 60 && /^[0-9]*$/.test(text.slice(offset, i))) {
      // A redirection (`>`, `2>`, `2>&1`, `>>`) stays one word with its target when written together.
      const next = text.charCodeAt(i + 1);
      i += next === 38 || next === 62 ? 2 : 1;
    } else if (endsWord(c)) {
      break;
    } else {
      i++;
    }
  }
  if (i > end) i = end;
  return i > offset ? [text.slice(offset, i)] : null;
}

/** After the line break that ends a line holding `<<DELIM`, everything up to the line equal to DELIM. */
function matchHeredocBody(text: string, offset: number, tokens: readonly { image: string; tokenType: TokenType }[]): [string] | null {
  const last = tokens[tokens.length - 1];
  if (!last || last.tokenType !== ShellNewline) return null;
  let start: { image: string } | undefined;
  for (let k = tokens.length - 2; k >= 0 && tokens[k]!.tokenType !== ShellNewline; k--) {
    if (tokens[k]!.tokenType === HeredocStart) start = tokens[k];
  }
  if (!start) return null;
  const stripTabs = start.image.startsWith("<<-");
  const delimiter = start.image.replace(/^<<-?[ \t]*/, "").replace(/^['"\\]|['"]$/g, "");
  let i = offset;
  while (i < text.length) {
    let lineEnd = text.indexOf("\n", i);
    if (lineEnd === -1) lineEnd = text.length;
    let line = text.slice(i, lineEnd);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if ((stripTabs ? line.replace(/^\t+/, "") : line) === delimiter) return [text.slice(offset, lineEnd)];
    i = lineEnd + 1;
  }
  return [text.slice(offset)];
}
