// Round trip through the real iptables: each corpus file that loads is loaded with iptables-legacy-restore in a fresh
// network namespace and saved; vpnlint's reprint of its model is loaded and saved the same way; the saves must match.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { iptablesFormat } from "../../../src/formats/iptables/index.js";
import { printIptablesSave } from "../../../src/formats/iptables/print.js";
import type { Family } from "../../../src/model/firewall.js";
import { SourceFile } from "../../../src/model/source.js";
import { corpus, describeWith, kernel } from "../../helpers/environment.js";
import { corpusFiles, isRefused } from "./corpus-files.js";

/** Loads `text` into an empty network namespace and returns iptables-save's output without its dated comments. */
function loadAndSave(text: string, family: Family): string {
  const prefix = family === "ipv4" ? "iptables" : "ip6tables";
  // Plain `unshare -n` as root: a user namespace (-r) maps no uids, so `-m owner --uid-owner 105` would not load.
  const result = spawnSync("unshare", ["-n", "sh", "-c", `${prefix}-legacy-restore && ${prefix}-legacy-save`], {
    input: text,
    encoding: "utf8",
    timeout: 15_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) return `load failed (${result.status}): ${result.stderr.trim()}`;
  return normalize(result.stdout);
}

/** Drops `#` lines and orders table blocks by name (iptables-save lists tables in the order they were first loaded). */
function normalize(save: string): string {
  const blocks: string[] = [];
  let current: string[] = [];
  for (const line of save.split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    current.push(line);
    if (line === "COMMIT") {
      blocks.push(current.join("\n"));
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current.join("\n"));
  return blocks.sort().join("\n");
}

describeWith(kernel, "iptables round trip through iptables-legacy-restore", () => {
  describeWith(corpus, "corpus files", () => {
    const files = corpus.available ? corpusFiles().filter((f) => !isRefused(f.name)) : [];
    for (const file of files) {
      it(file.name, () => {
        const text = readFileSync(file.path, "utf8");
        const model = iptablesFormat.parse(new SourceFile(file.path, text));
        expect(model.diagnostics).toEqual([]);
        expect(model.rulesets).toHaveLength(1);
        const ruleset = model.rulesets[0]!;
        const original = loadAndSave(text, ruleset.family);
        expect(original).not.toMatch(/^load failed/);
        expect(loadAndSave(printIptablesSave(ruleset), ruleset.family)).toBe(original);
      });
    }
  });
});
