// The command-lines token is matched by hand (a line at a time with indexOf) for speed: it must take exactly what its
// regular expression would, on any text.

import { describe, expect, it } from "vitest";
import { matchCommandLines } from "../../../src/formats/iptables/tokens.js";
import { mulberry32 } from "../../helpers/random.js";

/** The token's definition as a regular expression, matched at `offset` (sticky). */
const COMMAND_LINES = /(?:(?![*:#\n]|COMMIT\r?\n)[^\n]+\n?)+/y;

function byExpression(text: string, offset: number): string | null {
  COMMAND_LINES.lastIndex = offset;
  return COMMAND_LINES.exec(text)?.[0] ?? null;
}

const PIECES = ["-A INPUT -j ACCEPT", "COMMIT", "COMMIT ", " COMMIT", "COMMITTED", "*filter", ":INPUT ACCEPT", "# note", "", "\r", "x", "[0:0] -A X", "C", "COMMIT\r", "\t"];

describe("the command-lines token", () => {
  it("takes what its regular expression takes, at every offset of 3,000 random documents", () => {
    const random = mulberry32(1701);
    let nonEmpty = 0;
    for (let round = 0; round < 3000; round++) {
      const lines = Array.from({ length: 1 + Math.floor(random() * 8) }, () => PIECES[Math.floor(random() * PIECES.length)]!);
      const text = lines.join(random() < 0.8 ? "\n" : "\r\n") + (random() < 0.5 ? "\n" : "");
      for (let offset = 0; offset <= text.length; offset++) {
        const expected = byExpression(text, offset);
        expect(matchCommandLines(text, offset)?.[0] ?? null, JSON.stringify([text, offset])).toBe(expected);
        if (expected !== null) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(10_000);
  });
});
