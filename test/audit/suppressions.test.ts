// Inline suppression comments: parsing in both comment styles, line targeting, and unused detection.

import { describe, expect, it } from "vitest";
import { applySuppressions, scanSuppressions } from "../../src/audit/suppressions.js";
import type { Finding } from "../../src/model/finding.js";
import { SourceFile } from "../../src/model/source.js";

function finding(ruleId: string, line: number): Finding {
  return {
    ruleId,
    severity: "error",
    message: "m",
    location: { file: "f", startLine: line, startColumn: 1, endLine: line, endColumn: 2 },
    related: [],
    facts: [],
    anchor: {},
  };
}

describe("scanSuppressions", () => {
  it("reads next-line and file directives with ids and reasons", () => {
    const source = new SourceFile(
      "f.rules",
      ["*filter", "# vpnlint disable-next-line VPN003, VPN001 -- NAT-T only", "", "# another comment", "-A INPUT -j DROP", "# vpnlint disable VPN009", "COMMIT"].join("\n"),
    );
    const comments = scanSuppressions(source);
    expect(comments).toHaveLength(2);
    expect(comments[0]).toMatchObject({ scope: "next-line", ids: ["VPN003", "VPN001"], justification: "NAT-T only", targetLine: 5 });
    expect(comments[0]!.location.startLine).toBe(2);
    expect(comments[1]).toMatchObject({ scope: "file", ids: ["VPN009"] });
  });

  it("reads block comments in config.boot and ignores `#` inside words", () => {
    const source = new SourceFile("config.boot", ["firewall {", "    /* vpnlint disable-next-line VPN004 */", "    rule 22 {", "x#vpnlint disable VPN001", "}"].join("\n"));
    const comments = scanSuppressions(source);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ scope: "next-line", ids: ["VPN004"], targetLine: 3 });
    expect(comments[0]!.location.startColumn).toBe(5);
  });
});

describe("applySuppressions", () => {
  it("keeps suppressed findings, marks them, and reports unused ids", () => {
    const source = new SourceFile("f", ["# vpnlint disable-next-line VPN003 VPN002 -- why", "-A INPUT -j DROP", "# vpnlint disable-next-line", "-A INPUT -j ACCEPT"].join("\n"));
    const findings = [finding("VPN003", 2), finding("VPN001", 2)];
    const unused = applySuppressions(findings, scanSuppressions(source));
    expect(findings[0]!.suppression).toMatchObject({ kind: "inSource", justification: "why" });
    expect(findings[1]!.suppression).toBeUndefined();
    expect(unused.map((u) => [u.comment.location.startLine, u.id])).toEqual([
      [1, "VPN002"],
      [3, undefined],
    ]);
  });

  it("applies file-wide directives to every line", () => {
    const source = new SourceFile("f", "# vpnlint disable VPN009\n-A INPUT -j ACCEPT\n");
    const findings = [finding("VPN009", 2), finding("VPN009", 40)];
    expect(applySuppressions(findings, scanSuppressions(source))).toEqual([]);
    expect(findings.every((f) => f.suppression?.kind === "inSource")).toBe(true);
  });
});
