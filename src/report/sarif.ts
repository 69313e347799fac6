// SARIF 2.1.0 for GitHub code scanning: one run, every catalogue rule, results sorted by file, line, column.

import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Sarif from "sarif";
import type { Finding, RuleMeta, Severity } from "../model/finding.js";
import type { ResolvedLocation, SourceFile } from "../model/source.js";
import { fingerprints, fixInWords, helpUri, orderedFiles, pascalCase, ruleFor } from "./common.js";
import { terminalSafeJson } from "./escape.js";
import type { Formatter, ReportInput } from "./types.js";

const SRCROOT = "%SRCROOT%";

const LEVEL: Readonly<Record<Severity, Sarif.Result.level>> = { error: "error", warning: "warning", note: "note" };
/** GitHub's `problem.severity` for rules it does not treat as security rules. */
const PROBLEM_SEVERITY: Readonly<Record<Severity, string>> = { error: "error", warning: "warning", note: "recommendation" };

/** Relative to the working directory under `%SRCROOT%` when inside it (as GitHub wants); an absolute file URI otherwise. */
function artifactLocation(file: string, cwd: string): Sarif.ArtifactLocation {
  const absolute = resolve(cwd, file);
  const fromRoot = relative(cwd, absolute);
  if (fromRoot !== "" && !fromRoot.startsWith("..") && !isAbsolute(fromRoot)) {
    return { uri: fromRoot.split(sep).map(encodeURIComponent).join("/"), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(absolute).href };
}

/** The text a region covers, when the source is at hand. */
function snippetOf(source: SourceFile | undefined, at: ResolvedLocation): Sarif.ArtifactContent | undefined {
  if (!source || at.startLine > source.lineCount) return undefined;
  const lines: string[] = [];
  for (let line = at.startLine; line <= Math.min(at.endLine, source.lineCount); line++) {
    const text = source.lineText(line);
    const from = line === at.startLine ? at.startColumn - 1 : 0;
    const to = line === at.endLine ? at.endColumn - 1 : text.length;
    lines.push(text.slice(from, to));
  }
  const text = lines.join("\n");
  return text.length > 0 ? { text } : undefined;
}

function region(at: ResolvedLocation, source?: SourceFile): Sarif.Region {
  const snippet = snippetOf(source, at);
  return {
    startLine: at.startLine,
    startColumn: at.startColumn,
    endLine: at.endLine,
    endColumn: at.endColumn,
    ...(snippet ? { snippet } : {}),
  };
}

function location(at: ResolvedLocation, cwd: string, source?: SourceFile): Sarif.Location {
  return { physicalLocation: { artifactLocation: artifactLocation(at.file, cwd), region: region(at, source) } };
}

function helpText(rule: RuleMeta): string {
  return `${rule.description}\n\n${rule.rationale}\n\nDocumentation: ${helpUri(rule.id)}`;
}

function helpMarkdown(rule: RuleMeta): string {
  return `**${rule.id} ${rule.name}**: ${rule.description}\n\n${rule.rationale}\n\n[Documentation of ${rule.id}](${helpUri(rule.id)})`;
}

function reportingDescriptor(rule: RuleMeta): Sarif.ReportingDescriptor {
  const tags = rule.tags.includes("security") ? [...rule.tags] : ["security", ...rule.tags];
  return {
    id: rule.id,
    name: pascalCase(rule.name),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.rationale || rule.description },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    helpUri: helpUri(rule.id),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags,
      precision: rule.precision,
      "security-severity": rule.securitySeverity.toFixed(1),
      "problem.severity": PROBLEM_SEVERITY[rule.severity],
    },
  };
}

function fixOf(finding: Finding, cwd: string, source: SourceFile | undefined): Sarif.Fix | undefined {
  const fix = finding.fix;
  const at = fix?.replace ?? fix?.insertBefore;
  if (!fix || !at) return undefined;
  // Deleting a whole line takes its line break along; an insertion is an empty region.
  const deletesLine =
    fix.replace !== undefined &&
    fix.text === "" &&
    at.startColumn === 1 &&
    source !== undefined &&
    at.file === source.path &&
    at.endLine < source.lineCount &&
    at.endColumn > source.lineText(at.endLine).length;
  const deletedRegion: Sarif.Region = deletesLine
    ? { startLine: at.startLine, startColumn: 1, endLine: at.endLine + 1, endColumn: 1 }
    : fix.replace
      ? { startLine: at.startLine, startColumn: at.startColumn, endLine: at.endLine, endColumn: at.endColumn }
      : { startLine: at.startLine, startColumn: at.startColumn, endLine: at.startLine, endColumn: at.startColumn };
  const insertedText = fix.replace || at.startColumn !== 1 ? fix.text : `${fix.text}\n`;
  return {
    description: { text: fix.description },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(at.file, cwd),
        replacements: [{ deletedRegion, insertedContent: { text: insertedText } }],
      },
    ],
  };
}

function messageText(finding: Finding): string {
  return finding.fix ? `${finding.message}\n${fixInWords(finding.fix)}` : finding.message;
}

function suppressionOf(finding: Finding, cwd: string): Sarif.Suppression[] | undefined {
  const suppression = finding.suppression;
  if (!suppression) return undefined;
  return [
    {
      kind: suppression.kind,
      status: "accepted",
      ...(suppression.justification ? { justification: suppression.justification } : {}),
      ...(suppression.location ? { location: location(suppression.location, cwd) } : {}),
    },
  ];
}

function buildRules(input: ReportInput): { descriptors: RuleMeta[]; index: Map<string, number> } {
  const descriptors = [...input.rules];
  for (const file of input.files) {
    for (const finding of file.findings) {
      if (!descriptors.some((rule) => rule.id === finding.ruleId)) descriptors.push(ruleFor(input.rules, finding));
    }
  }
  return { descriptors, index: new Map(descriptors.map((rule, i) => [rule.id, i])) };
}

export function buildSarif(input: ReportInput): Sarif.Log {
  const files = orderedFiles(input.files);
  const { descriptors, index } = buildRules(input);
  const results: Sarif.Result[] = [];
  for (const file of files) {
    const prints = fingerprints(file, file.findings);
    file.findings.forEach((finding, i) => {
      const fix = fixOf(finding, input.cwd, file.source);
      const suppressions = suppressionOf(finding, input.cwd);
      results.push({
        ruleId: finding.ruleId,
        ruleIndex: index.get(finding.ruleId)!,
        level: LEVEL[finding.severity],
        message: { text: messageText(finding) },
        locations: [location(finding.location, input.cwd, file.source)],
        ...(finding.related.length > 0
          ? {
              relatedLocations: finding.related.map((related, id) => ({
                id,
                ...location(related.location, input.cwd, related.location.file === file.path ? file.source : undefined),
                message: { text: related.message },
              })),
            }
          : {}),
        partialFingerprints: { primaryLocationLineHash: prints[i]! },
        ...(fix ? { fixes: [fix] } : {}),
        ...(suppressions ? { suppressions } : {}),
      });
    });
  }
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: input.tool.name,
            version: input.tool.version,
            semanticVersion: input.tool.version,
            informationUri: input.tool.informationUri,
            rules: descriptors.map(reportingDescriptor),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(input.cwd).href.replace(/\/$/, "")}/` } },
        artifacts: files.map((file) => ({ location: artifactLocation(file.path, input.cwd) })),
        results,
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}

export const formatSarif: Formatter = (input) => `${terminalSafeJson(buildSarif(input))}\n`;
