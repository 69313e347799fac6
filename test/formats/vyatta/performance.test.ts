// A 10,000-line Vyatta config is parsed, and audited, in well under half a second of CPU time.

import { describe, expect, it } from "vitest";
import { auditSource } from "../../../src/audit/index.js";
import { vyattaFormat } from "../../../src/formats/vyatta/index.js";
import { SourceFile } from "../../../src/model/source.js";

function bigConfig(): string {
  const lines: string[] = ["firewall {"];
  for (let s = 0; s < 20; s++) {
    lines.push(`    name SET${s} {`, "        default-action drop");
    for (let r = 1; r <= 50; r++) {
      lines.push(`        rule ${r * 10} {`, "            action accept", "            destination {", `                port ${1000 + r},${2000 + s}`, "            }");
      lines.push("            protocol udp", "            source {", `                address 10.${s}.${r}.0/24`, "            }", "        }");
    }
    lines.push("    }");
  }
  lines.push("}", "interfaces {");
  for (let s = 0; s < 20; s++) lines.push(`    ethernet eth${s} {`, `        address 192.0.2.${s + 1}/24`, "        firewall {", "            local {", `                name SET${s}`, "            }", "        }", "    }");
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** CPU time, not wall time: other test files run on the same cores. */
function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

describe("Vyatta front end performance", () => {
  const text = bigConfig();

  it("parses a 10,000-line config.boot (1,000 rules) in well under 0.5 s", () => {
    expect(text.split("\n").length).toBeGreaterThan(10_000);
    let rules = 0;
    const ms = cpuMs(() => {
      const model = vyattaFormat.parse(new SourceFile("big.boot", text));
      rules = [...model.rulesets[0]!.tables.get("filter")!.chains.values()].reduce((n, c) => n + c.rules.length, 0);
    });
    expect(rules).toBe(1020);
    expect(ms).toBeLessThan(400);
  });

  it("parses the same config as `set` commands, and audits it, in well under 0.5 s", () => {
    const commands: string[] = [];
    for (let s = 0; s < 20; s++) {
      for (let r = 1; r <= 50; r++) {
        const rule = `set firewall name SET${s} rule ${r * 10}`;
        commands.push(`${rule} action 'accept'`, `${rule} destination port '${1000 + r}'`, `${rule} protocol 'udp'`, `${rule} source address '10.${s}.${r}.0/24'`);
      }
      commands.push(`set interfaces ethernet eth${s} firewall local name 'SET${s}'`);
    }
    const set = `${commands.join("\n")}\n`;
    expect(cpuMs(() => vyattaFormat.parse(new SourceFile("big.set", set)))).toBeLessThan(400);
    expect(cpuMs(() => auditSource(new SourceFile("big.boot", text)))).toBeLessThan(450);
  });
});
