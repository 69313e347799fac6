// Splits one iptables-restore line into words exactly as iptables' add_param_to_argv (xshared.c, v1.8.9) does.
//
// Only `"` quotes; inside them a backslash escapes the next character; outside them a backslash is an ordinary
// character. A closing quote ends the word (`"a"b` is two words), an opening quote inside a word continues it, `""`
// is an empty word, and an unterminated quote runs to the end of the line. Word separators are space, tab and LF only.

import type { Word } from "./extensions/types.js";

/** iptables refuses a word of 1024 bytes or more ("Parameter too long!"). */
export const MAX_WORD_LENGTH = 1023;
/** iptables-restore builds argv from `iptables -t TABLE` plus the line's words and refuses more than this many words. */
export const MAX_LINE_WORDS = 251;

export interface SplitLine {
  readonly words: Word[];
  /**
   * True when re-quoting the words (see `quoteWord`) and joining them with single spaces gives back the text from the
   * first word's start to the last word's end, so callers may slice the source instead of rebuilding the text.
   */
  readonly canonical: boolean;
  /** The line ended inside a quote (iptables 1.8.9 accepts that: the value runs to the end of the line). */
  readonly unterminatedQuote: boolean;
  /** The first word longer than MAX_WORD_LENGTH, which iptables refuses. */
  readonly tooLong?: Word;
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * The words of `text[start, end)`. `end` excludes the line break. At most `limit` words are read: a line with more is
 * refused by iptables anyway, and a 10 MB line of single letters must not become millions of objects.
 */
export function splitRestoreWords(text: string, start: number, end: number, limit = Number.MAX_SAFE_INTEGER): SplitLine {
  const words: Word[] = [];
  let canonical = true;
  let tooLong: Word | undefined;
  let i = start;
  while (i < end) {
    let c = text.charCodeAt(i);
    if (c === SPACE || c === TAB || c === LF) {
      if (c !== SPACE || words.length === 0 || text.charCodeAt(i - 1) === SPACE) canonical = false;
      i++;
      continue;
    }
    if (words.length === limit) return { words, canonical: false, unterminatedQuote: false, tooLong };
    const wordStart = i;
    if (c !== QUOTE) {
      // The common case: a plain word, no quote in it.
      let j = i + 1;
      while (j < end) {
        const d = text.charCodeAt(j);
        // Letters, digits and punctuation but `!` sort above the quote: one comparison for most characters.
        if (d <= QUOTE && (d === SPACE || d === TAB || d === LF || d === QUOTE)) break;
        j++;
      }
      if (j === end || text.charCodeAt(j) !== QUOTE) {
        const word: Word = { text: text.slice(i, j), start: i, end: j, quoted: false };
        words.push(word);
        if (j - i > MAX_WORD_LENGTH) tooLong ??= word;
        i = j;
        continue;
      }
    }
    let quoted = false;
    let inQuote = false;
    let value: string | undefined;
    let runStart = i;
    let escaped = false;
    let closed = false;
    // A run of plain characters is sliced in one piece; `value` is only built when quotes or escapes interrupt it.
    for (; i < end; i++) {
      c = text.charCodeAt(i);
      if (inQuote) {
        if (c === BACKSLASH) {
          value = (value ?? "") + text.slice(runStart, i);
          escaped = true;
          i++;
          runStart = i;
          continue;
        }
        if (c === QUOTE) {
          value = (value ?? "") + text.slice(runStart, i);
          i++;
          inQuote = false;
          closed = true;
          break;
        }
        continue;
      }
      if (c === QUOTE) {
        value = (value ?? "") + text.slice(runStart, i);
        if (i !== wordStart) canonical = false;
        quoted = true;
        inQuote = true;
        runStart = i + 1;
        continue;
      }
      if (c === SPACE || c === TAB || c === LF) break;
    }
    if (!closed) {
      const tail = text.slice(runStart, Math.min(i, end));
      value = value === undefined ? tail : value + tail;
    }
    const word: Word = { text: value ?? "", start: wordStart, end: inQuote ? end : i, quoted: quoted || inQuote };
    words.push(word);
    if (word.text.length > MAX_WORD_LENGTH) tooLong ??= word;
    if (inQuote) return { words, canonical: false, unterminatedQuote: true, tooLong };
    if (escaped) canonical = false;
  }
  if (end > start && words.length > 0) {
    const last = text.charCodeAt(end - 1);
    if (last === SPACE || last === TAB) canonical = false;
  }
  return { words, canonical, unterminatedQuote: false, tooLong };
}

/** A word as iptables-save would need it written to read back the same: quoted when it was, or when it must be. */
export function quoteWord(word: Word): string {
  const value = word.text;
  if (!word.quoted && value.length > 0 && !/[\s"]/.test(value)) return value;
  return `"${value.replace(/[\\"]/g, "\\$&")}"`;
}
