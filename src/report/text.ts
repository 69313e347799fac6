// Human output: findings grouped by file, `file:line:col severity message [ID]`, a code frame, the fix, a summary.

import { createColors } from "picocolors";
import type { Finding, Fix, Severity } from "../model/finding.js";
import type { ResolvedLocation, SourceFile } from "../model/source.js";
import { countFindings, orderedFiles, summaryLine } from "./common.js";
import { displayChar, escapeControl } from "./escape.js";
import type { Formatter, ReportedFile } from "./types.js";

type Colors = ReturnType<typeof createColors>;

/** Code frames of very long lines show a window around the finding, not megabytes of one line. */
const FRAME_WIDTH = 160;

const SEVERITY_STYLE: Readonly<Record<Severity, (c: Colors, text: string) => string>> = {
  error: (c, text) => c.bold(c.red(text)),
  warning: (c, text) => c.bold(c.yellow(text)),
  note: (c, text) => c.bold(c.cyan(text)),
};

function position(at: ResolvedLocation): string {
  return `${escapeControl(at.file)}:${at.startLine}:${at.startColumn}`;
}

/** The offending line with a caret underline. Columns are UTF-16 units, like the positions. */
function codeFrame(source: SourceFile, at: ResolvedLocation, c: Colors): string[] {
  const line = source.lineText(at.startLine);
  const start = Math.min(at.startColumn - 1, line.length);
  const end = at.endLine === at.startLine ? Math.min(Math.max(at.endColumn - 1, start + 1), line.length) : line.length;
  const windowStart = line.length > FRAME_WIDTH ? Math.max(0, Math.min(start - 20, line.length - FRAME_WIDTH)) : 0;
  const windowEnd = Math.min(line.length, windowStart + FRAME_WIDTH);
  let shown = windowStart > 0 ? "..." : "";
  let before = shown.length;
  let marked = 0;
  for (let i = windowStart; i < windowEnd; i++) {
    const display = displayChar(line[i]!);
    shown += display;
    if (i < start) before += display.length;
    else if (i < end) marked += display.length;
  }
  if (windowEnd < line.length) shown += "...";
  const gutter = String(at.startLine);
  const pad = " ".repeat(gutter.length);
  const carets = "^".repeat(Math.max(1, marked));
  return [`  ${c.dim(`${gutter} |`)} ${shown}`, `  ${c.dim(`${pad} |`)} ${" ".repeat(before)}${c.red(carets)}`];
}

/** The fix's place in words, unless its description already names the line. */
function fixPlace(fix: Fix): string {
  const at = fix.insertBefore ?? fix.replace;
  if (!at || fix.description.includes(`line ${at.startLine}`)) return "";
  if (fix.insertBefore) return ` (insert before line ${at.startLine})`;
  return fix.text === "" ? ` (line ${at.startLine})` : ` (replace line ${at.startLine})`;
}

function findingLines(finding: Finding, file: ReportedFile, c: Colors): string[] {
  const at = finding.location;
  const source = file.source;
  const lines = [
    `${c.bold(position(at))} ${SEVERITY_STYLE[finding.severity](c, finding.severity)} ${escapeControl(finding.message)} ${c.dim(`[${finding.ruleId}]`)}`,
  ];
  if (source && at.startLine <= source.lineCount) lines.push(...codeFrame(source, at, c));
  for (const related of finding.related) {
    lines.push(`  ${c.dim("related:")} ${position(related.location)} ${escapeControl(related.message)}`);
  }
  // Facts the file header already states are not repeated under every finding.
  const facts = finding.facts.filter((fact) => !file.facts?.includes(fact));
  if (facts.length > 0) lines.push(`  ${c.dim("because:")} ${facts.map(escapeControl).join("; ")}`);
  if (finding.fix) {
    lines.push(`  ${c.green("fix:")} ${escapeControl(finding.fix.description)}${fixPlace(finding.fix)}`);
    if (finding.fix.text !== "") for (const fixLine of finding.fix.text.split("\n")) lines.push(`    ${c.green(escapeControl(fixLine))}`);
  }
  return lines;
}

export const formatText: Formatter = (input) => {
  const c = createColors(input.color);
  const files = orderedFiles(input.files);
  const blocks: string[] = [];
  for (const file of files) {
    const shown = file.findings.filter((finding) => !finding.suppression);
    if (shown.length === 0) continue;
    if (file.facts && file.facts.length > 0) {
      blocks.push([`${c.bold(escapeControl(file.path))} ${c.dim("as vpnlint sees the host:")}`, ...file.facts.map((fact) => c.dim(`  - ${escapeControl(fact)}`))].join("\n"));
    }
    for (const finding of shown) blocks.push(findingLines(finding, file, c).join("\n"));
  }
  const counts = countFindings(files);
  const problems = counts.error + counts.warning + counts.note;
  if (problems === 0) {
    const suppressed = counts.suppressed > 0 ? ` (${counts.suppressed} suppressed)` : "";
    return `${c.green("no problems")} in ${files.length === 1 ? "1 file" : `${files.length} files`}${suppressed}\n`;
  }
  const style = counts.error > 0 ? c.red : counts.warning > 0 ? c.yellow : c.cyan;
  return `${blocks.join("\n\n")}\n\n${c.bold(style(summaryLine(counts)))}\n`;
};
