// VPN100: a suppression comment that suppresses nothing. Reported by the audit pipeline, listed here for its metadata.

import type { RuleMeta } from "../model/finding.js";

export const unusedSuppression: RuleMeta = {
  id: "VPN100",
  name: "unused-suppression",
  severity: "warning",
  description: "A `vpnlint disable` comment suppresses no finding, or names an unknown rule",
  rationale:
    "A suppression that no longer matches anything hides nothing today but will silently hide the next real problem on that line; an unknown rule id is usually a typo that suppresses nothing at all.",
  securitySeverity: 1.0,
  precision: "very-high",
  tags: ["maintainability"],
};
