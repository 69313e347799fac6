// Reading input files: the ASCII shortcut must give exactly the text the UTF-8 decoder gives, for any bytes.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeText, readInput } from "../../src/cli/inputs.js";
import { mulberry32 } from "../helpers/random.js";

describe("decodeText", () => {
  it("gives the UTF-8 decoding of ASCII, multi-byte, BOM and invalid input", () => {
    const samples = [
      "*filter\n-A INPUT -p udp --dport 500 -j ACCEPT\nCOMMIT\n",
      "-A INPUT -m comment --comment \"caf\u00e9 \u2192 VPN \u{1f512}\" -j ACCEPT\n",
      "\ufeff*filter\nCOMMIT\n",
    ].map((text) => Buffer.from(text, "utf8"));
    samples.push(Buffer.from([0x2a, 0x66, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0xe2, 0x82]), Buffer.alloc(0));
    for (const bytes of samples) expect(decodeText(bytes)).toBe(bytes.toString("utf8"));
  });

  it("agrees with the UTF-8 decoder on 2,000 seeded random byte strings, ASCII-heavy and not", () => {
    const random = mulberry32(20261121);
    for (let n = 0; n < 2000; n++) {
      const bytes = Buffer.alloc(Math.floor(random() * 64));
      const highShare = n % 2 === 0 ? 0.02 : 0.5;
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() < highShare ? 128 + Math.floor(random() * 128) : Math.floor(random() * 128);
      expect(decodeText(bytes), `case ${n}: ${bytes.toString("hex")}`).toBe(bytes.toString("utf8"));
    }
  });
});

describe("readInput", () => {
  const dir = mkdtempSync(join(tmpdir(), "vpnlint-inputs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads ASCII and UTF-8 files as text and drops a leading BOM", () => {
    const ascii = join(dir, "ascii.rules");
    writeFileSync(ascii, "*filter\nCOMMIT\n");
    expect(readInput(ascii).text).toBe("*filter\nCOMMIT\n");
    const utf8 = join(dir, "utf8.rules");
    writeFileSync(utf8, "\ufeff*filter\n-A INPUT -m comment --comment \"\u00e9\" -j ACCEPT\nCOMMIT\n");
    expect(readInput(utf8).text).toBe("*filter\n-A INPUT -m comment --comment \"\u00e9\" -j ACCEPT\nCOMMIT\n");
  });
});
