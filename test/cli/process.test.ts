// The real executable as installed (bin/vpnlint.js running the single-file build): exit codes as the shell sees them,
// piped standard input, one-line errors on stderr, the spinner on a real terminal.

import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWith, repoRoot } from "../helpers/environment.js";
import { BUNDLED_BUILD_TIMEOUT_MS, bundledBuild, type BundledBuild } from "./bundled-build.js";
import { fixture, isOneLineError, relativeFixture } from "./harness.js";
import { pty } from "./prerequisites.js";

let build: BundledBuild | undefined;
let cliPath = "";
beforeAll(() => {
  build = bundledBuild();
  cliPath = build.cli;
}, BUNDLED_BUILD_TIMEOUT_MS);
afterAll(() => build?.remove());

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

describeWith(pty, "spinner on a real terminal", () => {
  const many = mkdtempSync(join(tmpdir(), "vpnlint-spinner-"));
  for (let i = 0; i < 25; i++) copyFileSync(join(repoRoot, "examples/l2tp-ipsec-broken.rules"), join(many, `server-${i}.rules`));
  afterAll(() => rmSync(many, { recursive: true, force: true }));

  /** Runs the CLI with stderr on a pty of `columns` width (0: a pty that reports no size) and stdout in a file. */
  function onTerminal(columns: number) {
    const out = join(many, `report-${columns}.txt`);
    const log = join(many, `terminal-${columns}.log`);
    const command = `stty cols ${columns} rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} audit ${JSON.stringify(many)} > ${JSON.stringify(out)}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CI;
    const run = spawnSync("script", ["-qfec", command, log], { encoding: "utf8", env, timeout: 60_000 });
    return { timedOut: run.error !== undefined || run.signal !== null, terminal: readFileSync(log, "utf8"), report: readFileSync(out, "utf8") };
  }

  it("spins on stderr, erases itself and leaves stdout to the report", () => {
    const run = onTerminal(100);
    expect(run.timedOut).toBe(false);
    // ora draws at its own pace: at least its first frame appears.
    expect(run.terminal).toContain("auditing");
    expect(run.terminal).toMatch(/\u001b\[\?25h\s*(Script done.*)?$/s);
    expect(run.report.trimEnd().split("\n").at(-1)).toMatch(/^\d+ problems \(.*\) in 25 files$/);
    expect(run.report).not.toContain("auditing");
  });

  it("stays off a terminal that reports no width instead of hanging", () => {
    const run = onTerminal(0);
    expect(run.timedOut).toBe(false);
    expect(run.terminal).not.toContain("auditing");
    expect(run.report).toMatch(/in 25 files\n$/);
  });
});

describe("a reader that leaves early", () => {
  it("ends the report quietly with the audit's exit code", async () => {
    const child = spawn(process.execPath, [cliPath, "audit", relativeFixture("syntax-error.rules")], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolveExit) => child.on("close", resolveExit));
    expect({ code, stderr }).toEqual({ code: 1, stderr: "" });
  });
});
