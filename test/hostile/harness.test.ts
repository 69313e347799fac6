// The hostile harness itself must catch what it is for: a hang, an exception, a stack overflow, pollution, bad positions.
// It runs a stand-in library that misbehaves on purpose, so these tests do not depend on the real front ends.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { utf8 } from "./generators.js";
import { AuditPool, POOL_TEST_TIMEOUT_MS, problemsOf, summarize, type HostileCase } from "./harness.js";

const fakeAudit = `
const finding = (message, startLine, startColumn, endLine, endColumn) => ({
  ruleId: "VPN000", severity: "error", message, related: [], facts: [], anchor: {},
  location: { file: "input.rules", startLine, startColumn, endLine, endColumn },
});
const recurse = (n) => (n === 0 ? 0 : 1 + recurse(n - 1));
export function auditSource(source) {
  const text = source.text;
  if (text === "HANG") for (;;);
  if (text === "THROW") throw new TypeError("boom");
  if (text === "DEEP") return { findings: [], depth: recurse(1e6) };
  if (text === "POLLUTE") Object.prototype.polluted = true;
  if (text === "SLOW") { const started = process.cpuUsage(); while (process.cpuUsage(started).user < 40000); }
  if (text === "BADLINE") return { path: source.path, format: "iptables", findings: [finding("x", 7, 1, 7, 2)] };
  if (text === "LONG") return { path: source.path, format: "iptables", findings: [finding("x".repeat(5000), 1, 1, 1, 2)] };
  if (text.startsWith("GOOD")) return { path: source.path, format: "iptables", findings: [finding("unknown option", 1, 1, 1, 5)] };
  return { path: source.path, format: "iptables", findings: [] };
}
`;

const fakeSource = "export class SourceFile { constructor(path, text) { this.path = path; this.text = text; } }\n";

describe("hostile harness", () => {
  let dir: string;
  let pool: AuditPool;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vpnlint-harness-"));
    mkdirSync(join(dir, "audit"));
    mkdirSync(join(dir, "model"));
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir, "audit/index.js"), fakeAudit);
    writeFileSync(join(dir, "model/source.js"), fakeSource);
    pool = new AuditPool({ distDir: dir, cli: "" });
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (text: string, extra: Partial<HostileCase> = {}): Promise<string[]> => {
    const hostile: HostileCase = { label: `case ${text}`, path: "input.rules", bytes: utf8(text), budgetMs: 200, ...extra };
    return problemsOf(hostile, await pool.run(hostile), { maxMessageLength: 1_000 });
  };

  it("accepts a well-behaved run with a positioned VPN000", async () => {
    expect(await run("GOOD line", { mustDiagnose: true })).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("kills a hang at the deadline and goes on with a fresh worker", async () => {
    expect(await run("HANG", { budgetMs: 100 })).toEqual([expect.stringMatching(/^case HANG: no result after 5500 ms \(killed\)$/)]);
    expect(await run("GOOD again")).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("reports exceptions and stack overflows as problems", async () => {
    expect(await run("THROW")).toEqual(["case THROW: threw TypeError: boom"]);
    expect(await run("DEEP")).toEqual([expect.stringMatching(/^case DEEP: threw RangeError: Maximum call stack size exceeded/)]);
  }, POOL_TEST_TIMEOUT_MS);

  it("reports overrun budgets, pollution, misplaced findings, huge messages, and missing diagnostics", async () => {
    expect(await run("SLOW", { budgetMs: 10 })).toEqual([expect.stringMatching(/^case SLOW: took \d+ ms, \d+ ms of CPU \(budget 10 ms\)$/)]);
    expect(await run("BADLINE")).toEqual(['case BADLINE: VPN000 "x" is at line 7-7 of a 1-line file']);
    expect(await run("LONG")).toEqual([expect.stringMatching(/^case LONG: VPN000 message is 5000 characters long: "x{200}\.\.\."$/)]);
    expect(await run("nothing", { mustDiagnose: true })).toEqual(["case nothing: no VPN000 for input no loader accepts"]);
    // Last: the worker stays polluted.
    expect(await run("POLLUTE")).toEqual(["case POLLUTE: Object.prototype was modified"]);
  }, POOL_TEST_TIMEOUT_MS);

  it("summarizes long lists", () => {
    expect(summarize(["a", "b", "c"], 2)).toEqual(["a", "b", "... and 1 more"]);
  });
});
