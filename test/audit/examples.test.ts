// The examples shipped in examples/ give exactly the findings their header comments describe.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditSource } from "../../src/audit/index.js";
import { SourceFile } from "../../src/model/source.js";
import { repoRoot } from "../helpers/environment.js";

/** `ID@line` of every finding, by file. A new example must be added here with its findings. */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  "edgeos-l2tp-server-broken.boot": ["VPN004@23"],
  "l2tp-ipsec-broken.rules": ["VPN004@10", "VPN001@11", "VPN002@11", "VPN003@11", "VPN008@12", "VPN008@13", "VPN008@14", "VPN012@15"],
  "l2tp-ipsec-server.rules": [],
  "nat-gateway.rules": ["VPN007@9", "VPN005@10", "VPN006@11"],
  "vyos-1.5-l2tp-server.set": [],
  "vyos-nat-gateway-forwards-esp.boot": ["VPN005@69", "VPN006@76"],
};

describe("examples", () => {
  const files = readdirSync(join(repoRoot, "examples")).sort();

  it("are all listed with their expected findings", () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of files) {
    it(name, () => {
      const path = join(repoRoot, "examples", name);
      const report = auditSource(new SourceFile(`examples/${name}`, readFileSync(path, "utf8")), { noConfigSearch: true });
      expect(report.internalErrors).toEqual([]);
      const actual = report.findings.map((finding) => `${finding.ruleId}@${finding.location.startLine}`);
      expect(actual.sort()).toEqual([...(EXPECTED[name] ?? [])].sort());
      for (const finding of report.findings) {
        expect(finding.message).not.toMatch(/\{\{/);
        expect(finding.facts.length + (finding.ruleId === "VPN008" ? 1 : 0)).toBeGreaterThan(0);
      }
    });
  }

  it("names the packet class and the deciding rule in messages, with a fix in the input's syntax", () => {
    const text = readFileSync(join(repoRoot, "examples/l2tp-ipsec-broken.rules"), "utf8");
    const report = auditSource(new SourceFile("examples/l2tp-ipsec-broken.rules", text), { noConfigSearch: true });
    const l2tp = report.findings.find((finding) => finding.ruleId === "VPN004")!;
    expect(l2tp.message).toBe("UDP 1701 without IPsec from any source on eth0 is accepted by rule 4 (-A INPUT -p udp -m udp --dport 1701 -j ACCEPT)");
    expect(l2tp.fix?.text).toBe("-A INPUT -p udp -m policy --dir in --pol none -m udp --dport 1701 -j DROP");
    expect(l2tp.fix?.insertBefore?.startLine).toBe(10);
    expect(l2tp.facts).toEqual(["L2TP endpoint: a rule accepts udp/1701 (line 10)", "external interfaces: eth0 (eth0: MASQUERADE rule (line 22))"]);
    expect(l2tp.anchor).toEqual({ table: "filter", chain: "INPUT", ruleText: "-A INPUT -p udp -m udp --dport 1701 -j ACCEPT" });
    const ike = report.findings.find((finding) => finding.ruleId === "VPN001")!;
    expect(ike.related.map((related) => related.location.startLine)).toEqual([12]);
    const vyatta = readFileSync(join(repoRoot, "examples/edgeos-l2tp-server-broken.boot"), "utf8");
    const edge = auditSource(new SourceFile("examples/edgeos-l2tp-server-broken.boot", vyatta), { noConfigSearch: true }).findings[0]!;
    expect(edge.message).toBe("UDP 1701 without IPsec from any source on eth0 is accepted by firewall name WAN_LOCAL rule 30");
    expect(edge.fix?.text).toMatch(/^set firewall name WAN_LOCAL rule \d+ action 'drop'\n.*protocol 'udp'\n.*destination port '1701'\n.*ipsec match-none$/);
    expect(report.facts[0]).toMatch(/^IPsec endpoint: /);
  });
});
