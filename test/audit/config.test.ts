// Config files: parsing, validation, upward search, per-path overrides.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, ConfigLoader, compileGlob, parseConfig, settingsFor } from "../../src/audit/config.js";

const ids = new Set(["VPN003", "VPN009"]);

describe("parseConfig", () => {
  it("reads kebab-case and camelCase settings from YAML and JSON", () => {
    const yaml = parseConfig("/x/.vpnlint.yaml", "role: endpoint\nbehind-nat: true\nexternal-interfaces: [eth0]\nrules:\n  VPN003: warning\ndisable: [vpn009]\n", ids);
    expect(yaml.base).toEqual({ roles: ["endpoint"], behindNat: true, externalInterfaces: ["eth0"], rules: { VPN003: "warning", VPN009: "off" } });
    const json = parseConfig("/x/.vpnlint.json", '{"roles":["gateway"],"behindNat":false}', ids);
    expect(json.base).toEqual({ roles: ["gateway"], behindNat: false, rules: {} });
  });

  it("rejects unknown settings, rules and values with the file and key", () => {
    expect(() => parseConfig("c.json", '{"rule": {}}', ids)).toThrow(/c.json: unknown setting "rule"/);
    expect(() => parseConfig("c.json", '{"rules": {"VPN999": "off"}}', ids)).toThrow(ConfigError);
    expect(() => parseConfig("c.yaml", "behind-nat: maybe", ids)).toThrow(/behind-nat" must be true or false/);
    expect(() => parseConfig("c.yaml", "role: router", ids)).toThrow(/endpoint or gateway/);
    expect(() => parseConfig("c.json", "{", ids)).toThrow(/cannot parse/);
  });

  it("applies overrides whose globs match, later ones winning", () => {
    const config = parseConfig(
      "/repo/.vpnlint.yaml",
      "rules: {VPN003: note}\noverrides:\n  - files: ['edge/**/*.boot']\n    behind-nat: true\n    rules: {VPN003: off}\n  - files: ['*.rules']\n    role: gateway\n",
      ids,
    );
    expect(settingsFor(config, "/repo/edge/a/b.boot")).toMatchObject({ behindNat: true, rules: { VPN003: "off" } });
    expect(settingsFor(config, "/repo/x.rules")).toMatchObject({ roles: ["gateway"], rules: { VPN003: "note" } });
    expect(settingsFor(config, "/repo/sub/x.rules").roles).toBeUndefined();
  });
});

describe("compileGlob", () => {
  it("keeps * inside one directory and lets ** span them", () => {
    expect(compileGlob("*.rules").test("a.rules")).toBe(true);
    expect(compileGlob("*.rules").test("d/a.rules")).toBe(false);
    expect(compileGlob("**/*.rules").test("d/e/a.rules")).toBe(true);
    expect(compileGlob("**/*.rules").test("a.rules")).toBe(true);
    expect(compileGlob("a?.set").test("ab.set")).toBe(true);
    expect(compileGlob("a.set").test("abset")).toBe(false);
  });

  it("treats **/ as zero or more whole directories", () => {
    expect(compileGlob("etc/**/rules.v4").test("etc/rules.v4")).toBe(true);
    expect(compileGlob("etc/**/rules.v4").test("etc/a/b/rules.v4")).toBe(true);
    expect(compileGlob("etc/**/rules.v4").test("etcx/rules.v4")).toBe(false);
    expect(compileGlob("**").test("a/b/c")).toBe(true);
    expect(compileGlob("a/**").test("a/b/c")).toBe(true);
    expect(compileGlob("a/*").test("a/b/c")).toBe(false);
    expect(compileGlob("").test("")).toBe(true);
  });

  it("matches in linear time, whatever the glob (a config file comes with pull requests)", () => {
    const started = performance.now();
    expect(compileGlob("*a*a*a*a*a*a*a*a*a*a*x").test(`${"a".repeat(40)}.rules`)).toBe(false);
    expect(compileGlob("**/**/**/**/**/**/**/**/x").test(`${"d/".repeat(25)}y`)).toBe(false);
    expect(compileGlob("*a*a*a*a*a*a*a*a*a*a*x").test(`${"a".repeat(5_000)}x`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("ConfigLoader", () => {
  const root = mkdtempSync(join(tmpdir(), "vpnlint-config-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds the nearest config upward and honours a forced one", () => {
    mkdirSync(join(root, "a/b"), { recursive: true });
    writeFileSync(join(root, ".vpnlint.json"), '{"behind-nat": true}');
    writeFileSync(join(root, "a/.vpnlint.yaml"), "behind-nat: false\n");
    const loader = new ConfigLoader(ids);
    expect(loader.forInput(join(root, "a/b/x.rules"))?.path).toBe(join(root, "a/.vpnlint.yaml"));
    expect(loader.forInput(join(root, "y.rules"))?.base.behindNat).toBe(true);
    expect(loader.forInput(join(root, "a/b/x.rules"), join(root, ".vpnlint.json"))?.base.behindNat).toBe(true);
    expect(() => loader.forInput("x", join(root, "missing.json"))).toThrow(/cannot read \(ENOENT\)/);
  });
});
