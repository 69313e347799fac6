// The compiled line checker (assembly/common-lines.ts, through src/formats/iptables/native-lines.ts) must be
// invisible: a document read with it gives the model, the messages, the rows (surveys from them) and the walks the
// JavaScript reader gives, for generated and damaged dumps, kube-proxy dumps, documents mixing general commands,
// lines at the edges of what it reads, and every iptables document of the corpora. Each comparison also counts the
// lines it took, so a checker that takes nothing fails.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSource } from "../../../src/formats/index.js";
import { nativeLinesTaken, stopNativeLines, useNativeLines } from "../../../src/formats/iptables/native-lines.js";
import { WebAssemblyApi, type CheckerExports } from "../../../src/formats/iptables/line-protocol.js";
import { RECORD_FIELDS } from "../../../src/formats/iptables/row-layout.js";
import { SourceFile } from "../../../src/model/source.js";
import { kubeDump } from "../../../bench/generate.js";
import { compileLineChecker } from "../../../scripts/build-native.mjs";
import { corpus, describeWith, repoRoot } from "../../helpers/environment.js";
import { mulberry32 } from "../../helpers/random.js";
import { expectSameReading as expectSameReadingOf } from "./readings.js";
import { corpusFiles } from "./corpus-files.js";
import { document, generatedBlock, mutate } from "./generated-lines.js";

let compiled: Uint8Array;

beforeAll(async () => {
  compiled = await compileLineChecker();
}, 60_000);

afterAll(() => stopNativeLines());

/** The document read with the JavaScript reader alone and with the compiled checker (see readings.ts). */
function expectSameReading(name: string, text: string): number {
  // Only ASCII documents, given with their bytes, go to the compiled checker.
  const ascii = text.replace(/[^\x00-\x7f]/g, "~");
  const source = new SourceFile(name, ascii, Buffer.from(ascii, "latin1"));
  return expectSameReadingOf(name, source, () => {
    useNativeLines(() => compiled, 0);
    return parseSource(source);
  });
}

describe("the compiled line checker", () => {
  it("is what dist/native/common-lines.wasm holds (run `npm run build` after changing assembly/)", () => {
    const shipped = readFileSync(join(repoRoot, "dist", "native", "common-lines.wasm"));
    expect(Buffer.from(compiled).equals(shipped)).toBe(true);
  });

  it("writes records of the layout the rows are kept in (src/formats/iptables/row-layout.ts)", () => {
    const exports = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(compiled), {}).exports as CheckerExports;
    expect(exports.RECORD_FIELDS.value).toBe(RECORD_FIELDS);
  });

  it("reads a kube-proxy dump as the JavaScript reader does, taking all but a few lines", () => {
    const text = kubeDump(10_000);
    const lines = text.split("\n").filter((line) => line.startsWith("-A ")).length;
    const taken = expectSameReading("kube-10k.rules", text);
    expect(taken).toBeGreaterThan(lines * 0.95);
  });

  it("reads a dump with more chain names than the checker gives ids to (32,768) as the JavaScript reader does", () => {
    // 40,000 chains, every 100th jumped to from INPUT, every 1,000th jumping to the next (a name first seen as a
    // target) or to a chain that does not exist (a line the JavaScript reader reads): past the 32,768th name, records
    // come without ids and this side reads the names.
    const chains = Array.from({ length: 40_000 }, (_, i) => `C${i}`);
    const target = (i: number) => (i % 1000 !== 999 ? "ACCEPT" : i % 2000 === 1999 ? "MISSING" : `C${i + 1}`);
    const lines = [
      "*filter",
      ":INPUT DROP [0:0]",
      ...chains.map((name) => `:${name} - [0:0]`),
      ...chains.filter((_, i) => i % 100 === 0).map((name, i) => `-A INPUT -s 192.0.2.${i % 256}/32 -j ${name}`),
      ...chains.map((name, i) => `-A ${name} -p udp -m udp --dport ${500 + (i % 3)} -j ${target(i)}`),
      "COMMIT",
      "",
    ];
    expect(expectSameReading("many-names.rules", lines.join("\n"))).toBeGreaterThan(40_000);
  }, 60_000);

  it("reads kube-proxy dumps with one line in five damaged as the JavaScript reader does", () => {
    const random = mulberry32(500);
    const lines = kubeDump(2_000).split("\n");
    let taken = 0;
    for (let round = 0; round < 3; round++) {
      const damaged = lines.map((line) => (line.startsWith("-A ") && random() < 0.2 ? mutate(line, random) : line));
      taken += expectSameReading(`damaged kube dump ${round}`, damaged.join("\n"));
    }
    expect(taken).toBeGreaterThan(3 * lines.length * 0.5);
  });

  it("reads 3,000 generated lines and 12,000 mutations of them as the JavaScript reader does", () => {
    const random = mulberry32(20261122);
    let taken = 0;
    for (let block = 0; block < 300; block++) {
      const lines = generatedBlock(random);
      taken += expectSameReading(`generated block ${block}`, document(lines, random() < 0.5 ? "filter" : "nat"));
    }
    // Fewer than the JavaScript reader takes: a run stops at the first line the checker leaves, and it leaves more.
    expect(taken).toBeGreaterThan(400);
  });

  it("reads lines at the edges of what it takes as the JavaScript reader does", () => {
    const edges = [
      // Addresses and prefixes: leading zeros (octal to libxtables), prefix forms, masks, host bits, ranges.
      "-A FW-1 -s 010.0.0.1/32 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1/08 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1/032 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1/0x8 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1/ -j ACCEPT",
      "-A FW-1 -s 10.1.2.3/8 -j ACCEPT",
      "-A FW-1 -s 10.1.2.3/0 -j ACCEPT",
      "-A FW-1 ! -s 10.1.2.3/0 -j ACCEPT",
      "-A FW-1 -d 255.255.255.255/31 -j ACCEPT",
      "-A FW-1 -d 0.0.0.0/1 -j DROP",
      "-A FW-1 -s 10.0.0.256 -j ACCEPT",
      "-A FW-1 -s 10.0.0 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1.2 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1/255.255.255.0 -j ACCEPT",
      "-A FW-1 -s 10.0.0.1/8/8 -j ACCEPT",
      // Ports: leading zeros, bounds, names, ranges, negation.
      "-A FW-1 -p tcp -m tcp --dport 00 -j ACCEPT",
      "-A FW-1 -p tcp -m tcp --dport 0 -j ACCEPT",
      "-A FW-1 -p tcp -m tcp --dport 65535 -j ACCEPT",
      "-A FW-1 -p tcp -m tcp --dport 65536 -j ACCEPT",
      "-A FW-1 -p tcp -m tcp --dport 123456 -j ACCEPT",
      "-A FW-1 -p udp -m udp ! --sport 53 --dport 53 -j ACCEPT",
      "-A FW-1 ! -p udp -m udp --dport 53 -j ACCEPT",
      "-A FW-1 -p udp -m tcp --dport 53 -j ACCEPT",
      "-A FW-1 -m tcp --dport 53 -j ACCEPT",
      // Marks: hexadecimal forms, case, widths, decimal and octal (left to JavaScript), broken masks.
      "-A FW-1 -j MARK --set-xmark 0X4000/0XFFFFFFFF",
      "-A FW-1 -j MARK --set-xmark 0xffffffff",
      "-A FW-1 -j MARK --set-xmark 0x1ffffffff",
      "-A FW-1 -j MARK --set-xmark 0x000000001",
      "-A FW-1 -j MARK --set-xmark 0x/0x1",
      "-A FW-1 -j MARK --set-xmark 0x1/",
      "-A FW-1 -j MARK --set-xmark 16384/16384",
      "-A FW-1 -j MARK --set-xmark 040000",
      "-A FW-1 -j MARK --set-xmark 0xg",
      // DNAT: table, chain, port needs a protocol before the target, forms left to JavaScript.
      "-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.0.0.1:0",
      "-A KUBE-SEP-1 -j DNAT --to-destination 10.0.0.1:80",
      "-A KUBE-SEP-1 -j DNAT --to-destination 10.0.0.1 -p tcp",
      "-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.0.0.1:080",
      "-A KUBE-SEP-1 -p udp -j DNAT --to-destination 10.0.0.1/32",
      "-A KUBE-SEP-1 ! -p udp -j DNAT --to-destination 10.0.0.1:53",
      "-A INPUT -p tcp -j DNAT --to-destination 10.0.0.1:53",
      "-A OUTPUT -p tcp -j DNAT --to-destination 10.0.0.1:53",
      "-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.0.0.1:",
      // Interfaces: the `+` that matches all, length limits, chains where -i / -o are refused.
      "-A FW-1 -i + -j ACCEPT",
      "-A FW-1 ! -i + -j ACCEPT",
      "-A FW-1 -i abcdefghijklmno -j ACCEPT",
      "-A FW-1 -i abcdefghijklmnop -j ACCEPT",
      "-A OUTPUT -i + -j ACCEPT",
      "-A INPUT -o + -j ACCEPT",
      "-A POSTROUTING -o eth0 -i eth1 -j ACCEPT",
      // Targets: verdicts, gotos, names iptables knows as targets, built-in chains, unknown chains, long names.
      "-A FW-1 -g KUBE-SVC-1",
      "-A FW-1 -g ACCEPT",
      "-A FW-1 -j QUEUE",
      "-A FW-1 -j REJECT",
      "-A FW-1 -j INPUT",
      "-A FW-1 -j NOPE",
      "-A FW-1 -j ABCDEFGHIJKLMNOPQRSTUVWXYZABC",
      "-A FW-1 -j KUBE-SVC-1 -j ACCEPT",
      "-A FW-1 -j",
      // Words: quotes, `!` inside words, blanks, counters, a chain that is not there.
      '-A FW-1 -m comment --comment "a b!c" -j ACCEPT',
      "-A FW-1 -m comment --comment a!b -j ACCEPT",
      '-A FW-1 -m comment --comment "unclosed -j ACCEPT',
      '-A FW-1 -m comment --comment "a\\"b" -j ACCEPT',
      "-A FW-1  -j ACCEPT",
      "-A FW-1 -j ACCEPT ",
      "-A FW-1\t-j ACCEPT",
      "[1:2] -A FW-1 -j ACCEPT",
      "-A NOPE -j ACCEPT",
      "-A FW-1",
      "-A  FW-1 -j ACCEPT",
      "-A",
      // Statistics: forms of the probability.
      "-A KUBE-SVC-1 -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1",
      "-A KUBE-SVC-1 -m statistic --mode random --probability 1 -j KUBE-SEP-1",
      "-A KUBE-SVC-1 -m statistic --mode random --probability 0. -j KUBE-SEP-1",
      "-A KUBE-SVC-1 -m statistic --mode random --probability .5 -j KUBE-SEP-1",
      // General commands among common lines: a chain deleted, flushed and renamed between them.
      "-X LOG-IT",
      "-A FW-1 -j LOG-IT",
      "-N LOG-IT",
      "-A FW-1 -j LOG-IT",
      "-E LOG-IT LOG-2",
      "-A FW-1 -j LOG-IT",
      "-A FW-1 -j LOG-2",
    ];
    let taken = 0;
    for (const table of ["filter", "nat"] as const) {
      taken += expectSameReading(`edges ${table}`, document(edges, table));
      // Every line alone too (a line the checker refuses stops its run: alone, each is the first of one).
      for (const line of edges) taken += expectSameReading(`${table}: ${line}`, document([line, line], table));
      // Windows line endings, and a last line without a line break.
      taken += expectSameReading(`edges ${table} CRLF`, document(edges, table).replaceAll("\n", "\r\n"));
      taken += expectSameReading(`edges ${table} no COMMIT`, document(edges, table).replace(/COMMIT\n$/, "").replace(/\n$/, ""));
    }
    expect(taken).toBeGreaterThan(100);
  });

  it("reads runs longer than its record buffer, and words and lines at their limits", () => {
    const many = Array.from({ length: 5000 }, (_, i) => `-A FW-1 -s 10.${i >> 8}.${i & 255}.1/32 -p udp -m udp --dport ${i} -j ${i % 3 === 0 ? "KUBE-SVC-1" : "ACCEPT"}`);
    const word = (n: number) => `"${"c".repeat(n)}"`;
    const limits = [
      `-A FW-1 -m comment --comment ${word(1023)} -j ACCEPT`,
      `-A FW-1 -m comment --comment ${word(1024)} -j ACCEPT`,
      `-A FW-1 ${Array.from({ length: 124 }, () => "-p tcp").join(" ")} -j ACCEPT`,
      `-A FW-1 ${Array.from({ length: 62 }, () => "-m comment --comment x").join(" ")} -j ACCEPT`,
      `-A FW-1 ${Array.from({ length: 63 }, () => "-m comment --comment x").join(" ")}`,
    ];
    expect(expectSameReading("many", document([...many.slice(0, 2500), ...limits, ...many.slice(2500)], "filter"))).toBeGreaterThan(4900);
  });

  it("leaves documents that are not plain ASCII, and IPv6 documents, to the JavaScript reader", () => {
    useNativeLines(() => compiled, 0);
    const before = nativeLinesTaken();
    const text = document(["-A FW-1 -m comment --comment caf\u00e9 -j ACCEPT", "-A FW-1 -j ACCEPT"], "filter");
    parseSource(new SourceFile("utf8.rules", text));
    const v6 = document(["-A FW-1 -j ACCEPT"], "filter");
    parseSource(new SourceFile("rules.v6", v6, Buffer.from(v6, "latin1")));
    expect(nativeLinesTaken()).toBe(before);
    parseSource(new SourceFile("ascii.rules", text.replace("\u00e9", "e"), Buffer.from(text.replace("\u00e9", "e"), "latin1")));
    expect(nativeLinesTaken()).toBe(before + 2);
  });

  it("stays off when its bytes are missing or are not a module, and the reading is the same", () => {
    const text = document(["-A FW-1 -p udp -m udp --dport 500 -j ACCEPT"], "filter");
    const read = () => parseSource(new SourceFile("a.rules", text, Buffer.from(text, "latin1")));
    stopNativeLines();
    const expected = read();
    for (const bytes of [undefined, new Uint8Array([0, 97, 115, 109, 9, 9]), compiled.subarray(0, 100)]) {
      useNativeLines(() => bytes, 0);
      const before = nativeLinesTaken();
      expect(read()).toEqual(expected);
      expect(nativeLinesTaken()).toBe(before);
    }
  });
});

describe("the compiled line checker with general commands at random", () => {
  const COMMON = ["-A A -p udp -m udp --dport 500 -j ACCEPT", "-A A -j B", "-A B -s 192.0.2.1/32 -j DROP", "-A INPUT -i eth0 -j A", "-A B -j A", "-A A -g C", "-A C -j RETURN"];
  const GENERAL = ["-I A 1 -p tcp -j ACCEPT", "-D A 1", "-N C", "-X C", "-F A", "-E B D", "-E D B", ":A - [0:0]", "-X", "COMMIT", " COMMIT", "*filter", ":B - [0:0]"];

  it("reads 400 documents as the JavaScript reader does", () => {
    const random = mulberry32(1701);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let taken = 0;
    for (let round = 0; round < 400; round++) {
      const lines = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":A - [0:0]", ":B - [0:0]", ":C - [0:0]"];
      for (let n = 0; n < 20; n++) lines.push(random() < 0.75 ? pick(COMMON) : pick(GENERAL));
      const script = random() < 0.3;
      const text = script ? ["#!/bin/sh", `iptables-restore${random() < 0.5 ? " --noflush" : ""} <<'EOF'`, ...lines, "COMMIT", "EOF", "iptables -A A -j ACCEPT", ""].join("\n") : [...lines, "COMMIT", ""].join("\n");
      taken += expectSameReading(script ? `mixed-${round}.sh` : `mixed-${round}.rules`, text);
    }
    expect(taken).toBeGreaterThan(2000);
  });
});

describeWith(corpus, "the compiled line checker on real documents", () => {
  it("reads every iptables document of the corpora and the examples as the JavaScript reader does", () => {
    let taken = 0;
    for (const file of corpusFiles()) taken += expectSameReading(file.name, readFileSync(file.path, "latin1"));
    for (const name of readdirSync(join(repoRoot, "examples")).filter((n) => n.endsWith(".rules") || n.endsWith(".sh"))) {
      taken += expectSameReading(name, readFileSync(join(repoRoot, "examples", name), "latin1"));
    }
    expect(taken).toBeGreaterThan(500);
  });
});
