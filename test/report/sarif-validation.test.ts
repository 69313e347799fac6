// SARIF output checked by the official 2.1.0 schema (ajv) and by Microsoft's validator with GitHub's rules.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import AjvDraft04 from "ajv-draft-04";
import { afterAll, describe, expect, it } from "vitest";
import type * as Sarif from "sarif";
import { buildSarif } from "../../src/report/sarif.js";
import { ruleCatalogue } from "../../src/rules/index.js";
import { describeWith } from "../helpers/environment.js";
import { cli } from "../cli/harness.js";
import { multitool, multitoolBinary, sarifSchemaPath } from "../cli/prerequisites.js";
import { CWD, reportInput, serverFindings } from "./fixtures.js";

const log = buildSarif(reportInput());
const withCatalogue = buildSarif(reportInput({ rules: ruleCatalogue }));

/** Formats the schema names; ajv-formats is not a dependency, and these checks are what the spec asks. */
const formats = {
  uri: (value: string) => URL.canParse(value),
  "uri-reference": (value: string) => URL.canParse(value, "file:///base/") && !/\s/.test(value),
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  "date-time": (value: string) => !Number.isNaN(Date.parse(value)),
};

/**
 * The schema shipped with the multitool declares draft 2020-12 but uses only keywords draft-04 (the dialect of the
 * OASIS original) shares, so it is compiled both ways: as declared, and as draft-04 without its `$schema`.
 */
function validators() {
  const schema = JSON.parse(readFileSync(sarifSchemaPath, "utf8")) as Record<string, unknown>;
  const { $schema: _declared, ...draft04Schema } = schema;
  const ajv2020 = new Ajv2020.default({ allErrors: true, strict: false, formats });
  const ajv04 = new AjvDraft04.default({ allErrors: true, strict: false, formats });
  return [
    { dialect: "2020-12", validate: ajv2020.compile(schema) },
    { dialect: "draft-04", validate: ajv04.compile(draft04Schema) },
  ];
}

describe("SARIF against the SARIF 2.1.0 JSON schema", () => {
  for (const { dialect, validate } of validators()) {
    it(`is valid (${dialect})`, () => {
      for (const document of [log, withCatalogue]) {
        const valid = validate(document);
        expect(validate.errors ?? []).toEqual([]);
        expect(valid).toBe(true);
      }
    });

    it(`the schema is strict enough to reject a broken log (${dialect})`, () => {
      const broken = structuredClone(log) as unknown as { runs: { results: { locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
      broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0;
      expect(validate(broken)).toBe(false);
    });
  }
});

describe("SARIF content GitHub relies on", () => {
  const run = log.runs[0]!;
  const results = run.results!;

  it("lists every rule with PascalCase name, help, level, tags with security, security-severity as a string", () => {
    const rules = run.tool.driver.rules!;
    expect(rules.map((rule) => rule.id)).toEqual(["VPN000", "VPN002", "VPN004", "VPN008", "VPN012"]);
    const l2tp = rules[2]!;
    expect(l2tp.name).toBe("L2tpWithoutIpsec");
    expect(l2tp.helpUri).toBe("https://github.com/vpnlint/vpnlint/blob/main/docs/rules/VPN004.md");
    expect(l2tp.help?.markdown).toContain("[Documentation of VPN004]");
    expect(l2tp.defaultConfiguration?.level).toBe("error");
    expect(l2tp.properties?.["security-severity"]).toBe("8.1");
    expect(l2tp.properties?.precision).toBe("very-high");
    for (const rule of rules) expect(rule.properties?.tags).toContain("security");
  });

  it("points results at their rule by id and index, with relative URIs under %SRCROOT%", () => {
    for (const result of results) {
      expect(run.tool.driver.rules![result.ruleIndex!]!.id).toBe(result.ruleId);
      const artifact = result.locations![0]!.physicalLocation!.artifactLocation!;
      expect(artifact.uriBaseId).toBe("%SRCROOT%");
      expect(artifact.uri).not.toMatch(/^\//);
    }
    expect(run.originalUriBaseIds?.["%SRCROOT%"]?.uri).toBe(`file://${CWD}/`);
  });

  it("sorts results by file, line and column and reports suppressed ones with their suppression", () => {
    const order = results.map((result) => {
      const physical = result.locations![0]!.physicalLocation!;
      return `${physical.artifactLocation!.uri}:${physical.region!.startLine}:${physical.region!.startColumn}`;
    });
    expect(order).toEqual(["gw/nat.rules:2:1", "gw/nat.rules:2:46", "rules/server.rules:4:1", "rules/server.rules:5:1", "rules/server.rules:7:1", "rules/server.rules:8:1", "rules/server.rules:9:17"]);
    const suppressed = results.filter((result) => result.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.suppressions![0]).toMatchObject({ kind: "inSource", status: "accepted", justification: "legacy office, until 2027" });
  });

  it("includes VPN000 results, fixes where a suggestion has a place, and fingerprints", () => {
    expect(results.some((result) => result.ruleId === "VPN000")).toBe(true);
    const replace = results.find((result) => result.ruleId === "VPN004" && !result.suppressions)!;
    expect(replace.fixes![0]!.artifactChanges[0]!.replacements[0]).toEqual({
      deletedRegion: { startLine: 5, startColumn: 1, endLine: 5, endColumn: 46 },
      insertedContent: { text: "-A INPUT -p udp -m policy --dir in --pol ipsec -m udp --dport 1701 -j ACCEPT" },
    });
    const insert = results.find((result) => result.ruleId === "VPN002")!;
    expect(insert.fixes![0]!.artifactChanges[0]!.replacements[0]!.deletedRegion).toEqual({ startLine: 6, startColumn: 1, endLine: 6, endColumn: 1 });
    const [line, part] = results.filter((result) => result.ruleId === "VPN012").map((result) => result.fixes![0]!.artifactChanges[0]!.replacements[0]!);
    // A whole line goes with its line break; part of a line goes alone.
    expect(line).toEqual({ deletedRegion: { startLine: 2, startColumn: 1, endLine: 3, endColumn: 1 }, insertedContent: { text: "" } });
    expect(part).toEqual({ deletedRegion: { startLine: 2, startColumn: 42, endLine: 2, endColumn: 78 }, insertedContent: { text: "" } });
    for (const result of results) expect(result.partialFingerprints?.primaryLocationLineHash).toMatch(/^[0-9a-f]{16}:\d+$/);
  });

  it("uses absolute file URIs for files outside the working directory", () => {
    const elsewhere = { ...serverFindings[1]!, location: { ...serverFindings[1]!.location, file: "/etc/iptables/rules v4" } };
    const outside = buildSarif(reportInput({ files: [{ path: "/etc/iptables/rules v4", format: "iptables", findings: [elsewhere] }] }));
    const uri = outside.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!;
    expect(uri).toEqual({ uri: "file:///etc/iptables/rules%20v4" });
  });
});

describeWith(multitool, "SARIF against sarif-multitool validate --rule-kind Sarif;Gh", () => {
  const directory = mkdtempSync(join(tmpdir(), "vpnlint-sarif-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function validate(name: string, document: Sarif.Log): Sarif.Result[] {
    const input = join(directory, `${name}.sarif`);
    const output = join(directory, `${name}.validation.sarif`);
    writeFileSync(input, JSON.stringify(document, null, 2));
    const run = spawnSync(multitoolBinary, ["validate", "--rule-kind", "Sarif;Gh", "--output", output, input], { encoding: "utf8", timeout: 120_000 });
    expect(run.error).toBeUndefined();
    // It exits 0 even when it finds problems: the verdict is in its output log.
    const verdict = JSON.parse(readFileSync(output, "utf8")) as Sarif.Log;
    return verdict.runs.flatMap((run) => run.results ?? []);
  }

  /** SARIF's default level is "warning" when a result has none. */
  function problems(results: Sarif.Result[]): string[] {
    return results
      .filter((result) => (result.level ?? "warning") === "error" || (result.level ?? "warning") === "warning")
      .map((result) => `${result.level ?? "warning"} ${result.ruleId}: ${JSON.stringify(result.message.arguments ?? result.message.text)}`);
  }

  it("finds no errors and no warnings in the report", () => {
    expect(problems(validate("report", log))).toEqual([]);
  });

  it("finds no errors and no warnings with the real catalogue", () => {
    expect(problems(validate("catalogue", withCatalogue))).toEqual([]);
  });

  it("finds no errors and no warnings in a clean run", () => {
    expect(problems(validate("clean", buildSarif(reportInput({ files: [] }))))).toEqual([]);
  });

  it("finds no errors and no warnings in the CLI's report on examples/ (real parsers, checks and catalogue)", async () => {
    const result = await cli(["audit", "examples", "--format", "sarif"]);
    expect(result.stderr).toBe("");
    const document = JSON.parse(result.stdout) as Sarif.Log;
    expect(document.runs[0]!.results!.length).toBeGreaterThan(0);
    expect(problems(validate("examples", document))).toEqual([]);
    for (const { validate: schema } of validators()) expect(schema(document)).toBe(true);
  });

  it("does flag a log GitHub would refuse (the check can fail)", () => {
    const broken = structuredClone(withCatalogue);
    broken.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation = { uri: "/absolute/path" };
    expect(problems(validate("broken", broken)).length).toBeGreaterThan(0);
  });
});
