// The catalogue: every check, in id order. A rule missing here is missing everywhere (meta test).

import type { RuleMeta } from "../model/finding.js";
import type { RuleDefinition } from "./define.js";
import { syntaxError } from "./syntax-error.js";

export const checks: readonly RuleDefinition[] = [];

export const ruleCatalogue: readonly RuleMeta[] = [syntaxError, ...checks];

export function findRule(id: string): RuleMeta | undefined {
  return ruleCatalogue.find((rule) => rule.id === id.toUpperCase());
}
