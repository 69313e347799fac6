// The Vyatta examples in examples/ load cleanly and show what they claim to show.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyze } from "../../../src/engine/index.js";
import { detectFormat } from "../../../src/formats/index.js";
import { vyattaFormat } from "../../../src/formats/vyatta/index.js";
import type { FirewallModel } from "../../../src/model/firewall.js";
import { SourceFile } from "../../../src/model/source.js";
import { repoRoot } from "../../helpers/environment.js";

function load(name: string): FirewallModel {
  const text = readFileSync(join(repoRoot, "examples", name), "utf8");
  expect(detectFormat(text)).toBe("vyatta");
  return vyattaFormat.parse(new SourceFile(`examples/${name}`, text));
}

describe("Vyatta examples", () => {
  it("edgeos-l2tp-server-broken.boot accepts cleartext L2TP on the WAN (rule 30)", () => {
    const model = load("edgeos-l2tp-server-broken.boot");
    expect(model.diagnostics).toEqual([]);
    const result = analyze(model.rulesets[0]!, { hook: "input", in: "eth0", proto: 17, dport: 1701, ipsec: false, state: "new" });
    expect(result.verdict).toBe("accept");
    expect(result.parts[0]?.decidedBy).toMatchObject({ kind: "rule", rule: { text: "firewall name WAN_LOCAL rule 30" } });
  });

  it("vyos-1.5-l2tp-server.set accepts L2TP only inside IPsec", () => {
    const model = load("vyos-1.5-l2tp-server.set");
    expect(model.diagnostics).toEqual([]);
    expect(model.host.generation).toBe("vyos-1.5");
    const ruleset = model.rulesets[0]!;
    expect(analyze(ruleset, { hook: "input", in: "eth0", proto: 17, dport: 1701, ipsec: false }).verdict).toBe("drop");
    expect(analyze(ruleset, { hook: "input", in: "eth0", proto: 17, dport: 1701, ipsec: true, state: "new" }).verdict).toBe("accept");
    for (const query of [{ proto: 17, dport: 500 }, { proto: 17, dport: 4500 }, { proto: 50 }]) {
      expect(analyze(ruleset, { hook: "input", in: "eth0", state: "new", ...query }).verdict).toBe("accept");
    }
  });

  it("vyos-nat-gateway-forwards-esp.boot destination-NATs ESP and UDP 1701 to the server", () => {
    const model = load("vyos-nat-gateway-forwards-esp.boot");
    expect(model.diagnostics).toEqual([]);
    const ruleset = model.rulesets[0]!;
    for (const [query, rule] of [[{ proto: 50 }, "nat destination rule 20"], [{ proto: 17, dport: 1701 }, "nat destination rule 30"]] as const) {
      const result = analyze(ruleset, { hook: "input", in: "eth0", state: "new", ...query });
      expect(result.parts.map((p) => p.dnat?.rule.text)).toContain(rule);
      expect(result.verdict).toBe("accept");
    }
  });
});
