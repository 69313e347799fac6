// Token types of an iptables-restore document. iptables-restore reads line by line and decides what a line is by its
// first character (iptables-restore.c): so each token below is a whole line, and the words of a command line are
// split afterwards by words.ts, the way iptables' own add_param_to_argv does.

import type { TokenType } from "chevrotain";
import { createToken } from "./chevrotain.js";

export const Newline = createToken({ name: "Newline", pattern: /\n/, line_breaks: true });
/** `COMMIT` alone on its line (iptables compares the whole line, so `COMMIT ` with a trailing space is no COMMIT). */
export const CommitLine = createToken({ name: "CommitLine", pattern: /COMMIT\r?(?=\n)/ });
/** `*filter`: starts a table. */
export const TableLine = createToken({ name: "TableLine", pattern: /\*[^\n]*/ });
/** `:INPUT ACCEPT [0:0]`: declares a chain and its policy. */
export const ChainLine = createToken({ name: "ChainLine", pattern: /:[^\n]*/ });
/** `#` in column 0 only; anywhere else `#` is an ordinary word. */
export const CommentLine = createToken({ name: "CommentLine", pattern: /#[^\n]*/ });
/** Anything else: a command (`-A INPUT ...`, `[0:0] -A ...`), or text iptables-restore will refuse. */
export const CommandLine = createToken({ name: "CommandLine", pattern: /[^\n]+/ });

/** Order matters: Chevrotain takes the first pattern that matches, and CommandLine matches every line. */
export const restoreTokens: TokenType[] = [Newline, CommitLine, TableLine, ChainLine, CommentLine, CommandLine];
