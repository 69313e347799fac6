// The catalogue's bookkeeping: unique ids, kebab-case names, one file per check, a docs page with both syntaxes,
// fixtures in both formats, and metadata SARIF can use.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checks, findRule, ruleCatalogue } from "../../src/rules/index.js";
import { formatMessage } from "../../src/rules/runner.js";
import { repoRoot } from "../helpers/environment.js";

const ruleFiles = readdirSync(join(repoRoot, "src/rules")).filter((name) => /^VPN\d{3}-.+\.ts$/.test(name));
const fixtures = {
  iptables: readdirSync(join(repoRoot, "test/rules/fixtures/iptables")),
  vyatta: readdirSync(join(repoRoot, "test/rules/fixtures/vyatta")),
};

describe("rule catalogue", () => {
  it("has unique ids in order and kebab-case names", () => {
    const ids = ruleCatalogue.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const rule of ruleCatalogue) {
      expect(rule.id).toMatch(/^VPN\d{3}$/);
      expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.description.length).toBeGreaterThan(10);
      expect(rule.rationale.length).toBeGreaterThan(40);
      expect(rule.securitySeverity).toBeGreaterThanOrEqual(0);
      expect(rule.securitySeverity).toBeLessThanOrEqual(10);
    }
  });

  it("lists every check file exactly once, named after its id and name", () => {
    expect(ruleFiles.length).toBe(checks.length);
    for (const check of checks) expect(ruleFiles).toContain(`${check.id}-${check.name}.ts`);
  });

  it("finds rules case-insensitively", () => {
    expect(findRule("vpn004")?.name).toBe("l2tp-without-ipsec");
    expect(findRule("VPN999")).toBeUndefined();
  });

  it("has messages whose placeholders are words", () => {
    for (const check of checks) {
      const messages = Object.values(check.messages) as string[];
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) expect(message).not.toMatch(/\{\{(?!\s*\w+\s*\}\})/);
    }
  });

  for (const rule of ruleCatalogue) {
    it(`${rule.id} has a docs page with what, why, bad and good examples in both syntaxes, and a fix`, () => {
      const path = join(repoRoot, "docs/rules", `${rule.id}.md`);
      expect(existsSync(path)).toBe(true);
      const page = readFileSync(path, "utf8");
      expect(page.startsWith(`# ${rule.id} ${rule.name}\n`)).toBe(true);
      for (const heading of ["## What", "## Why", "## Bad (iptables)", "## Bad (Vyatta)", "## Good (iptables)", "## Good (Vyatta)", "## Fix"]) {
        expect(page, heading).toContain(`\n${heading}\n`);
      }
    });
  }

  for (const check of checks) {
    it(`${check.id} has fixtures in both formats, at least one expecting it`, () => {
      const iptables = fixtures.iptables.filter((name) => name.startsWith(`${check.id}-`));
      const vyatta = fixtures.vyatta.filter((name) => name.startsWith(`${check.id}-`));
      expect(iptables.length).toBeGreaterThan(0);
      expect(vyatta.length).toBeGreaterThan(0);
      const texts = [...iptables.map((name) => join("iptables", name)), ...vyatta.map((name) => join("vyatta", name))].map((name) =>
        readFileSync(join(repoRoot, "test/rules/fixtures", name), "utf8"),
      );
      expect(texts.some((text) => new RegExp(`expect:.*\\b${check.id}\\b`).test(text))).toBe(true);
    });
  }
});

describe("formatMessage", () => {
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(formatMessage("{{a}} by {{ b }} and {{c}}", { a: "UDP 1701", b: 12 })).toBe("UDP 1701 by 12 and {{c}}");
  });
});
