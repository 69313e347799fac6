// Help, version, `rules`, `explain`, the trace command's registration, and when a spinner may run.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { wantsSpinner } from "../../src/cli/spinner.js";
import { ruleCatalogue } from "../../src/rules/index.js";
import { repoRoot } from "../helpers/environment.js";
import { cli, isOneLineError } from "./harness.js";

const version = (JSON.parse(readFileSync(resolve(repoRoot, "package.json"), "utf8")) as { version: string }).version;

describe("help and version", () => {
  it("--version prints package.json's version", async () => {
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  for (const command of [[], ["audit"], ["rules"], ["explain"], ["trace"]]) {
    it(`${["vpnlint", ...command].join(" ")} --help lists options and examples, exit 0`, async () => {
      const result = await cli([...command, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("Options:");
      if (command[0] !== "trace") expect(result.stdout).toContain("Examples:");
    });
  }

  it("top-level help names every command and the exit codes", async () => {
    const { stdout } = await cli(["--help"]);
    for (const command of ["audit", "rules", "explain", "trace"]) expect(stdout).toContain(`vpnlint ${command}`);
    expect(stdout).toContain("Exit codes: 0");
  });
});

describe("rules", () => {
  it("prints the catalogue as a table", async () => {
    const result = await cli(["rules"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+NAME\s+DESCRIPTION$/);
    expect(lines).toHaveLength(ruleCatalogue.length + 1);
    for (const rule of ruleCatalogue) expect(result.stdout).toMatch(new RegExp(`^${rule.id}\\s+${rule.severity}\\s+${rule.name}\\s+`, "m"));
  });

  it("--format json gives the metadata with help links", async () => {
    const rules = JSON.parse((await cli(["rules", "--format", "json"])).stdout) as { id: string; helpUri: string }[];
    expect(rules.map((rule) => rule.id)).toEqual(ruleCatalogue.map((rule) => rule.id));
    expect(rules[0]!.helpUri).toBe(`https://github.com/vpnlint/vpnlint/blob/main/docs/rules/${rules[0]!.id}.md`);
  });
});

describe("explain", () => {
  it("prints the rule's page from docs/rules, or its metadata when the page is missing", async () => {
    for (const rule of ruleCatalogue) {
      const result = await cli(["explain", rule.id.toLowerCase()]);
      expect(result.code).toBe(0);
      let page: string | undefined;
      try {
        page = readFileSync(resolve(repoRoot, "docs/rules", `${rule.id}.md`), "utf8");
      } catch {
        page = undefined;
      }
      if (page !== undefined) expect(result.stdout.trimEnd()).toBe(page.trimEnd());
      else expect(result.stdout).toContain(`# ${rule.id} ${rule.name}`);
    }
  });

  it("refuses an unknown rule with one line, exit 2", async () => {
    const result = await cli(["explain", "VPN999"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('vpnlint: unknown rule "VPN999" (vpnlint rules lists them)\n');
    expect(isOneLineError(result.stderr)).toBe(true);
  });
});

describe("spinner", () => {
  const io = (env: Record<string, string>, stderrIsTTY: boolean, columns = 80): CliIo => ({
    cwd: "/",
    env,
    stdout: { write: () => {}, isTTY: true },
    stderr: { write: () => {}, isTTY: stderrIsTTY, columns },
    stderrStream: process.stderr,
    readStdin: async () => "",
  });

  it("runs only for long text runs watched on a terminal outside CI", () => {
    expect(wantsSpinner(io({}, true), false, false, 50, 1000)).toBe(true);
    expect(wantsSpinner(io({}, true), false, false, 1, 5_000_000)).toBe(true);
    expect(wantsSpinner(io({}, true), false, false, 1, 1000)).toBe(false);
    expect(wantsSpinner(io({ CI: "true" }, true), false, false, 50, 1000)).toBe(false);
    expect(wantsSpinner(io({}, false), false, false, 50, 1000)).toBe(false);
    expect(wantsSpinner(io({}, true), true, false, 50, 1000)).toBe(false);
    expect(wantsSpinner(io({}, true), false, true, 50, 1000)).toBe(false);
    // A pty without a size: ora would clear lines forever.
    expect(wantsSpinner(io({}, true, 0), false, false, 50, 1000)).toBe(false);
  });
});
