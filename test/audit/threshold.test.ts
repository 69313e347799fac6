// --fail-on: severities at or above the threshold fail the run; suppressed findings never do.

import { describe, expect, it } from "vitest";
import { failsRun, isFailOn, reachesThreshold } from "../../src/audit/threshold.js";
import type { Finding } from "../../src/model/finding.js";

const base: Finding = {
  ruleId: "VPN009",
  severity: "warning",
  message: "m",
  location: { file: "f", startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
  related: [],
  facts: [],
  anchor: {},
};

describe("fail-on threshold", () => {
  it("ranks error > warning > note and never fails on none", () => {
    expect(reachesThreshold("warning", "error")).toBe(false);
    expect(reachesThreshold("warning", "warning")).toBe(true);
    expect(reachesThreshold("note", "note")).toBe(true);
    expect(reachesThreshold("error", "none")).toBe(false);
  });

  it("ignores suppressed findings", () => {
    expect(failsRun([base], "warning")).toBe(true);
    expect(failsRun([{ ...base, suppression: { kind: "inSource" } }], "note")).toBe(false);
    expect(isFailOn("none")).toBe(true);
    expect(isFailOn("fatal")).toBe(false);
  });
});
