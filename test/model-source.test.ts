import { describe, expect, it } from "vitest";
import { SourceFile, rangeOf, resolveRange } from "../src/model/source.js";

describe("SourceFile positions", () => {
  const source = new SourceFile("rules.v4", "*filter\r\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\nCOMMIT");

  it("maps offsets to 1-based lines and columns", () => {
    expect(source.position(0)).toEqual({ line: 1, column: 1 });
    expect(source.position(9)).toEqual({ line: 2, column: 1 });
    expect(source.position(source.text.indexOf("-j"))).toEqual({ line: 3, column: 10 });
    expect(source.position(source.text.length)).toEqual({ line: 4, column: 7 });
  });

  it("returns line text without CR", () => {
    expect(source.lineText(1)).toBe("*filter");
    expect(source.lineText(4)).toBe("COMMIT");
    expect(source.lineText(9)).toBe("");
  });

  it("gives an empty range one column so annotations show", () => {
    const at = source.text.indexOf("COMMIT");
    expect(resolveRange(rangeOf(source, at, at))).toEqual({ file: "rules.v4", startLine: 4, startColumn: 1, endLine: 4, endColumn: 2 });
  });
});

describe("SourceFile.find", () => {
  it("finds what text.indexOf finds, over the kept ASCII bytes as over the text", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
    for (let round = 0; round < 200; round++) {
      const noise = Array.from({ length: Math.floor(random() * 300) }, () => "vpnlit #\n"[Math.floor(random() * 9)]).join("");
      const cut = Math.floor(random() * noise.length);
      const text = random() < 0.5 ? noise : `${noise.slice(0, cut)}# vpnlint disable${noise.slice(cut)}`;
      const withBytes = new SourceFile("a", text, Buffer.from(text, "latin1"));
      const plain = new SourceFile("a", text);
      for (const pattern of ["vpnlint", "v", "# v", "\n"]) {
        for (let from = 0; from <= text.length + 1; from += 1 + Math.floor(random() * 20)) {
          expect(withBytes.find(pattern, from)).toBe(text.indexOf(pattern, from));
          expect(plain.find(pattern, from)).toBe(text.indexOf(pattern, from));
        }
      }
    }
  });
});
