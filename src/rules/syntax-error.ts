// VPN000: input the real loader would refuse. Reported by the front ends (model.diagnostics), listed here for its metadata.

import type { RuleMeta } from "../model/finding.js";

export const syntaxError: RuleMeta = {
  id: "VPN000",
  name: "syntax-error",
  severity: "error",
  description: "The file does not load: iptables-restore or the router would refuse it",
  rationale: "A ruleset that does not load leaves the host with whatever rules it had before, so nothing else in the file can be trusted.",
  securitySeverity: 5.0,
  precision: "very-high",
  tags: ["security", "correctness"],
};
