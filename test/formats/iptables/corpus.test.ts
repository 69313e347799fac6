// Every corpus file that the real iptables loads must parse without diagnostics; the files it refuses are listed
// with the reason (checked with iptables-legacy-restore 1.8.9, see ../shared/corpus/iptables/SOURCES.md and
// upstream-dumps/heredoc/INDEX.tsv). Here-documents that only load after an earlier one are loaded in sequence.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseRuleSpec } from "../../../src/formats/iptables/extensions/index.js";
import { iptablesFormat } from "../../../src/formats/iptables/index.js";
import type { FirewallModel } from "../../../src/model/firewall.js";
import { resolveRange, SourceFile } from "../../../src/model/source.js";
import { corpus, corpusRoot, describeWith } from "../../helpers/environment.js";
import { corpusFiles, HEREDOC, isRefused, REALWORLD, SEQUENCES } from "./corpus-files.js";

function parseFile(path: string): FirewallModel {
  return iptablesFormat.parse(new SourceFile(path, readFileSync(path, "utf8")));
}

function describeDiagnostics(model: FirewallModel): string[] {
  return model.diagnostics.map((d) => `${resolveRange(d.range).startLine}: ${d.message}`);
}

/** The rule-spec parser reports unknown options (it did not in its first placeholder version). */
function ruleSpecsAreChecked(): boolean {
  const source = new SourceFile("probe", "--something-else");
  const spec = parseRuleSpec([{ text: "--something-else", start: 0, end: 16, quoted: false }], {
    source,
    family: "ipv4",
    table: "filter",
    chain: "INPUT",
    isChain: () => false,
  });
  return spec.errors.length > 0;
}

describeWith(corpus, "iptables corpus", () => {
  it("parses every file the real iptables loads without diagnostics", () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(50);
    const failures: string[] = [];
    for (const file of files) {
      if (isRefused(file.name)) continue;
      const model = parseFile(file.path);
      if (model.diagnostics.length > 0) failures.push(`${file.name}: ${describeDiagnostics(model).join("; ")}`);
      if (model.rulesets.length === 0) failures.push(`${file.name}: no ruleset`);
    }
    expect(failures).toEqual([]);
  });

  it("reads the refused files without throwing, and keeps their rules", () => {
    for (const file of corpusFiles().filter((f) => isRefused(f.name))) {
      const model = parseFile(file.path);
      expect(model.rulesets.length, file.name).toBeGreaterThan(0);
    }
  });

  it("refuses -t inside a restore line where iptables-restore does", () => {
    const model = parseFile(join(corpusRoot, HEREDOC, "ipt-restore__0009-table-name-comment_0.heredoc1.txt"));
    expect(describeDiagnostics(model)).toEqual(['2: "-t" cannot be used in an iptables-restore file: the "*table" line sets the table']);
  });

  it("reports the deliberately invalid option of the parser torture test once rule specs are checked", () => {
    const model = parseFile(join(corpusRoot, REALWORLD, "iptables-semantics", "Parser_Test__iptables-save"));
    const onLine12 = model.diagnostics.filter((d) => resolveRange(d.range).startLine === 12);
    if (ruleSpecsAreChecked()) {
      expect(onLine12.length).toBeGreaterThan(0);
      const text = model.source.text;
      expect(onLine12.some((d) => text.slice(d.range.start, d.range.end).includes("--something-else"))).toBe(true);
    } else {
      expect(onLine12).toEqual([]);
    }
  });

  it("loads state-dependent here-documents in upstream's order without diagnostics", () => {
    for (const sequence of SEQUENCES) {
      const script = [
        "#!/bin/sh",
        ...sequence.flatMap(([file, flags]) => [`iptables-restore ${flags} <<'EOF'`, readFileSync(join(corpusRoot, HEREDOC, file), "utf8").trimEnd(), "EOF"]),
        "",
      ].join("\n");
      const model = iptablesFormat.parse(new SourceFile("sequence.sh", script));
      expect(describeDiagnostics(model), sequence[0]![0]).toEqual([]);
    }
  });
});
