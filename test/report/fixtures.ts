// Hand-made findings on small sources: they drive every formatter without depending on parsers or checks.

import type { Finding, RuleMeta } from "../../src/model/finding.js";
import { resolveRange, SourceFile, type ResolvedLocation } from "../../src/model/source.js";
import type { ReportInput, ReportedFile } from "../../src/report/types.js";
import type { Roles } from "../../src/rules/context.js";
import { syntaxError } from "../../src/rules/syntax-error.js";

export const CWD = "/work/project";

export const serverText = [
  "*filter",
  ":INPUT ACCEPT [0:0]",
  "# copied from a blog \u001b[31mred\u001b[0m post",
  "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
  "-A INPUT -p udp -m udp --dport 1701 -j ACCEPT",
  "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
  "-A INPUT -p udp -m udp --dport 500 -j ACCEPT",
  "-A INPUT\t-p esp -j ACCEPT",
  "-A INPUT -p udp --dportx 4500 -j ACCEPT",
  "COMMIT",
  "",
].join("\n");

export const gatewayText = ["*nat", "-A PREROUTING -i eth0 -p udp --dport 1701 -j DNAT --to-destination 192.0.2.10", "COMMIT", ""].join("\n");

export const server = new SourceFile("rules/server.rules", serverText);
export const gateway = new SourceFile("gw/nat.rules", gatewayText);

/** The location of `needle` in `line` (1-based) of `source`. */
export function at(source: SourceFile, line: number, needle?: string): ResolvedLocation {
  const lineStart = line === 1 ? 0 : source.text.split("\n").slice(0, line - 1).join("\n").length + 1;
  const text = source.lineText(line);
  const column = needle === undefined ? 0 : text.indexOf(needle);
  if (column < 0) throw new Error(`"${needle}" not on line ${line}`);
  const length = needle === undefined ? text.length : needle.length;
  return resolveRange({ source, start: lineStart + column, end: lineStart + column + length });
}

export const rules: readonly RuleMeta[] = [
  syntaxError,
  {
    id: "VPN002",
    name: "ike-blocked",
    severity: "error",
    description: "IKE (UDP 500) does not reach the VPN endpoint",
    rationale: "Without IKE no IPsec security association can be negotiated.",
    securitySeverity: 5.5,
    precision: "high",
    tags: ["availability"],
  },
  {
    id: "VPN004",
    name: "l2tp-without-ipsec",
    severity: "error",
    description: "UDP 1701 reaches the host without an IPsec policy match",
    rationale: "L2TP has no encryption of its own; accepted outside IPsec, anyone can open a cleartext session.",
    securitySeverity: 8.1,
    precision: "very-high",
    tags: ["security", "ipsec", "l2tp"],
  },
  {
    id: "VPN008",
    name: "esp-with-forced-nat-t",
    severity: "note",
    description: "ESP is accepted although every client comes through NAT-T",
    rationale: "An open protocol nobody uses is attack surface.",
    securitySeverity: 2.0,
    precision: "medium",
    tags: ["security", "hardening"],
  },
  {
    id: "VPN012",
    name: "l2tp-forwarded",
    severity: "warning",
    description: "A gateway forwards cleartext L2TP to the VPN server",
    rationale: "Forwarding UDP 1701 only exposes cleartext L2TP.",
    securitySeverity: 7.0,
    precision: "high",
    tags: ["security", "nat"],
  },
];

const l2tpRule = "-A INPUT -p udp -m udp --dport 1701 -j ACCEPT";

/** Deliberately out of order: every formatter must sort by file, line, column. */
export const serverFindings: Finding[] = [
  {
    ruleId: "VPN008",
    severity: "note",
    message: "ESP is accepted by rule 5 of INPUT although clients use NAT-T",
    location: at(server, 8),
    related: [],
    facts: ["behind NAT: --behind-nat"],
    anchor: { table: "filter", chain: "INPUT", ruleText: "-A INPUT -p esp -j ACCEPT" },
  },
  {
    ruleId: "VPN000",
    severity: "error",
    message: 'unknown option "--dportx"',
    location: at(server, 9, "--dportx"),
    related: [],
    facts: [],
    anchor: {},
  },
  {
    ruleId: "VPN004",
    severity: "error",
    message: "UDP 1701 without IPsec from anywhere on any interface is accepted by rule 2 of INPUT",
    location: at(server, 5),
    related: [{ location: at(server, 2, ":INPUT ACCEPT"), message: "the policy that would otherwise decide" }],
    fix: {
      description: "Accept L2TP only inside IPsec",
      text: "-A INPUT -p udp -m policy --dir in --pol ipsec -m udp --dport 1701 -j ACCEPT",
      replace: at(server, 5),
    },
    facts: ["L2TP endpoint: a rule accepts udp/1701 (line 5)"],
    anchor: { table: "filter", chain: "INPUT", ruleText: l2tpRule },
  },
  {
    ruleId: "VPN002",
    severity: "error",
    message: "IKE (UDP 500) is rejected by rule 3 of INPUT before rule 4 accepts it",
    location: at(server, 7),
    related: [{ location: at(server, 6), message: "rejects everything first" }],
    fix: {
      description: "Move the catch-all REJECT to the end of INPUT, or insert the accept before it",
      text: "-A INPUT -p udp -m udp --dport 500 -j ACCEPT",
      insertBefore: at(server, 6),
    },
    facts: ["IPsec endpoint: a rule accepts udp/500 (line 7)"],
    anchor: { table: "filter", chain: "INPUT", ruleText: "-A INPUT -p udp -m udp --dport 500 -j ACCEPT" },
  },
  {
    ruleId: "VPN004",
    severity: "error",
    message: "Known and accepted: L2TP stays open for the legacy office",
    location: at(server, 4),
    related: [],
    facts: [],
    anchor: { table: "filter", chain: "INPUT", ruleText: "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT" },
    suppression: { kind: "inSource", justification: "legacy office, until 2027", location: at(server, 3) },
  },
];

export const gatewayFindings: Finding[] = [
  {
    ruleId: "VPN012",
    severity: "warning",
    message: "UDP 1701 arriving on eth0 is forwarded to 192.0.2.10 in cleartext",
    location: at(gateway, 2, "-A PREROUTING -i eth0 -p udp --dport 1701 -j DNAT"),
    related: [],
    fix: { description: "Delete this rule: L2TP runs inside IPsec (UDP 4500)", text: "", replace: at(gateway, 2) },
    facts: ["gateway: DNAT of udp/500 and udp/4500"],
    anchor: { table: "nat", chain: "PREROUTING", ruleText: "-A PREROUTING -i eth0 -p udp --dport 1701 -j DNAT --to-destination 192.0.2.10" },
  },
  {
    ruleId: "VPN012",
    severity: "warning",
    message: "The DNAT target part alone",
    location: at(gateway, 2, "DNAT --to-destination 192.0.2.10"),
    related: [],
    fix: { description: "Drop the target", text: "", replace: at(gateway, 2, " -j DNAT --to-destination 192.0.2.10") },
    facts: [],
    anchor: { table: "nat", chain: "PREROUTING", ruleText: "-A PREROUTING -i eth0 -p udp --dport 1701 -j DNAT --to-destination 192.0.2.10" },
  },
];

const gatewayRoles: Roles = {
  ipsecEndpoint: { value: false, source: "inferred", reasons: [] },
  l2tpEndpoint: { value: false, source: "inferred", reasons: [] },
  gateway: { value: true, source: "inferred", reasons: ["DNAT of udp/1701 (line 2)"] },
  behindNat: { value: false, source: "default", reasons: [] },
  externalInterfaces: { value: ["eth0"], source: "option", reasons: ["--external-interface"] },
  vpnFamilies: new Set(["ipv4"]),
};

export const files: ReportedFile[] = [
  { path: server.path, format: "iptables", source: server, findings: serverFindings, facts: ["L2TP endpoint: a rule accepts udp/1701 (line 5)"] },
  {
    path: gateway.path,
    format: "iptables",
    source: gateway,
    findings: gatewayFindings,
    facts: ["gateway: DNAT of udp/1701 (line 2)", "external interfaces: eth0 (--external-interface)"],
    roles: gatewayRoles,
    configPath: "gw/.vpnlint.yaml",
  },
  { path: "clean/rules.v4", format: "iptables", source: new SourceFile("clean/rules.v4", "*filter\nCOMMIT\n"), findings: [] },
];

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    files,
    rules,
    tool: { name: "vpnlint", version: "1.2.3", informationUri: "https://github.com/vpnlint/vpnlint" },
    cwd: CWD,
    color: false,
    ...overrides,
  };
}
