// A defect in the rule-spec parser (an exception) costs the rule it happened on, never the rest of the file.

import { expect, it, vi } from "vitest";
import { iptablesFormat } from "../../../src/formats/iptables/index.js";
import { resolveRange, SourceFile } from "../../../src/model/source.js";

vi.mock("../../../src/formats/iptables/extensions/index.js", () => ({
  parseRuleSpec: (words: readonly { text: string }[]) => {
    if (words.some((w) => w.text === "--explode")) throw new Error("boom");
    return { matches: [], target: { kind: "none" }, errors: [] };
  },
}));

it("reports the rule whose spec could not be read and keeps the others", () => {
  const model = iptablesFormat.parse(new SourceFile("x.rules", "*filter\n-A INPUT --explode\n-A INPUT -j ACCEPT\nCOMMIT\n"));
  expect(model.diagnostics.map((d) => [resolveRange(d.range).startLine, d.message])).toEqual([[2, "vpnlint could not read this rule (internal error: boom)"]]);
  expect(model.rulesets[0]!.tables.get("filter")!.chains.get("INPUT")!.rules.map((r) => r.text)).toEqual(["-A INPUT -j ACCEPT"]);
});
