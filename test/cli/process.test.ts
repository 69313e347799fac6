// The real executable: exit codes as the shell sees them, piped standard input, one-line errors on stderr.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/environment.js";
import { hostileBuild } from "../hostile/build.js";
import { fixture, isOneLineError, relativeFixture } from "./harness.js";

let cliPath = "";
beforeAll(() => {
  cliPath = hostileBuild().cli;
}, 200_000);

function vpnlint(args: readonly string[], input?: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  const result = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, input: input ?? "", encoding: "utf8", env, timeout: 60_000 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("vpnlint as a process", () => {
  it("exits 0 on a clean file", () => {
    expect(vpnlint(["audit", relativeFixture("clean.rules")])).toEqual({ code: 0, stdout: "no problems in 1 file\n", stderr: "" });
  });

  it("exits 1 on findings", () => {
    const result = vpnlint(["audit", relativeFixture("syntax-error.rules")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("[VPN000]");
  });

  it("reads a pipe on -", () => {
    const result = vpnlint(["audit", "-", "--stdin-filename", "live.rules", "-f", "json"], readFileSync(fixture("syntax-error.rules"), "utf8"));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings[0].location).toMatchObject({ file: "live.rules", startLine: 4, startColumn: 4 });
  });

  it("exits 2 with one line for a bad flag, a missing file and a directory without rulesets", () => {
    for (const args of [["audit", "--frobnicate"], ["audit", "missing.rules"], ["audit", "src/model"]]) {
      const result = vpnlint(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(isOneLineError(result.stderr)).toBe(true);
    }
  });

  it("exits 0 for --help and --version", () => {
    expect(vpnlint(["--help"]).code).toBe(0);
    expect(vpnlint(["audit", "--help"]).stdout).toContain("Examples:");
    expect(vpnlint(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
