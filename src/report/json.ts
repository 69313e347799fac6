// Machine output, schema version 1 (docs/json-output.md): additive changes keep the version, anything else bumps it.

import type { Finding } from "../model/finding.js";
import type { ResolvedLocation } from "../model/source.js";
import type { RoleFact, Roles } from "../rules/context.js";
import { countFindings, fingerprints, helpUri, orderedFiles, ruleFor } from "./common.js";
import { terminalSafeJson } from "./escape.js";
import type { Formatter } from "./types.js";

const JSON_SCHEMA_VERSION = 1;

function locationJson(at: ResolvedLocation) {
  return { file: at.file, startLine: at.startLine, startColumn: at.startColumn, endLine: at.endLine, endColumn: at.endColumn };
}

function roleJson<T>(fact: RoleFact<T>) {
  return { value: fact.value, source: fact.source, reasons: fact.reasons };
}

function rolesJson(roles: Roles | undefined) {
  if (!roles) return null;
  return {
    ipsecEndpoint: roleJson(roles.ipsecEndpoint),
    l2tpEndpoint: roleJson(roles.l2tpEndpoint),
    gateway: roleJson(roles.gateway),
    behindNat: roleJson(roles.behindNat),
    externalInterfaces: roleJson(roles.externalInterfaces),
    vpnFamilies: [...roles.vpnFamilies].sort(),
  };
}

function findingJson(finding: Finding, fingerprint: string, ruleName: string) {
  return {
    ruleId: finding.ruleId,
    ruleName,
    severity: finding.severity,
    message: finding.message,
    location: locationJson(finding.location),
    related: finding.related.map((related) => ({ location: locationJson(related.location), message: related.message })),
    fix: finding.fix
      ? {
          description: finding.fix.description,
          text: finding.fix.text,
          insertBefore: finding.fix.insertBefore ? locationJson(finding.fix.insertBefore) : null,
          replace: finding.fix.replace ? locationJson(finding.fix.replace) : null,
        }
      : null,
    facts: finding.facts,
    anchor: {
      table: finding.anchor.table ?? null,
      chain: finding.anchor.chain ?? null,
      ruleText: finding.anchor.ruleText ?? null,
    },
    fingerprint,
    suppressed: finding.suppression !== undefined,
    suppression: finding.suppression
      ? {
          kind: finding.suppression.kind,
          justification: finding.suppression.justification ?? null,
          location: finding.suppression.location ? locationJson(finding.suppression.location) : null,
        }
      : null,
    helpUri: helpUri(finding.ruleId),
  };
}

export const formatJson: Formatter = (input) => {
  const files = orderedFiles(input.files);
  const counts = countFindings(files);
  const findings: ReturnType<typeof findingJson>[] = [];
  const usedRules = new Map<string, ReturnType<typeof ruleFor>>();
  for (const file of files) {
    const prints = fingerprints(file, file.findings);
    file.findings.forEach((finding, i) => {
      const rule = ruleFor(input.rules, finding);
      usedRules.set(rule.id, rule);
      findings.push(findingJson(finding, prints[i]!, rule.name));
    });
  }
  const document = {
    version: JSON_SCHEMA_VERSION,
    tool: { name: input.tool.name, version: input.tool.version, informationUri: input.tool.informationUri },
    summary: {
      files: files.length,
      problems: counts.error + counts.warning + counts.note,
      errors: counts.error,
      warnings: counts.warning,
      notes: counts.note,
      suppressed: counts.suppressed,
    },
    files: files.map((file) => ({
      path: file.path,
      format: file.format,
      configPath: file.configPath ?? null,
      facts: file.facts ?? [],
      roles: rolesJson(file.roles),
      problems: file.findings.filter((finding) => !finding.suppression).length,
      suppressed: file.findings.filter((finding) => finding.suppression).length,
    })),
    rules: [...usedRules.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((rule) => ({
        id: rule.id,
        name: rule.name,
        severity: rule.severity,
        description: rule.description,
        rationale: rule.rationale,
        securitySeverity: rule.securitySeverity,
        precision: rule.precision,
        tags: rule.tags,
        helpUri: helpUri(rule.id),
      })),
    findings,
  };
  return `${terminalSafeJson(document)}\n`;
};
