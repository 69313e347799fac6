// iptables' own extension tests (v1.8.11 *.t) as a conformance suite: every rule line, in every chain its file lists,
// wrapped as a one-rule iptables-restore document, must load or fail in vpnlint as its label says for the legacy
// backend. `@`/`%` lines (nfct, nfacct, an extra RATEEST rule) set up kernel objects outside the document and are
// skipped: vpnlint cannot know which ipsets, nfacct objects or rate estimators exist, so it accepts references to
// them, and the lines that fail only because one is missing (set, SET, nfacct "wrong") show up as disagreements.
// Where 1.8.11 refuses what 1.8.9 still loads (reversed ranges like --dport 4:3, which never match), vpnlint follows
// 1.8.11 and reports the rule.

import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { parseSource } from "../../../../src/formats/index.js";
import { SourceFile } from "../../../../src/model/source.js";
import { corpus, corpusRoot, describeWith } from "../../../helpers/environment.js";

interface Case {
  readonly file: string;
  readonly line: number;
  readonly table: string;
  readonly chain: string;
  readonly rule: string;
  readonly loads: boolean;
}

/** The legacy backend's expectation: RESULT, or for a line limited to NFT, ALTRESULT or the inverse of RESULT. */
function legacyLoads(result: string, variant: string | undefined, alternative: string | undefined): boolean {
  if (variant === undefined || variant === "LEGACY") return result !== "FAIL";
  if (alternative !== undefined && alternative !== "") return alternative !== "FAIL";
  return result === "FAIL";
}

function casesOf(file: string, text: string): Case[] {
  const cases: Case[] = [];
  let table = "filter";
  let chains: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === "" || line.startsWith("#") || line.startsWith("@") || line.startsWith("%")) return;
    if (line.startsWith("*")) {
      table = line.slice(1);
      return;
    }
    if (line.startsWith(":")) {
      chains = line.slice(1).split(",");
      return;
    }
    const [rule, , result, variant, alternative] = line.split(";");
    if (rule === undefined || result === undefined) return;
    const loads = legacyLoads(result, variant, alternative);
    for (const chain of chains) cases.push({ file, line: index + 1, table, chain, rule, loads });
  });
  return cases;
}

const SELECTED = /^(libxt_.*|libipt_.*|iptables)\.t$/;

describeWith(corpus, "conformance with iptables' extension tests (v1.8.11, legacy)", () => {
  it("accepts what loads and rejects what fails, for at least 99% of the one-rule documents", () => {
    const dir = resolve(corpusRoot, "iptables/upstream-extensions/v1.8.11");
    const cases = readdirSync(dir)
      .filter((f) => SELECTED.test(f))
      .sort()
      .flatMap((f) => casesOf(f, readFileSync(resolve(dir, f), "utf8")));
    const failures: string[] = [];
    for (const c of cases) {
      const document = `*${c.table}\n-A ${c.chain} ${c.rule}\nCOMMIT\n`;
      const model = parseSource(new SourceFile(`${c.file}:${c.line}`, document), "iptables");
      const accepted = model.diagnostics.length === 0;
      if (accepted !== c.loads) {
        const why = accepted ? "accepted, but iptables refuses it" : `rejected: ${model.diagnostics[0]!.message}`;
        failures.push(`${c.file}:${c.line} [${c.table} ${c.chain}] ${c.rule}\n    ${why}`);
      }
    }
    const ratio = (cases.length - failures.length) / cases.length;
    console.log(`iptables conformance: ${cases.length - failures.length}/${cases.length} documents (${(ratio * 100).toFixed(2)}%)`);
    if (failures.length > 0) console.log(`disagreements:\n  ${failures.join("\n  ")}`);
    expect(cases.length).toBeGreaterThan(1500);
    expect(ratio).toBeGreaterThanOrEqual(0.99);
  });
});
