// The reader of common `-A` lines (src/formats/iptables/common-lines.ts) must give exactly the rule the general path
// gives, or leave the line to it. Compared here document by document: every iptables file of the corpora, the
// examples, iptables' own test lines, and seeded generated dumps with mutated lines, each loaded by the real parser
// and by a copy of it in which the common reader never answers.

import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { checkCommonRule } from "../../../src/formats/iptables/common-lines.js";
import { newTable, type TableState } from "../../../src/formats/iptables/commands.js";
import { parseSource } from "../../../src/formats/index.js";
import { SourceFile } from "../../../src/model/source.js";
import { corpus, corpusRoot, describeWith, repoRoot } from "../../helpers/environment.js";
import { mulberry32 } from "../../helpers/random.js";
import { corpusFiles } from "./corpus-files.js";
import { document, generatedBlock, USER_CHAINS } from "./generated-lines.js";

const COMMON_LINES = "../../../src/formats/iptables/common-lines.js";

/** parseSource of a second copy of the parsers whose common reader never answers: the general path reads every line. */
let generalParse: typeof parseSource;
let readerOfGeneral: typeof checkCommonRule;

beforeAll(async () => {
  vi.resetModules();
  vi.doMock(COMMON_LINES, async (importOriginal) => ({ ...(await importOriginal<object>()), checkCommonRule: () => false }));
  generalParse = (await import("../../../src/formats/index.js")).parseSource;
  readerOfGeneral = (await import(COMMON_LINES)).checkCommonRule;
  vi.doUnmock(COMMON_LINES);
});

/** Whether the common reader takes the line (checks it, keeping its facts) in a table being loaded. */
function takes(source: SourceFile, start: number, end: number, table: TableState, reader = checkCommonRule): boolean {
  return reader(source, start, end, table, { chains: table.chains, jumps: new Map(), gotos: new Map() });
}

function expectSameModel(name: string, text: string): void {
  const source = new SourceFile(name, text);
  expect(parseSource(source), name).toEqual(generalParse(source));
}

describe("common -A lines", () => {
  it("are read by the common reader only in the copy used as the real parser", () => {
    const text = document(["-A FW-1 -p udp -m udp --dport 4500 -j ACCEPT"], "filter");
    const table = newTable("filter", undefined);
    table.chains.set("FW-1", { name: "FW-1", builtin: false, rules: [], dirty: false });
    const start = text.indexOf("-A");
    const end = text.indexOf("\n", start);
    expect(takes(new SourceFile("a", text), start, end, table)).toBe(true);
    expect(takes(new SourceFile("a", text), start, end, newTable("filter", undefined), readerOfGeneral)).toBe(false);
  });

  it("give the general path's model for 3,000 generated lines and 12,000 mutations of them", () => {
    const random = mulberry32(20261121);
    let taken = 0;
    let total = 0;
    for (let block = 0; block < 300; block++) {
      const lines = generatedBlock(random);
      const table = random() < 0.5 ? "filter" : "nat";
      const text = document(lines, table);
      expectSameModel(`generated block ${block}`, text);
      // How many lines the common reader takes on its own (the comparison above is only worth something if many).
      const state = newTable(table, undefined);
      for (const chain of USER_CHAINS) state.chains.set(chain, { name: chain, builtin: false, rules: [], dirty: false });
      const source = new SourceFile("b", text);
      for (let offset = 0, end = text.indexOf("\n"); end !== -1; offset = end + 1, end = text.indexOf("\n", offset)) {
        if (!text.startsWith("-A ", offset)) continue;
        total++;
        if (takes(source, offset, end, state)) taken++;
      }
    }
    expect(total).toBeGreaterThan(10000);
    expect(taken).toBeGreaterThan(1000);
    expect(taken).toBeLessThan(total / 2);
  });

  it("take the lines of a kube-proxy dump that need nothing else", () => {
    const lines = [
      '-A FW-1 -s 198.18.108.164/32 -p udp -m udp --dport 49244 -m comment --comment "allow FW-01045/3" -j ACCEPT',
      '-A KUBE-SVC-1 -m comment --comment "ns24/svc144:http -> ep2" -m statistic --mode random --probability 0.78374 -j KUBE-SEP-1',
      '-A KUBE-SEP-1 -s 10.1.2.3/32 -m comment --comment "ns/svc:http" -j MARK --set-xmark 0x4000/0x4000',
      '-A FW-1 -d 10.96.0.10/32 -p tcp -m comment --comment "kube-system/kube-dns:dns-tcp cluster IP" -m tcp --dport 53 -j KUBE-SVC-1',
      '-A KUBE-SEP-1 -p tcp -m comment --comment "ns/svc:http" -m tcp -j DNAT --to-destination 10.244.3.9:8080',
      "-A FW-1 -j RETURN",
    ];
    const text = document(lines, "nat");
    expectSameModel("kube lines", text);
    const table = newTable("nat", undefined);
    for (const chain of USER_CHAINS) table.chains.set(chain, { name: chain, builtin: false, rules: [], dirty: false });
    for (const line of lines) {
      const start = text.indexOf(line);
      expect(takes(new SourceFile("k", text), start, start + line.length, table), line).toBe(true);
    }
  });
});

describeWith(corpus, "common -A lines in real documents", () => {
  it("give the general path's model for every iptables corpus file, example and iptables test line", () => {
    const documents = corpusFiles().map((file) => ({ name: file.name, text: readFileSync(file.path, "utf8") }));
    for (const name of readdirSync(join(repoRoot, "examples")).filter((n) => n.endsWith(".rules"))) {
      documents.push({ name, text: readFileSync(join(repoRoot, "examples", name), "utf8") });
    }
    const suite = resolve(corpusRoot, "iptables/upstream-extensions/v1.8.11");
    for (const name of readdirSync(suite).filter((n) => /^(libxt_.*|libipt_.*|iptables)\.t$/.test(n))) {
      // Each test line appended to every chain its file lists, in a document per table.
      let table = "filter";
      let chains: string[] = [];
      const blocks = new Map<string, string[]>();
      for (const raw of readFileSync(join(suite, name), "utf8").split("\n")) {
        const line = raw.trimEnd();
        if (line.startsWith("*")) table = line.slice(1);
        else if (line.startsWith(":")) chains = line.slice(1).split(",");
        else if (line !== "" && !/^[#@%]/.test(line)) {
          for (const chain of chains) blocks.set(table, [...(blocks.get(table) ?? []), `-A ${chain} ${line.split(";")[0]}`]);
        }
      }
      for (const [each, lines] of blocks) documents.push({ name: `${name} ${each}`, text: `*${each}\n${lines.join("\n")}\nCOMMIT\n` });
    }
    for (const { name, text } of documents) expectSameModel(name, text);
    expect(documents.length).toBeGreaterThan(100);
  });
});
