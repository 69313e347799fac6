// Test helper: a model as plain data without source ranges, for comparing the models of two files.

import type { FirewallModel } from "../../../src/model/firewall.js";

/** JSON-ready: ranges and the SourceFile dropped, bigints as hex strings, Maps as arrays. */
export function dumpModel(model: FirewallModel): unknown {
  return JSON.parse(
    JSON.stringify({ rulesets: model.rulesets, host: model.host, diagnostics: model.diagnostics.map((d) => d.message) }, (key, value: unknown) => {
      if (key === "range" || key === "source") return undefined;
      if (typeof value === "bigint") return `0x${value.toString(16)}`;
      if (value instanceof Map) return [...value.values()];
      return value;
    }),
  );
}
