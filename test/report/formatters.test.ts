// Golden files for every output format, plus the properties the goldens alone would not make obvious.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../src/model/source.js";
import { fingerprints } from "../../src/report/common.js";
import { escapeData, escapeProperty } from "../../src/report/github.js";
import { formatters, outputFormats } from "../../src/report/index.js";
import type { Finding } from "../../src/model/finding.js";
import { repoRoot } from "../helpers/environment.js";
import { at, files, reportInput, server, serverFindings } from "./fixtures.js";

const GOLDEN_NAMES = { text: "report.txt", json: "report.json", sarif: "report.sarif", github: "report.github.txt" } as const;

describe("golden files", () => {
  for (const format of outputFormats) {
    it(`${format} output matches golden/${GOLDEN_NAMES[format]}`, async () => {
      await expect(formatters[format](reportInput())).toMatchFileSnapshot(`golden/${GOLDEN_NAMES[format]}`);
    });
  }

  it("coloured text matches golden/report.color.txt", async () => {
    await expect(formatters.text(reportInput({ color: true }))).toMatchFileSnapshot("golden/report.color.txt");
  });
});

describe("text", () => {
  const text = formatters.text(reportInput());

  it("prints file:line:col severity message [ID] per finding, sorted by file and position", () => {
    const heads = text.split("\n").filter((line) => /^\S+:\d+:\d+ /.test(line));
    expect(heads).toEqual([
      "gw/nat.rules:2:1 warning UDP 1701 arriving on eth0 is forwarded to 192.0.2.10 in cleartext [VPN012]",
      "gw/nat.rules:2:46 warning The DNAT target part alone [VPN012]",
      "rules/server.rules:5:1 error UDP 1701 without IPsec from anywhere on any interface is accepted by rule 2 of INPUT [VPN004]",
      "rules/server.rules:7:1 error IKE (UDP 500) is rejected by rule 3 of INPUT before rule 4 accepts it [VPN002]",
      "rules/server.rules:8:1 note ESP is accepted by rule 5 of INPUT although clients use NAT-T [VPN008]",
      "rules/server.rules:9:17 error unknown option \"--dportx\" [VPN000]",
    ]);
  });

  it("underlines the offending columns under the code frame", () => {
    const lines = text.split("\n");
    const frame = lines.indexOf("  9 | -A INPUT -p udp --dportx 4500 -j ACCEPT");
    expect(frame).toBeGreaterThan(0);
    expect(lines[frame + 1]).toBe(`    | ${" ".repeat(16)}^^^^^^^^`);
  });

  it("expands tabs in frames so the caret still lines up", () => {
    expect(text).toContain("  8 | -A INPUT    -p esp -j ACCEPT\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^");
  });

  it("ends with a summary that leaves suppressed findings out of the problems", () => {
    expect(text.trimEnd().split("\n").at(-1)).toBe("6 problems (3 errors, 2 warnings, 1 note) in 2 files, 1 suppressed");
    expect(text).not.toContain("legacy office");
  });

  it("states the host facts once per file, not again under each finding", () => {
    expect(text).toContain("rules/server.rules as vpnlint sees the host:\n  - L2TP endpoint: a rule accepts udp/1701 (line 5)\n");
    expect(text).not.toContain("because: L2TP endpoint");
    expect(text).toContain("because: gateway: DNAT of udp/500 and udp/4500");
  });

  it("a deletion names the line and prints no empty replacement", () => {
    expect(text).toContain("  fix: Delete this rule: L2TP runs inside IPsec (UDP 4500) (line 2)\n\n");
  });

  it("says so when there is nothing to report", () => {
    expect(formatters.text(reportInput({ files: [files[2]!] }))).toBe("no problems in 1 file\n");
  });

  it("never replays control sequences from the input", () => {
    const hostile = new SourceFile("evil\u001b]0;pwned\u0007.rules", "-A INPUT -m comment --comment \"\u001b[2J\u009b31m\u202e\" -j ACCEPT\n");
    const finding: Finding = {
      ruleId: "VPN004",
      severity: "error",
      message: "accepted by a rule commented \"\u001b[2J\"\nsecond line",
      location: at(hostile, 1),
      related: [],
      facts: ["fact \u0007"],
      anchor: {},
    };
    for (const format of ["text", "github", "json", "sarif"] as const) {
      const output = formatters[format](reportInput({ files: [{ path: hostile.path, format: "iptables", source: hostile, findings: [finding] }] }));
      expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      if (format === "json") expect(JSON.parse(output).findings[0].message).toBe(finding.message);
    }
    const text = formatters.text(reportInput({ files: [{ path: hostile.path, format: "iptables", source: hostile, findings: [finding] }] }));
    expect(text).toContain("evil\\x1b]0;pwned\\x07.rules:1:1");
    expect(text).toContain("\\x1b[2J\\x9b31m\\u202e");
  });
});

describe("json", () => {
  const document = JSON.parse(formatters.json(reportInput()));

  it("is schema version 1 with tool, summary, files, rules and findings", () => {
    expect(document.version).toBe(1);
    expect(Object.keys(document)).toEqual(["version", "tool", "summary", "files", "rules", "findings"]);
    expect(document.summary).toEqual({ files: 3, problems: 6, errors: 3, warnings: 2, notes: 1, suppressed: 1 });
  });

  it("keeps suppressed findings, marked, with their justification", () => {
    const suppressed = document.findings.filter((finding: { suppressed: boolean }) => finding.suppressed);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0].suppression).toMatchObject({ kind: "inSource", justification: "legacy office, until 2027" });
  });

  it("is documented field by field in docs/json-output.md", () => {
    const doc = readFileSync(resolve(repoRoot, "docs/json-output.md"), "utf8");
    const gateway = document.files.find((file: { path: string }) => file.path === "gw/nat.rules");
    const withFix = document.findings.find((finding: { fix: unknown; suppression: unknown }) => finding.fix);
    const keys = new Set([
      ...Object.keys(document),
      ...Object.keys(document.summary),
      ...Object.keys(gateway),
      ...Object.keys(gateway.roles),
      ...Object.keys(gateway.roles.gateway),
      ...Object.keys(document.rules[0]),
      ...Object.keys(document.findings[0]),
      ...Object.keys(withFix.fix),
      ...Object.keys(withFix.anchor),
      ...Object.keys(withFix.location),
    ]);
    const undocumented = [...keys].filter((key) => !doc.includes(`\`${key}`) && !doc.includes(`"${key}"`) && !doc.includes(`${key}\``));
    expect(undocumented).toEqual([]);
  });

  it("lists the metadata of every rule that has findings, and only those", () => {
    expect(document.rules.map((rule: { id: string }) => rule.id)).toEqual(["VPN000", "VPN002", "VPN004", "VPN008", "VPN012"]);
  });
});

describe("github", () => {
  it("escapes data and properties as the runner expects", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%25 done%0D%0Anext");
    expect(escapeProperty("a:b,c%")).toBe("a%3Ab%2Cc%25");
  });

  it("writes one workflow command per unsuppressed finding with file, positions and title", () => {
    const output = formatters.github(reportInput());
    const commands = output.split("\n").filter((line) => line.startsWith("::"));
    expect(commands).toHaveLength(6);
    expect(commands[2]).toBe(
      "::error file=rules/server.rules,line=5,col=1,endLine=5,endColumn=45,title=VPN004 l2tp-without-ipsec::UDP 1701 without IPsec from anywhere on any interface is accepted by rule 2 of INPUT%0AFix: Accept L2TP only inside IPsec:%0A-A INPUT -p udp -m policy --dir in --pol ipsec -m udp --dport 1701 -j ACCEPT",
    );
    expect(commands[4]).toMatch(/^::notice file=rules\/server.rules,line=8,/);
  });

  it("adds a log line for kinds GitHub would cut at 10 annotations", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...serverFindings[1]!, message: `problem ${i}` }));
    const output = formatters.github(reportInput({ files: [{ path: server.path, format: "iptables", source: server, findings: many }] }));
    expect(output.split("\n").filter((line) => line.startsWith("::error "))).toHaveLength(12);
    expect(output).toContain("vpnlint: 12 errors; GitHub annotates only the first 10 errors of a step, this log lists all of them");
  });
});

describe("fingerprints", () => {
  it("depend on rule, table, chain and rule text, not on line numbers", () => {
    const shifted = new SourceFile(server.path, `# a new comment line\n${server.text}`);
    const original = fingerprints(files[0]!, serverFindings);
    const moved = fingerprints({ ...files[0]!, source: shifted }, serverFindings.map((finding) => ({ ...finding, location: { ...finding.location, startLine: finding.location.startLine + 1, endLine: finding.location.endLine + 1 } })));
    expect(moved).toEqual(original);
  });

  it("count repeats of the same key", () => {
    const twice = [serverFindings[2]!, serverFindings[2]!];
    const [first, second] = fingerprints(files[0]!, twice);
    expect(first!.split(":")[0]).toBe(second!.split(":")[0]);
    expect([first!.split(":")[1], second!.split(":")[1]]).toEqual(["1", "2"]);
  });

  it("differ between rules on the same line", () => {
    const other = { ...serverFindings[2]!, ruleId: "VPN012" };
    expect(fingerprints(files[0]!, [serverFindings[2]!])[0]).not.toBe(fingerprints(files[0]!, [other])[0]);
  });
});
