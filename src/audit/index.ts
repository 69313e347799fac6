// The audit of one file: parse, run every check, collect findings sorted by position.

import { parseSource } from "../formats/index.js";
import type { FormatId } from "../model/firewall.js";
import type { Finding } from "../model/finding.js";
import { resolveRange, type SourceFile } from "../model/source.js";
import { syntaxError } from "../rules/syntax-error.js";

export interface AuditOptions {
  /** Force an input format instead of detecting it (`--input-format`). */
  readonly inputFormat?: FormatId;
  /** What the host is (`--role endpoint|gateway`, repeatable); inferred when absent. */
  readonly roles?: readonly ("endpoint" | "gateway")[];
  /** `--behind-nat`: the endpoint sits behind NAT (NAT-T carries ESP, so ESP need not be open). */
  readonly behindNat?: boolean;
  /** `--external-interface IFACE` (repeatable); inferred when absent. */
  readonly externalInterfaces?: readonly string[];
  /** `--config FILE`: use this config instead of searching `.vpnlint.json` / `.vpnlint.yaml` upward from each input. */
  readonly configPath?: string;
}

export interface FileReport {
  readonly path: string;
  readonly format: FormatId;
  readonly findings: Finding[];
}

export function auditSource(source: SourceFile, options: AuditOptions = {}): FileReport {
  const model = parseSource(source, options.inputFormat);
  const findings: Finding[] = model.diagnostics.map((diagnostic) => ({
    ruleId: syntaxError.id,
    severity: syntaxError.severity,
    message: diagnostic.message,
    location: resolveRange(diagnostic.range),
    related: [],
    facts: [],
    anchor: {},
  }));
  findings.sort((a, b) => a.location.startLine - b.location.startLine || a.location.startColumn - b.location.startColumn);
  return { path: source.path, format: model.format, findings };
}
