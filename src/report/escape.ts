// Input text (comments, chain names, file names) must never reach a terminal or a log as live control sequences.

// C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), bidi overrides and isolates ("trojan source"), LS/PS.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const UNSAFE_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One printable line: every control character, line break and tab becomes a visible `\xNN` / `\uNNNN`. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * JSON that is safe to print to a terminal: JSON.stringify already escapes C0 controls; DEL, C1 controls, bidi
 * controls and line separators (which can only occur inside strings) become \u escapes as well.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The display form of one character of a code frame line; tabs expand so carets line up. */
export function displayChar(char: string): string {
  if (char === "\t") return "    ";
  return char.replace(UNSAFE_BUT_TAB, escapeChar);
}
