// The audit pipeline end to end: role facts, options over config over inference, severity overrides, disabled rules.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { auditSource } from "../../src/audit/index.js";
import { runChecks } from "../../src/rules/runner.js";
import { defineRule } from "../../src/rules/define.js";
import { SourceFile } from "../../src/model/source.js";
import { parseSource } from "../../src/formats/index.js";
import { inferRoles } from "../../src/audit/roles.js";

const ENDPOINT = [
  "*filter",
  ":INPUT DROP [0:0]",
  ":FORWARD ACCEPT [0:0]",
  ":OUTPUT ACCEPT [0:0]",
  "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "-A INPUT -i eth0 -p udp -m multiport --dports 500,4500 -j ACCEPT",
  "COMMIT",
  "",
].join("\n");

describe("auditSource", () => {
  const root = mkdtempSync(join(tmpdir(), "vpnlint-audit-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("says which roles it inferred and why", () => {
    const report = auditSource(new SourceFile("host.rules", ENDPOINT), { noConfigSearch: true });
    expect(report.facts).toEqual(["IPsec endpoint: a rule accepts udp/500, udp/4500 (line 6)", "external interfaces: eth0 (eth0: VPN rule (line 6))"]);
    expect(report.roles.l2tpEndpoint.value).toBe(false);
    expect(report.findings.map((finding) => `${finding.ruleId}@${finding.location.startLine}`)).toEqual(["VPN003@2"]);
    expect(report.findings[0]!.facts).toEqual(["IPsec endpoint: a rule accepts udp/500, udp/4500 (line 6)", "external interfaces: eth0 (eth0: VPN rule (line 6))"]);
  });

  it("lets options win over the config file and the config over inference", () => {
    const path = join(root, "host.rules");
    writeFileSync(join(root, ".vpnlint.yaml"), "behind-nat: true\nrules: {VPN003: note}\n");
    const fromConfig = auditSource(new SourceFile(path, ENDPOINT));
    expect(fromConfig.configPath).toBe(join(root, ".vpnlint.yaml"));
    expect(fromConfig.roles.behindNat).toMatchObject({ value: true, source: "config" });
    expect(fromConfig.findings).toEqual([]);
    const fromOptions = auditSource(new SourceFile(path, ENDPOINT), { behindNat: false });
    expect(fromOptions.roles.behindNat).toMatchObject({ value: false, source: "option" });
    expect(fromOptions.findings.map((finding) => [finding.ruleId, finding.severity])).toEqual([["VPN003", "note"]]);
    const gateway = auditSource(new SourceFile(path, ENDPOINT), { roles: ["gateway"], behindNat: false });
    expect(gateway.roles.ipsecEndpoint).toMatchObject({ value: false, source: "option" });
    expect(gateway.findings).toEqual([]);
  });

  it("keeps findings of rules turned off in the config, suppressed as external", () => {
    const dir = mkdtempSync(join(root, "off-"));
    writeFileSync(join(dir, ".vpnlint.json"), JSON.stringify({ disable: ["VPN003"] }));
    const report = auditSource(new SourceFile(join(dir, "host.rules"), ENDPOINT));
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]!.suppression).toMatchObject({ kind: "external" });
  });

  it("uses the external interfaces it is given", () => {
    const report = auditSource(new SourceFile("host.rules", ENDPOINT), { noConfigSearch: true, externalInterfaces: ["eth1"] });
    expect(report.roles.externalInterfaces).toMatchObject({ value: ["eth1"], source: "option" });
    expect(report.findings.map((finding) => finding.ruleId).sort()).toEqual(["VPN001", "VPN002", "VPN003"]);
    expect(report.findings[0]!.message).toContain("arriving on eth1");
  });

  it("turns a check that throws into an internal error and keeps the other findings", () => {
    const model = parseSource(new SourceFile("host.rules", ENDPOINT));
    const roles = inferRoles(model, { options: {}, config: {} });
    const broken = defineRule({
      id: "VPN999",
      name: "broken",
      severity: "note",
      description: "always throws",
      rationale: "a test double for a check with a bug",
      securitySeverity: 0,
      precision: "low",
      tags: [],
      messages: { never: "never" },
      check(context) {
        context.report({ messageId: "never", facts: [] });
        throw new Error("boom");
      },
    });
    const failures: { ruleId: string; message: string }[] = [];
    expect(runChecks(model, roles, [broken], failures)).toEqual([]);
    expect(failures).toEqual([{ ruleId: "VPN999", message: "boom" }]);
  });
});

describe("syntax findings", () => {
  it("shortens over-long quoted input in messages and keeps the position", () => {
    const chain = "X".repeat(1_000);
    const report = auditSource(new SourceFile("long.rules", `*filter\n-A INPUT -j ${chain}\nCOMMIT\n`), { noConfigSearch: true });
    const syntax = report.findings.filter((finding) => finding.ruleId === "VPN000");
    expect(syntax.length).toBeGreaterThan(0);
    for (const finding of syntax) expect(finding.message.length).toBeLessThanOrEqual(1_000);
    expect(syntax[0]!.message).toContain("(1000 characters)");
    expect(syntax[0]!.location.startLine).toBe(2);
  });

  it("reports at most 500 syntax errors per file, then counts the rest", () => {
    const text = `*filter\n${"-Q INPUT\n".repeat(1_200)}COMMIT\n`;
    const syntax = auditSource(new SourceFile("many.rules", text), { noConfigSearch: true }).findings.filter((finding) => finding.ruleId === "VPN000");
    expect(syntax).toHaveLength(501);
    expect(syntax[500]!.message).toBe("700 more syntax errors in this file are not shown (the first 500 are)");
    expect(syntax[500]!.location.startLine).toBe(502);
  });
});
