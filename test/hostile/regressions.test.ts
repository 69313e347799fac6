// Regressions found by the hostile suite: quadratic detection on blank lines, huge quoted values in VPN000
// messages, backtracking config globs, raw control characters in error lines.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/environment.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, hostileBuild } from "./build.js";
import { backtrackingBait, binaryGarbage, longIptablesLine, longSetLine, unclosedQuoteConfig, utf8 } from "./generators.js";
import { AuditPool, POOL_TEST_TIMEOUT_MS, runCases, summarize, type HostileCase } from "./harness.js";
const BIG_BUDGET_MS = 5_000;
const text = (label: string, path: string, body: string, extra: Partial<HostileCase> = {}): HostileCase => ({ label, path, bytes: utf8(body), budgetMs: BIG_BUDGET_MS, ...extra });
describe("hostile regressions", () => {
  let pool: AuditPool;
  beforeAll(() => { pool = new AuditPool(hostileBuild()); }, BUILD_TIMEOUT_MS);
  afterAll(() => pool?.close());
  it("does not backtrack over long runs of blank lines (format detection included)", async () => {
    const cases = [
      text("2,000,000 line breaks", "empty.rules", "\n".repeat(2_000_000)),
      text("500,000 lines of one space", "spaces.rules", " \n".repeat(500_000)),
      text("1,000,000 CRLF line breaks", "crlf.boot", "\r\n".repeat(1_000_000)),
      text("2,000,000 line breaks (vyatta)", "empty.boot", "\n".repeat(2_000_000), { format: "vyatta" }),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("quotes at most 1,000 characters of the input in a VPN000 message", async () => {
    const cases: HostileCase[] = [
      text("unclosedQuoteConfig(300)", "unclosed.boot", unclosedQuoteConfig(300)),
      text("longIptablesLine(no-newline)", "long-target.rules", longIptablesLine("no-newline", 1024 * 1024)),
      text("longSetLine()", "long-description.set", `${longSetLine(1024 * 1024)}set firewall name WAN_LOCAL rule x\n`),
    ];
    for (const format of ["iptables", "vyatta"] as const) {
      backtrackingBait(format).forEach((body, i) => cases.push(text(`backtrackingBait(${format})[${i}]`, `bait-${i}`, body, { format })));
    }
    for (const [seed, header] of [[1, ""], [3, "firewall {\n"], [4, "set firewall name X "]] as const) {
      cases.push({ label: `binaryGarbage(${seed}, 64 KiB, ${JSON.stringify(header)})`, path: "garbage.bin", bytes: binaryGarbage(seed, 64 * 1024, header), budgetMs: BIG_BUDGET_MS });
    }
    expect(summarize(await runCases(pool, cases, { maxMessageLength: 1_000 }))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);
});

describe("hostile regressions: config globs", () => {
  it("matches override globs from a .vpnlint.yaml in linear time", () => {
    const build = hostileBuild();
    const dir = mkdtempSync(join(tmpdir(), "vpnlint-glob-"));
    const name = `${"a".repeat(40)}.rules`;
    writeFileSync(join(dir, name), readFileSync(join(repoRoot, "examples/l2tp-ipsec-server.rules")));
    writeFileSync(join(dir, ".vpnlint.yaml"), `overrides:\n  - files: ["*a*a*a*a*a*a*a*a*a*a*x", "**/**/**/**/**/**/**/**/x"]\n    disable: [VPN004]\n`);
    const started = Date.now();
    const run = spawnSync(process.execPath, [build.cli, "audit", name], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect({ status: run.status, stderr: run.stderr, fast: Date.now() - started < 5_000 }).toEqual({ status: 0, stderr: "", fast: true });
  }, 120_000);
});

describe("hostile regressions: error lines", () => {
  it("escapes control characters of paths and arguments in error lines", () => {
    const build = hostileBuild();
    const rawControl = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
    for (const args of [["audit", "/nonexistent/\u001b]0;PWNED\u0007.rules"], ["\u001b[2Jaudit"], ["audit", "--\u001b[6n", "x.rules"]]) {
      const run = spawnSync(process.execPath, [build.cli, ...args], { encoding: "utf8", timeout: 60_000 });
      expect(run.status).toBe(2);
      expect(rawControl.test(run.stderr), JSON.stringify(run.stderr)).toBe(false);
    }
  }, 120_000);
});
