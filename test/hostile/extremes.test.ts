// Extreme documents: 10 MB lines, 100,000 nested braces, unbalanced quotes and braces, 50,000-chain jump cycles,
// 10,000-deep chains, binary garbage, regex-backtracking bait. Each must audit in a few seconds without an exception.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, hostileBuild } from "./build.js";
import {
  backtrackingBait,
  binaryGarbage,
  chainCycle,
  chainDepth,
  chainFan,
  closingBraces,
  hostileShellScripts,
  longIptablesLine,
  longSetLine,
  longVyattaLine,
  nestedBraces,
  nestedBracesOneLine,
  unbalancedQuotes,
  unbalancedVyatta,
  utf8,
} from "./generators.js";
import { AuditPool, POOL_TEST_TIMEOUT_MS, runCases, summarize, type HostileCase } from "./harness.js";

/** "A few seconds" for the largest inputs; they are 10 MB or 100,000 lines, most real files are far smaller. */
const BIG_BUDGET_MS = 5_000;

const text = (label: string, path: string, body: string, extra: Partial<HostileCase> = {}): HostileCase => ({
  label,
  path,
  bytes: utf8(body),
  budgetMs: BIG_BUDGET_MS,
  ...extra,
});

describe("hostile input: extreme documents", () => {
  let pool: AuditPool;
  beforeAll(() => {
    pool = new AuditPool(hostileBuild());
  }, BUILD_TIMEOUT_MS);
  afterAll(() => pool?.close());

  it("audits 10 MB single lines in time", async () => {
    const cases = [
      text("longIptablesLine(comment)", "long-comment.rules", longIptablesLine("comment")),
      text("longIptablesLine(options)", "long-options.rules", longIptablesLine("options")),
      text("longIptablesLine(address-list)", "long-addresses.rules", longIptablesLine("address-list")),
      // No COMMIT and no final newline: iptables-restore refuses it.
      text("longIptablesLine(no-newline)", "long-target.rules", longIptablesLine("no-newline"), { mustDiagnose: true }),
      text("longVyattaLine()", "long-description.boot", longVyattaLine()),
      text("longSetLine()", "long-description.set", longSetLine()),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("audits 100,000 nested braces without overflowing the stack", async () => {
    const cases = [
      text("nestedBraces(100000, closed)", "nested.boot", nestedBraces(100_000, true)),
      text("nestedBraces(100000, unclosed)", "nested-open.boot", nestedBraces(100_000, false), { mustDiagnose: true }),
      text("nestedBracesOneLine(100000)", "nested-line.boot", nestedBracesOneLine(100_000)),
      text("nestedBraces(100000, closed) as iptables", "nested.rules", nestedBraces(100_000, true), { format: "iptables" }),
      text("closingBraces(100000)", "closing.boot", closingBraces(100_000), { format: "vyatta", mustDiagnose: true }),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("reports unbalanced braces and quotes with positions", async () => {
    const cases = [
      text("unbalancedVyatta()", "unbalanced.boot", unbalancedVyatta(), { format: "vyatta", mustDiagnose: true }),
      text("unbalancedQuotes(iptables)", "quotes.rules", unbalancedQuotes("iptables")),
      text("unbalancedQuotes(vyatta)", "quotes.boot", unbalancedQuotes("vyatta"), { format: "vyatta" }),
      text("unbalancedQuotes(set)", "quotes.set", unbalancedQuotes("set"), { format: "vyatta" }),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("walks 50,000 chains in a jump cycle, a 10,000-deep chain and 40,000 chains jumped to from INPUT in time", async () => {
    const cases = [
      text("chainCycle(50000)", "cycle.rules", chainCycle(50_000)),
      text("chainCycle(50000, goto)", "cycle-goto.rules", chainCycle(50_000, true)),
      text("chainDepth(10000)", "deep.rules", chainDepth(10_000)),
      text("chainFan(40000, 1000)", "fan.rules", chainFan(40_000, 1_000)),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("reports binary garbage as VPN000 with either front end", async () => {
    const cases: HostileCase[] = [];
    for (const [seed, header] of [[1, ""], [2, "*filter\n"], [3, "firewall {\n"], [4, "set firewall name X "]] as const) {
      const bytes = binaryGarbage(seed, 1024 * 1024, header);
      cases.push({ label: `binaryGarbage(${seed}, 1 MiB, ${JSON.stringify(header)})`, path: "garbage.bin", bytes, budgetMs: BIG_BUDGET_MS, mustDiagnose: true });
      for (const format of ["iptables", "vyatta"] as const) {
        cases.push({ label: `binaryGarbage(${seed}, 1 MiB, ${JSON.stringify(header)})`, path: "garbage.bin", bytes, format, budgetMs: BIG_BUDGET_MS, mustDiagnose: true });
      }
    }
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("has no regex backtracking blow-up on long ambiguous runs", async () => {
    const cases: HostileCase[] = [];
    for (const format of ["iptables", "vyatta"] as const) {
      backtrackingBait(format).forEach((body, i) => cases.push(text(`backtrackingBait(${format})[${i}]`, `bait-${i}.${format === "iptables" ? "rules" : "boot"}`, body, { format, budgetMs: 3_000 })));
    }
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("reads 100,000 rule lines whose words invite searches past the line (no slash, a lone quote) in time", async () => {
    // Each line alone is cheap; a search for "/" or '"' that ran on into the file would make the document quadratic.
    const rules = (line: string) => `*filter\n:FW - [0:0]\n${`${line}\n`.repeat(100_000)}COMMIT\n`;
    const cases = [
      text("100,000 addresses without a slash", "no-slash.rules", rules("-A FW -s 10.1.2.3 -p tcp -m tcp --dport 22 -j ACCEPT")),
      text("100,000 lines with a lone quote", "lone-quote.rules", rules('-A FW -m comment --comment "open -j ACCEPT')),
      text("100,000 lines with a lone quote, then one closing", "late-quote.rules", `${rules('-A FW -s 10.1.2.3 -m comment --comment "x -j DROP')}# "\n`),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("handles half a million comment lines", async () => {
    const cases = [
      text("500,000 comment lines", "comments.rules", `*filter\n${"# comment\n".repeat(500_000)}COMMIT\n`),
      text("500,000 comment lines (vyatta)", "comments.boot", `${"/* comment */\n".repeat(500_000)}firewall {\n}\n`, { format: "vyatta" }),
      text("set with a 1,000,000-word path", "long-path.set", `set${" firewall".repeat(1_000_000)}\n`, { format: "vyatta" }),
    ];
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);

  it("reads broken shell scripts (continuations, here-documents, substitutions, quotes) in time", async () => {
    const cases = hostileShellScripts().map(({ name, text: body }) => text(`hostileShellScripts: ${name}`, "firewall.sh", body, { format: "iptables" }));
    expect(summarize(await runCases(pool, cases))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);
});
