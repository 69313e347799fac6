// The audit of one file: parse, settle the host's roles, run every check, apply config and inline suppressions,
// report unused suppressions, and return the findings sorted by position with the role facts behind them.

import { parseSource } from "../formats/index.js";
import type { FirewallModel, FormatId } from "../model/firewall.js";
import type { Finding } from "../model/finding.js";
import { resolveRange, type SourceFile } from "../model/source.js";
import type { RoleKey, Roles } from "../rules/context.js";
import { checks, ruleCatalogue } from "../rules/index.js";
import { describeRole, runChecks, type CheckFailure } from "../rules/runner.js";
import { syntaxError } from "../rules/syntax-error.js";
import { unusedSuppression } from "../rules/unused-suppression.js";
import { ConfigLoader, settingsFor, type FileSettings, type LoadedConfig } from "./config.js";
import { inferRoles } from "./roles.js";
import { applySuppressions, scanSuppressions } from "./suppressions.js";

export { ConfigError } from "./config.js";
export { failsRun, isFailOn, reachesThreshold, FAIL_ON_VALUES, type FailOn } from "./threshold.js";

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
  /** Do not look for config files (tests, `--no-config`); `configPath` still applies. */
  readonly noConfigSearch?: boolean;
}

export interface FileReport {
  readonly path: string;
  readonly format: FormatId;
  readonly findings: Finding[];
  readonly source: SourceFile;
  /** What the audit concluded about the host and why, in words (the text output prints them). */
  readonly facts: readonly string[];
  readonly roles: Roles;
  /** The config file that applied, if any. */
  readonly configPath?: string;
  /** Checks that failed with an internal error on this file (their findings are missing): `VPN012: <reason>`. */
  readonly internalErrors: readonly string[];
}

const knownIds = new Set(ruleCatalogue.map((rule) => rule.id));
const loader = new ConfigLoader(knownIds);

/** The config that applies to an input path (the forced one, or the nearest found upward). Throws ConfigError. */
export function configFor(path: string, options: AuditOptions = {}): LoadedConfig | undefined {
  if (options.configPath) return loader.forInput(path, options.configPath);
  if (options.noConfigSearch || path === "-" || path === "") return undefined;
  return loader.forInput(path);
}

export function auditSource(source: SourceFile, options: AuditOptions = {}): FileReport {
  const model = parseSource(source, options.inputFormat);
  const config = configFor(source.path, options);
  const settings = settingsFor(config, source.path);
  const roles = inferRoles(model, {
    options: {
      ...(options.roles ? { roles: options.roles } : {}),
      ...(options.behindNat !== undefined ? { behindNat: options.behindNat } : {}),
      ...(options.externalInterfaces ? { externalInterfaces: options.externalInterfaces } : {}),
    },
    config: settings,
  });
  const failures: CheckFailure[] = [];
  const findings = [...syntaxFindings(model), ...runChecks(model, roles, checks, failures)];
  const unused = applySuppressions(findings, scanSuppressions(source));
  for (const { comment, id } of unused) {
    const known = id === undefined || knownIds.has(id);
    const message = !known
      ? `Suppression names unknown rule ${id}`
      : comment.scope === "file"
        ? `Unused suppression: no ${id ?? "finding"} in this file`
        : `Unused suppression: no ${id ?? "finding"} on line ${comment.targetLine}`;
    findings.push({ ruleId: unusedSuppression.id, severity: unusedSuppression.severity, message, location: comment.location, related: [], facts: [], anchor: {} });
  }
  applySettings(findings, settings, config);
  findings.sort(
    (a, b) =>
      a.location.startLine - b.location.startLine ||
      a.location.startColumn - b.location.startColumn ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return {
    path: source.path,
    format: model.format,
    findings,
    source,
    facts: describeRoles(roles),
    roles,
    ...(config ? { configPath: config.path } : {}),
    internalErrors: failures.map((failure) => `${failure.ruleId}: ${failure.message}`),
  };
}

/** Past this many VPN000 findings in one file, one more finding counts the rest: a binary file must not print a million. */
const MAX_SYNTAX_FINDINGS = 500;
/** Quoted input longer than this is shortened in messages (a 10 MB line must not come back as a 10 MB message). */
const MAX_QUOTED = 80;
const MAX_MESSAGE = 1_000;

/** A front end's message with over-long quoted input shortened to its start and its length. */
function clipMessage(message: string): string {
  const clipped = message.replace(/"([^"]{81,})"/g, (_, value: string) => `"${value.slice(0, MAX_QUOTED - 20)}…" (${value.length} characters)`);
  return clipped.length > MAX_MESSAGE ? `${clipped.slice(0, MAX_MESSAGE - 1)}…` : clipped;
}

function syntaxFindings(model: FirewallModel): Finding[] {
  const shown = model.diagnostics.length > MAX_SYNTAX_FINDINGS ? model.diagnostics.slice(0, MAX_SYNTAX_FINDINGS) : model.diagnostics;
  const findings: Finding[] = shown.map((diagnostic) => ({
    ruleId: syntaxError.id,
    severity: syntaxError.severity,
    message: clipMessage(diagnostic.message),
    location: resolveRange(diagnostic.range),
    related: [],
    facts: [],
    anchor: {},
  }));
  const hidden = model.diagnostics.length - shown.length;
  if (hidden > 0) {
    findings.push({
      ruleId: syntaxError.id,
      severity: syntaxError.severity,
      message: `${hidden} more syntax errors in this file are not shown (the first ${MAX_SYNTAX_FINDINGS} are)`,
      location: resolveRange(model.diagnostics[MAX_SYNTAX_FINDINGS]!.range),
      related: [],
      facts: [],
      anchor: {},
    });
  }
  return findings;
}

/** Severity overrides and `off` (kept, suppressed as `external`) from the config; inline suppressions stay as they are. */
function applySettings(findings: Finding[], settings: FileSettings, config: LoadedConfig | undefined): void {
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i]!;
    const setting = settings.rules[finding.ruleId];
    if (setting === undefined) continue;
    findings[i] =
      setting === "off"
        ? finding.suppression
          ? finding
          : { ...finding, suppression: { kind: "external", justification: `disabled in ${config?.path ?? "the config"}` } }
        : { ...finding, severity: setting };
  }
}

const FACT_ORDER: readonly RoleKey[] = ["ipsecEndpoint", "l2tpEndpoint", "gateway", "behindNat", "externalInterfaces"];

/** The roles in words: only the ones that hold, plus the external interfaces; a plain "no VPN role" otherwise. */
function describeRoles(roles: Roles): string[] {
  const facts = FACT_ORDER.filter((key) => key === "externalInterfaces" || roles[key].value === true).map((key) => describeRole(key, roles));
  if (!roles.ipsecEndpoint.value && !roles.l2tpEndpoint.value && !roles.gateway.value) {
    facts.unshift("no VPN role: nothing in the file mentions IKE, NAT-T, ESP, AH or L2TP on the input path or in destination NAT");
  }
  return facts;
}
