// The restore tokenizer against iptables' add_param_to_argv behaviour (checked with iptables-legacy-restore 1.8.9).

import { describe, expect, it } from "vitest";
import { quoteWord, splitRestoreWords } from "../../../src/formats/iptables/words.js";

function split(line: string) {
  return splitRestoreWords(line, 0, line.length);
}

describe("splitRestoreWords", () => {
  it("splits on spaces, tabs and keeps exact offsets", () => {
    const { words, canonical } = split("-A  INPUT\t-j ACCEPT");
    expect(words.map((w) => [w.text, w.start, w.end])).toEqual([
      ["-A", 0, 2],
      ["INPUT", 4, 9],
      ["-j", 10, 12],
      ["ACCEPT", 13, 19],
    ]);
    expect(canonical).toBe(false);
  });

  it("removes double quotes and resolves backslash escapes only inside them", () => {
    const { words } = split(String.raw`--comment "a \"b\" \\c" --log-prefix a\b`);
    expect(words.map((w) => w.text)).toEqual(["--comment", 'a "b" \\c', "--log-prefix", "a\\b"]);
    expect(words[1]).toMatchObject({ start: 10, end: 23, quoted: true });
  });

  it("ends a word at its closing quote and continues one at an opening quote", () => {
    expect(split('"a"b').words.map((w) => w.text)).toEqual(["a", "b"]);
    expect(split('x"y z"').words.map((w) => w.text)).toEqual(["xy z"]);
  });

  it("makes an empty word of an empty quoted string", () => {
    expect(split('--comment "" -j X').words.map((w) => w.text)).toEqual(["--comment", "", "-j", "X"]);
  });

  it("lets an unterminated quote run to the end of the line", () => {
    const result = split('--comment "abc def');
    expect(result.unterminatedQuote).toBe(true);
    expect(result.words[1]).toMatchObject({ text: "abc def", start: 10, end: 18 });
  });

  it("treats single quotes and # as ordinary characters", () => {
    expect(split("'a b' # c").words.map((w) => w.text)).toEqual(["'a", "b'", "#", "c"]);
  });

  it("recognises iptables-save's own spelling as canonical", () => {
    expect(split('-A INPUT -m comment --comment "x y" -j ACCEPT').canonical).toBe(true);
    expect(split("-A INPUT -j ACCEPT ").canonical).toBe(false);
    expect(split(String.raw`-A INPUT --comment "a\"b"`).canonical).toBe(false);
  });

  it("re-quotes words so they read back the same", () => {
    for (const line of [String.raw`"a \"b\" \\c"`, '""', "plain", '"quoted"']) {
      const word = split(line).words[0]!;
      const again = split(quoteWord(word)).words[0]!;
      expect(again.text).toBe(word.text);
    }
  });
});
