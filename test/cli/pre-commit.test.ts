// The pre-commit hook as users get it: the real pre-commit installs this repository's hook (language: node, from a
// clone at a commit) into a throwaway git repository; a bad ruleset fails the commit with the finding, a good one passes.

import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWith, repoRoot } from "../helpers/environment.js";
import { preCommit } from "./prerequisites.js";
import { fixture } from "./harness.js";

const scratch = mkdtempSync(join(tmpdir(), "vpnlint-pre-commit-"));
/** pre-commit's own cache (hook environments): private to this run, removed with it. */
const preCommitHome = join(scratch, "pre-commit-home");

function clean(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("GIT_") && !key.startsWith("PRE_COMMIT")) env[key] = value;
  return {
    ...env,
    PRE_COMMIT_HOME: preCommitHome,
    GIT_AUTHOR_NAME: "vpnlint test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "vpnlint test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  };
}

function sh(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: clean(), encoding: "utf8", timeout: 280_000 });
  if (result.error) throw result.error;
  return result;
}

function must(command: string, args: readonly string[], cwd: string): string {
  const result = sh(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stdout}${result.stderr}`);
  return result.stdout;
}

describeWith(preCommit, "pre-commit hook", () => {
  const hookRepo = join(scratch, "hook-repo");
  const project = join(scratch, "project");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    // The committed code at HEAD, with this checkout's hook manifest and .npmrc on top, committed in a clone:
    // pre-commit installs hooks from a repository and a rev, exactly like a user's config points at ours.
    must("git", ["clone", "--quiet", "--no-hardlinks", repoRoot, hookRepo], scratch);
    for (const file of [".pre-commit-hooks.yaml", ".npmrc"]) copyFileSync(join(repoRoot, file), join(hookRepo, file));
    must("git", ["add", ".pre-commit-hooks.yaml", ".npmrc"], hookRepo);
    if (sh("git", ["diff", "--cached", "--quiet"], hookRepo).status !== 0) must("git", ["commit", "--quiet", "-m", "hook manifest under test"], hookRepo);
    const rev = must("git", ["rev-parse", "HEAD"], hookRepo).trim();

    mkdirSync(project);
    must("git", ["init", "--quiet", "--initial-branch=main"], project);
    writeFileSync(join(project, ".pre-commit-config.yaml"), `repos:\n  - repo: ${hookRepo}\n    rev: ${rev}\n    hooks:\n      - id: vpnlint\n`);
    writeFileSync(join(project, "README.md"), "not a ruleset\n");
    must("git", ["add", "."], project);
    must("pre-commit", ["install"], project);
    // Installs the hook environment (npm install, build, npm pack, npm install -g), outside the timed commits below.
    must("pre-commit", ["install-hooks"], project);
  }, 300_000);

  it("a commit with a broken ruleset fails and shows the finding", () => {
    mkdirSync(join(project, "etc/iptables"), { recursive: true });
    writeFileSync(join(project, "etc/iptables/rules.v4"), readFileSync(fixture("syntax-error.rules")));
    must("git", ["add", "etc/iptables/rules.v4"], project);
    const commit = sh("git", ["commit", "-m", "broken firewall"], project);
    const output = commit.stdout + commit.stderr;
    expect(commit.status).not.toBe(0);
    expect(output).toContain("vpnlint");
    expect(output).toContain("Failed");
    expect(output).toContain('etc/iptables/rules.v4:4:4 error chain "VPN-IN" does not exist in table "filter" [VPN000]');
    expect(sh("git", ["rev-parse", "--verify", "HEAD"], project).status).not.toBe(0);
  });

  it("a commit with a good ruleset passes the hook", () => {
    writeFileSync(join(project, "etc/iptables/rules.v4"), readFileSync(fixture("clean.rules")));
    must("git", ["add", "etc/iptables/rules.v4"], project);
    const commit = sh("git", ["commit", "-m", "good firewall"], project);
    expect(commit.stdout + commit.stderr).toMatch(/vpnlint\.+Passed/);
    expect(commit.status).toBe(0);
  });

  it("files that are not rulesets are not passed to the hook", () => {
    writeFileSync(join(project, "notes.txt"), "-A VPN-IN -j ACCEPT\n");
    must("git", ["add", "notes.txt"], project);
    const commit = sh("git", ["commit", "-m", "notes"], project);
    expect(commit.stdout + commit.stderr).toMatch(/vpnlint\.+\(no files to check\)Skipped/);
    expect(commit.status).toBe(0);
  });
});
