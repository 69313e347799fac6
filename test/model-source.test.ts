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
