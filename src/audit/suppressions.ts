// Inline suppressions: `# vpnlint disable-next-line VPN003 -- reason`, `# vpnlint disable VPN003` (whole file), and the
// same inside `/* ... */` in config.boot. Read from the source text (front ends drop comments), matched to findings by line.

import type { Finding, Suppression } from "../model/finding.js";
import { rangeOf, resolveRange, type ResolvedLocation, type SourceFile } from "../model/source.js";

export interface SuppressionComment {
  readonly scope: "next-line" | "file";
  /** Upper-case rule ids; empty means every rule. */
  readonly ids: readonly string[];
  readonly justification?: string;
  readonly location: ResolvedLocation;
  /** For `next-line`: the line it covers (the next line that is not blank or only a comment). */
  readonly targetLine?: number;
}

const DIRECTIVE = /vpnlint\s+(disable-next-line|disable)\b([^\n]*)/;

/** The directive inside a comment on this line, if the line has one: `#` at a word boundary, or `/* ... *\/`. */
function commentDirective(text: string): { at: number; end: number; body: string } | undefined {
  const block = text.indexOf("/*");
  if (block !== -1) {
    const close = text.indexOf("*/", block + 2);
    const inner = text.slice(block + 2, close === -1 ? text.length : close);
    if (DIRECTIVE.test(inner)) return { at: block, end: close === -1 ? text.length : close + 2, body: inner };
  }
  for (let hash = text.indexOf("#"); hash !== -1; hash = text.indexOf("#", hash + 1)) {
    if (hash > 0 && !/\s/.test(text[hash - 1]!)) continue;
    const inner = text.slice(hash + 1);
    if (DIRECTIVE.test(inner)) return { at: hash, end: text.length, body: inner };
  }
  return undefined;
}

function isCommentOrBlank(text: string): boolean {
  const trimmed = text.trim();
  return trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith("//") || (trimmed.startsWith("/*") && trimmed.endsWith("*/"));
}

export function scanSuppressions(source: SourceFile): SuppressionComment[] {
  const comments: SuppressionComment[] = [];
  let lastLine = 0;
  for (let hit = source.find("vpnlint", 0); hit !== -1; hit = source.find("vpnlint", hit + 7)) {
    const lineNumber = source.position(hit).line;
    if (lineNumber === lastLine) continue;
    lastLine = lineNumber;
    const lineText = source.lineText(lineNumber);
    const directive = commentDirective(lineText);
    if (!directive) continue;
    const parsed = DIRECTIVE.exec(directive.body)!;
    let rest = parsed[2]!.replace(/\*\/.*$/, "");
    let justification: string | undefined;
    const dashes = rest.indexOf("--");
    if (dashes !== -1) {
      justification = rest.slice(dashes + 2).trim() || undefined;
      rest = rest.slice(0, dashes);
    }
    const ids = rest.split(/[\s,]+/).filter((id) => id !== "").map((id) => id.toUpperCase());
    const lineStart = hit - (source.position(hit).column - 1);
    const location = resolveRange(rangeOf(source, lineStart + directive.at, lineStart + directive.end));
    const scope = parsed[1] === "disable" ? "file" : "next-line";
    let targetLine: number | undefined;
    if (scope === "next-line") {
      targetLine = lineNumber + 1;
      while (targetLine <= source.lineCount && isCommentOrBlank(source.lineText(targetLine))) targetLine++;
    }
    comments.push({ scope, ids, ...(justification ? { justification } : {}), location, ...(targetLine ? { targetLine } : {}) });
  }
  return comments;
}

export interface UnusedSuppression {
  readonly comment: SuppressionComment;
  /** The id nobody used, or undefined for a comment without ids that covered nothing. */
  readonly id?: string;
}

/**
 * Marks findings covered by a comment (keeping them, with `suppression` set) and returns the comment/id pairs that
 * covered nothing. Findings that are already suppressed are left as they are.
 */
export function applySuppressions(findings: Finding[], comments: readonly SuppressionComment[]): UnusedSuppression[] {
  const used = new Set<string>();
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i]!;
    if (finding.suppression) continue;
    for (let c = 0; c < comments.length; c++) {
      const comment = comments[c]!;
      if (comment.ids.length > 0 && !comment.ids.includes(finding.ruleId)) continue;
      if (comment.scope === "next-line") {
        const target = comment.targetLine!;
        if (target < finding.location.startLine || target > finding.location.endLine) continue;
      }
      used.add(`${c}:${comment.ids.length > 0 ? finding.ruleId : "*"}`);
      const suppression: Suppression = { kind: "inSource", location: comment.location, ...(comment.justification ? { justification: comment.justification } : {}) };
      findings[i] = { ...finding, suppression };
      break;
    }
  }
  const unused: UnusedSuppression[] = [];
  comments.forEach((comment, c) => {
    if (comment.ids.length === 0) {
      if (!used.has(`${c}:*`)) unused.push({ comment });
      return;
    }
    for (const id of comment.ids) if (!used.has(`${c}:${id}`)) unused.push({ comment, id });
  });
  return unused;
}
