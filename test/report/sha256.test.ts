// The report formats' own SHA-256 (fingerprints) against node:crypto's, on lengths around the 64-byte block and its
// 56-byte padding limit, multi-byte UTF-8, and seeded random text.

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/report/sha256.js";
import { mulberry32 } from "../helpers/random.js";

const reference = (text: string) => createHash("sha256").update(text).digest("hex");

describe("sha256Hex", () => {
  it("is SHA-256 of the text's UTF-8 bytes", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (let length = 0; length <= 200; length++) expect(sha256Hex("x".repeat(length)), `${length}`).toBe(reference("x".repeat(length)));
    for (const text of ["caf\u00e9", "\u{1f512} VPN", "VPN004\u0000filter\u0000INPUT\u0000-A INPUT -p udp --dport 1701 -j ACCEPT"]) {
      expect(sha256Hex(text)).toBe(reference(text));
    }
    const random = mulberry32(256);
    for (let n = 0; n < 300; n++) {
      const text = Array.from({ length: Math.floor(random() * 300) }, () => String.fromCodePoint(Math.floor(random() * 0x2fff))).join("");
      expect(sha256Hex(text)).toBe(reference(text));
    }
  });
});
