// `--fail-on error|warning|note|none`: whether a run's findings should fail it. Suppressed findings never do.

import type { Finding, Severity } from "../model/finding.js";

export type FailOn = Severity | "none";

export const FAIL_ON_VALUES: readonly FailOn[] = ["error", "warning", "note", "none"];

const RANK: Readonly<Record<Severity, number>> = { note: 1, warning: 2, error: 3 };

/** True when `severity` is at least as serious as the threshold (`none` is never reached). */
export function reachesThreshold(severity: Severity, failOn: FailOn): boolean {
  return failOn !== "none" && RANK[severity] >= RANK[failOn];
}

/** True when some unsuppressed finding reaches the threshold: the CLI then exits with code 1. */
export function failsRun(findings: Iterable<Finding>, failOn: FailOn): boolean {
  for (const finding of findings) if (!finding.suppression && reachesThreshold(finding.severity, failOn)) return true;
  return false;
}

export function isFailOn(value: string): value is FailOn {
  return (FAIL_ON_VALUES as readonly string[]).includes(value);
}
