// action.yml's audit step, run by bash as the runner would: inputs through the environment, SARIF out, exit code kept.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../helpers/environment.js";
import { hostileBuild } from "../hostile/build.js";
import { relativeFixture } from "./harness.js";

interface Step {
  readonly id?: string;
  readonly name: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, string>;
  readonly if?: string;
  readonly env?: Record<string, string>;
}

const action = parse(readFileSync(join(repoRoot, "action.yml"), "utf8")) as {
  inputs: Record<string, { default: string }>;
  runs: { using: string; steps: Step[] };
};
const auditStep = action.runs.steps.find((step) => step.id === "audit")!;
const scratch = mkdtempSync(join(tmpdir(), "vpnlint-action-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let cli = "";
beforeAll(() => {
  cli = hostileBuild().cli;
}, 200_000);

function runAudit(inputs: Record<string, string>) {
  const output = join(scratch, `output-${Math.random().toString(36).slice(2)}`);
  writeFileSync(output, "");
  const value = (name: string) => inputs[name] ?? action.inputs[name]!.default;
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", auditStep.run!], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      GITHUB_OUTPUT: output,
      VPNLINT: cli,
      VPNLINT_PATHS: value("paths"),
      VPNLINT_ARGS: value("args"),
      VPNLINT_FAIL_ON: value("fail-on"),
      VPNLINT_SARIF: value("sarif-file"),
      VPNLINT_ANNOTATIONS: value("annotations"),
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs: readFileSync(output, "utf8") };
}

describe("action.yml", () => {
  it("is a composite action whose steps get inputs only through the environment", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) expect(step.run ?? "").not.toContain("${{");
    expect(Object.keys(auditStep.env!)).toEqual(["VPNLINT", "VPNLINT_PATHS", "VPNLINT_ARGS", "VPNLINT_FAIL_ON", "VPNLINT_SARIF", "VPNLINT_ANNOTATIONS"]);
  });

  it("uploads with codeql-action's upload-sarif and the category input", () => {
    const upload = action.runs.steps.find((step) => step.uses?.startsWith("github/codeql-action/upload-sarif@"))!;
    expect(upload.with).toEqual({ sarif_file: "${{ inputs.sarif-file }}", category: "${{ inputs.category }}" });
  });

  it("writes SARIF and reports exit code 1 for findings without failing the step before the upload", () => {
    const sarif = join(scratch, "findings.sarif");
    const run = runAudit({ paths: `${relativeFixture("syntax-error.rules")}\n${relativeFixture("clean.rules")}`, "sarif-file": sarif, annotations: "true" });
    expect(run.status).toBe(0);
    expect(run.outputs).toBe("exit-code=1\n");
    expect(JSON.parse(readFileSync(sarif, "utf8")).runs[0].results[0].ruleId).toBe("VPN000");
    expect(run.stdout).toContain("::error file=test/cli/fixtures/syntax-error.rules,line=4");
  });

  it("passes extra args and reports 0 when nothing reaches fail-on", () => {
    const sarif = join(scratch, "clean.sarif");
    const run = runAudit({ paths: relativeFixture("syntax-error.rules"), args: "--role endpoint --external-interface eth0", "fail-on": "none", "sarif-file": sarif });
    expect(run.outputs).toBe("exit-code=0\n");
    expect(existsSync(sarif)).toBe(true);
  });

  it("installs from the action's own source when no version is asked for, without rebuilding a built checkout", () => {
    const install = action.runs.steps.find((step) => step.id === "install")!;
    const actionPath = dirname(dirname(cli));
    const output = join(scratch, "install-output");
    writeFileSync(output, "");
    const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", install.run!], {
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, RUNNER_TEMP: scratch, VPNLINT_VERSION: "", ACTION_PATH: actionPath },
    });
    expect(run.status).toBe(0);
    expect(readFileSync(output, "utf8")).toBe(`bin=${actionPath}/bin/vpnlint.js\n`);
    expect(auditStep.env!.VPNLINT).toBe("${{ steps.install.outputs.bin }}");
  });

  it("fails the step at once when vpnlint cannot run", () => {
    const run = runAudit({ paths: "no/such/dir", "sarif-file": join(scratch, "none.sarif") });
    expect(run.status).toBe(2);
    expect(run.outputs).toBe("exit-code=2\n");
    expect(run.stderr).toContain("vpnlint: no/such/dir: no such file or directory");
  });
});
