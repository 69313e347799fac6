// Helpers every formatter shares: rule lookup and help links, ordering, counting, fingerprints.

import type { Finding, Fix, RuleMeta } from "../model/finding.js";
import type { ReportedFile } from "./types.js";
import { sha256Hex } from "./sha256.js";

const DOCS_BASE = "https://github.com/vpnlint/vpnlint/blob/main/docs/rules/";

export function helpUri(ruleId: string): string {
  return `${DOCS_BASE}${encodeURIComponent(ruleId)}.md`;
}

/** `l2tp-without-ipsec` -> `L2tpWithoutIpsec` (SARIF `reportingDescriptor.name`, GitHub shows it). */
export function pascalCase(kebab: string): string {
  return kebab
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/** The catalogue entry of a finding's rule; an id the catalogue lacks gets a minimal entry so no finding is dropped. */
export function ruleFor(rules: readonly RuleMeta[], finding: Finding): RuleMeta {
  return (
    rules.find((rule) => rule.id === finding.ruleId) ?? {
      id: finding.ruleId,
      // SARIF wants a name that differs from the id.
      name: `unlisted-${finding.ruleId.toLowerCase()}`,
      severity: finding.severity,
      description: finding.ruleId,
      rationale: "",
      securitySeverity: 5,
      precision: "medium",
      tags: ["security"],
    }
  );
}

function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location.file;
  const fb = b.location.file;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (
    a.location.startLine - b.location.startLine ||
    a.location.startColumn - b.location.startColumn ||
    a.location.endLine - b.location.endLine ||
    a.location.endColumn - b.location.endColumn ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

/** Files sorted by path, each file's findings sorted by position: the order every format prints. */
export function orderedFiles(files: readonly ReportedFile[]): ReportedFile[] {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => ({ ...file, findings: [...file.findings].sort(compareFindings) }));
}

export interface Counts {
  readonly error: number;
  readonly warning: number;
  readonly note: number;
  readonly suppressed: number;
  /** Files with at least one unsuppressed finding. */
  readonly filesWithProblems: number;
}

export function countFindings(files: readonly ReportedFile[]): Counts {
  const counts = { error: 0, warning: 0, note: 0, suppressed: 0, filesWithProblems: 0 };
  for (const file of files) {
    let problems = 0;
    for (const finding of file.findings) {
      if (finding.suppression) counts.suppressed++;
      else {
        counts[finding.severity]++;
        problems++;
      }
    }
    if (problems > 0) counts.filesWithProblems++;
  }
  return counts;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** `3 problems (2 errors, 1 warning) in 2 files`, `, 1 suppressed` when some are. */
export function summaryLine(counts: Counts): string {
  const total = counts.error + counts.warning + counts.note;
  const kinds = [
    counts.error > 0 ? plural(counts.error, "error") : "",
    counts.warning > 0 ? plural(counts.warning, "warning") : "",
    counts.note > 0 ? plural(counts.note, "note") : "",
  ].filter((part) => part !== "");
  const suppressed = counts.suppressed > 0 ? `, ${counts.suppressed} suppressed` : "";
  return `${plural(total, "problem")} (${kinds.join(", ")}) in ${plural(counts.filesWithProblems, "file")}${suppressed}`;
}

/** A fix in one or more lines of plain text, for formats that only carry a message. */
export function fixInWords(fix: Fix): string {
  return fix.text === "" ? `Fix: ${fix.description}` : `Fix: ${fix.description}:\n${fix.text}`;
}

function normalizeText(text: string): string {
  return text.trim().replace(/\s+/g, " ");
}

/**
 * Fingerprints that survive edits elsewhere in the file: a hash of the rule id and what the finding is about (table,
 * chain, normalized rule text; for findings without an anchor, the normalized text of the line), never a line number
 * or counter. Identical keys in one file get `:1`, `:2`... in position order, as GitHub's own line hashes do.
 */
export function fingerprints(file: ReportedFile, findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const { table = "", chain = "", ruleText } = finding.anchor;
    const subject = ruleText ?? file.source?.lineText(finding.location.startLine) ?? finding.message;
    const key = [finding.ruleId, table, chain, normalizeText(subject)].join("\u0000");
    const hash = sha256Hex(key).slice(0, 16);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  });
}
