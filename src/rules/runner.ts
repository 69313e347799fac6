// Runs checks on one model: builds each check's context and turns its reports into findings (the one place that does).

import { analyze } from "../engine/index.js";
import type { Analysis, PacketQuery } from "../engine/api.js";
import type { FirewallModel, Ruleset } from "../model/firewall.js";
import type { Finding, RelatedLocation } from "../model/finding.js";
import { rangeOf, resolveRange, type SourceRange } from "../model/source.js";
import type { Report, RoleKey, Roles, RuleContext, Subject } from "./context.js";
import type { RuleDefinition } from "./define.js";

/** `{{name}}` placeholders filled from `data`; an unknown name stays visible rather than vanishing. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

/** The range a subject points at: explicit range, the rule, the chain's policy line, the chain, or the file's start. */
export function subjectRange(model: FirewallModel, subject: Subject): SourceRange {
  return subject.range ?? subject.rule?.range ?? subject.chain?.policy?.range ?? subject.chain?.range ?? tableRange(model, subject) ?? rangeOf(model.source, 0, 0);
}

function tableRange(model: FirewallModel, subject: Subject): SourceRange | undefined {
  if (!subject.chain) return undefined;
  for (const ruleset of model.rulesets) {
    const range = ruleset.tables.get(subject.chain.table)?.range;
    if (range) return range;
  }
  return undefined;
}

export function roleFacts(roles: Roles, keys: readonly RoleKey[]): string[] {
  const facts: string[] = [];
  for (const key of keys) facts.push(describeRole(key, roles));
  return facts;
}

const ROLE_NAMES: Readonly<Record<RoleKey, string>> = {
  ipsecEndpoint: "IPsec endpoint",
  l2tpEndpoint: "L2TP endpoint",
  gateway: "gateway",
  behindNat: "behind NAT",
  externalInterfaces: "external interfaces",
};

/** `L2TP endpoint: a rule accepts udp/1701 (line 12)`, `external interfaces: eth0 (--external-interface)`. */
export function describeRole(key: RoleKey, roles: Roles): string {
  const fact = roles[key];
  const value = Array.isArray(fact.value) ? (fact.value.length > 0 ? fact.value.join(", ") : "every interface but lo") : fact.value ? "yes" : "no";
  const why = fact.reasons.length > 0 ? fact.reasons.join("; ") : fact.source;
  return key === "externalInterfaces" || !fact.value ? `${ROLE_NAMES[key]}: ${value} (${why})` : `${ROLE_NAMES[key]}: ${why}`;
}

/** A check that threw: an internal error, reported beside the findings instead of ending the audit. */
export interface CheckFailure {
  readonly ruleId: string;
  readonly message: string;
}

/**
 * Runs `checks` on `model`; findings come back unsorted and unsuppressed (the audit pipeline does both). A check that
 * throws loses its own findings only; the others still run, and the failure is returned for the report.
 */
export function runChecks(model: FirewallModel, roles: Roles, checks: readonly RuleDefinition[], failures: CheckFailure[] = []): Finding[] {
  const findings: Finding[] = [];
  // The engine keeps its answers per ruleset: checks asking the same question share one walk.
  const ask = (ruleset: Ruleset, query: PacketQuery): Analysis => analyze(ruleset, query);
  for (const check of checks) {
    const context: RuleContext<string> = {
      model,
      roles,
      analyze: ask,
      report: (report) => findings.push(toFinding(model, roles, check, report)),
    };
    const before = findings.length;
    try {
      check.check(context);
    } catch (error) {
      findings.length = before;
      failures.push({ ruleId: check.id, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return findings;
}

function toFinding(model: FirewallModel, roles: Roles, check: RuleDefinition, report: Report<string>): Finding {
  const location = resolveRange(subjectRange(model, report));
  const related: RelatedLocation[] = (report.related ?? []).map((item) => ({ location: resolveRange(subjectRange(model, item)), message: item.message }));
  const fix = report.fix
    ? {
        description: report.fix.description,
        text: report.fix.text,
        ...(report.fix.insertBefore ? { insertBefore: resolveRange(report.fix.insertBefore) } : {}),
        ...(report.fix.replace ? { replace: resolveRange(report.fix.replace) } : {}),
      }
    : undefined;
  const anchor: { table?: string; chain?: string; ruleText?: string } = {};
  if (report.chain) {
    anchor.table = report.chain.table;
    anchor.chain = report.chain.name;
  }
  if (report.rule) {
    anchor.chain ??= report.rule.chain;
    anchor.ruleText = report.rule.text;
  }
  return {
    ruleId: check.id,
    severity: check.severity,
    message: formatMessage(check.messages[report.messageId] ?? report.messageId, report.data),
    location,
    related,
    ...(fix ? { fix } : {}),
    facts: roleFacts(roles, report.facts ?? []),
    anchor,
  };
}
