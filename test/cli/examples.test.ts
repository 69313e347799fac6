// End to end on the shipped examples: what a newcomer runs first must give the verdicts the README promises.

import { describe, expect, it } from "vitest";
import { cli } from "./harness.js";

interface Json {
  findings: { ruleId: string; severity: string; suppressed: boolean; location: { file: string; startLine: number } }[];
}

async function audit(path: string) {
  const text = await cli(["audit", path]);
  const json = JSON.parse((await cli(["audit", path, "-f", "json"])).stdout) as Json;
  return { code: text.code, text: text.stdout, ids: new Set(json.findings.map((finding) => finding.ruleId)), json };
}

describe("examples/", () => {
  it("the good L2TP/IPsec server passes (exit 0, no errors or warnings)", async () => {
    const result = await audit("examples/l2tp-ipsec-server.rules");
    expect(result.code).toBe(0);
    expect(result.json.findings.filter((finding) => finding.severity !== "note")).toEqual([]);
  });

  it("the broken server fails with cleartext L2TP and IKE blocked by the REJECT", async () => {
    const result = await audit("examples/l2tp-ipsec-broken.rules");
    expect(result.code).toBe(1);
    expect(result.ids).toContain("VPN004");
    expect(result.ids).toContain("VPN001");
    expect(result.text).toMatch(/^examples\/l2tp-ipsec-broken\.rules:10:1 error .*\[VPN004\]$/m);
  });

  it("the NAT gateway fails because FORWARD drops the forwarded NAT-T", async () => {
    const result = await audit("examples/nat-gateway.rules");
    expect(result.code).toBe(1);
    expect(result.ids).toContain("VPN007");
  });

  it("the whole folder: one report, every file, sorted", async () => {
    const result = await cli(["audit", "examples", "-f", "sarif"]);
    expect(result.code).toBe(1);
    const sarif = JSON.parse(result.stdout);
    const uris = sarif.runs[0].artifacts.map((artifact: { location: { uri: string } }) => artifact.location.uri) as string[];
    expect(uris).toEqual([...uris].sort());
    expect(uris).toEqual(expect.arrayContaining(["examples/l2tp-ipsec-broken.rules", "examples/l2tp-ipsec-server.rules", "examples/nat-gateway.rules"]));
    expect(uris.every((uri) => /\.(rules|boot|set)$/.test(uri))).toBe(true);
  });
});
