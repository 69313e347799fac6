// GitHub Actions workflow commands: one annotation per finding, and a log line where GitHub would drop annotations.

import type { Severity } from "../model/finding.js";
import { countFindings, fixInWords, orderedFiles, plural, ruleFor, summaryLine } from "./common.js";
import { escapeControl } from "./escape.js";
import type { Formatter } from "./types.js";

/** GitHub shows at most this many annotations of each type per step. */
const ANNOTATIONS_PER_KIND = 10;

const COMMAND: Readonly<Record<Severity, string>> = { error: "error", warning: "warning", note: "notice" };

/** Message data: `%`, CR and LF are encoded (actions/toolkit `escapeData`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Property values: additionally `:` and `,`, which delimit properties (actions/toolkit `escapeProperty`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export const formatGithub: Formatter = (input) => {
  const files = orderedFiles(input.files);
  const lines: string[] = [];
  const perKind: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const file of files) {
    for (const finding of file.findings) {
      if (finding.suppression) continue;
      perKind[finding.severity]++;
      const rule = ruleFor(input.rules, finding);
      const at = finding.location;
      const properties = [
        `file=${escapeProperty(escapeControl(at.file))}`,
        `line=${at.startLine}`,
        `col=${at.startColumn}`,
        `endLine=${at.endLine}`,
        // Workflow commands count the end column inclusively; locations carry it exclusive.
        `endColumn=${Math.max(at.startColumn, at.endColumn - 1)}`,
        `title=${escapeProperty(`${rule.id} ${rule.name}`)}`,
      ].join(",");
      const fix = finding.fix ? `\n${fixInWords(finding.fix)}` : "";
      const message = finding.message.split("\n").map(escapeControl).join("\n") + fix.split("\n").map(escapeControl).join("\n");
      lines.push(`::${COMMAND[finding.severity]} ${properties}::${escapeData(message)}`);
    }
  }
  const counts = countFindings(files);
  for (const severity of ["error", "warning", "note"] as const) {
    if (perKind[severity] > ANNOTATIONS_PER_KIND) {
      lines.push(
        `vpnlint: ${plural(perKind[severity], severity)}; GitHub annotates only the first ${ANNOTATIONS_PER_KIND} ${COMMAND[severity]}s of a step, this log lists all of them`,
      );
    }
  }
  if (counts.error + counts.warning + counts.note > 0) lines.push(`vpnlint: ${summaryLine(counts)}`);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
};
