// Lints every fixture under test/rules/fixtures and compares its findings with the `expect:` markers in the file.
//
// A marker line `# expect: VPN004 VPN008` (or `/* expect: VPN004 */` in config.boot) names the findings that start
// on the next line that is not itself a marker; `expect-suppressed:` the same for findings a suppression keeps.
// `# options: {"behindNat": true}` passes audit options. Every finding must be expected and every expectation met.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { auditSource, type AuditOptions } from "../../src/audit/index.js";
import { SourceFile } from "../../src/model/source.js";
import { repoRoot } from "../helpers/environment.js";

const fixturesRoot = join(repoRoot, "test/rules/fixtures");
const MARKER = /^\s*(?:#|\/\*)\s*(expect|expect-suppressed):\s*([A-Z0-9 ,]+?)\s*(?:\*\/)?\s*$/;
const OPTIONS = /^\s*(?:#|\/\*)\s*options:\s*(\{.*\})\s*(?:\*\/)?\s*$/;

export function fixtureFiles(format: "iptables" | "vyatta"): string[] {
  return readdirSync(join(fixturesRoot, format))
    .filter((name) => !name.startsWith("."))
    .sort()
    .map((name) => join(fixturesRoot, format, name));
}

interface Expectations {
  readonly expected: string[];
  readonly options: AuditOptions;
}

export function readExpectations(text: string): Expectations {
  const lines = text.split("\n");
  const expected: string[] = [];
  let options: AuditOptions = {};
  let pending: string[] = [];
  lines.forEach((line, index) => {
    const marker = MARKER.exec(line);
    const option = OPTIONS.exec(line);
    if (option) options = JSON.parse(option[1]!) as AuditOptions;
    if (marker) {
      const suffix = marker[1] === "expect-suppressed" ? " suppressed" : "";
      for (const id of marker[2]!.split(/[\s,]+/).filter(Boolean)) pending.push(`${id}${suffix}`);
      return;
    }
    for (const entry of pending) expected.push(`${index + 1} ${entry}`);
    pending = [];
  });
  return { expected: expected.sort(), options };
}

for (const format of ["iptables", "vyatta"] as const) {
  describe(`rule fixtures (${format})`, () => {
    for (const path of fixtureFiles(format)) {
      const name = relative(fixturesRoot, path);
      it(name, () => {
        const text = readFileSync(path, "utf8");
        const { expected, options } = readExpectations(text);
        const report = auditSource(new SourceFile(name, text), { ...options, noConfigSearch: true });
        expect(report.format).toBe(format);
        expect(report.internalErrors).toEqual([]);
        const actual = report.findings.map((finding) => `${finding.location.startLine} ${finding.ruleId}${finding.suppression ? " suppressed" : ""}`).sort();
        expect(actual, report.findings.map((finding) => `${finding.location.startLine}: ${finding.ruleId} ${finding.message}`).join("\n")).toEqual(expected);
      });
    }
  });
}
