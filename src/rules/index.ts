// The catalogue: every check, in id order. A rule missing here is missing everywhere (meta test).

import type { RuleMeta } from "../model/finding.js";
import type { RuleDefinition } from "./define.js";
import { syntaxError } from "./syntax-error.js";
import { unusedSuppression } from "./unused-suppression.js";

export const checks: readonly RuleDefinition[] = [];

/** Every id that can appear in a report: VPN000 (front ends), the checks, VPN100 (the suppression pass). */
export const ruleCatalogue: readonly RuleMeta[] = [syntaxError, ...checks, unusedSuppression];

export function findRule(id: string): RuleMeta | undefined {
  return ruleCatalogue.find((rule) => rule.id === id.toUpperCase());
}
