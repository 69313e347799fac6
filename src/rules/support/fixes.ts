// Fix suggestions in the input's own syntax: iptables rules (with the script's command prefix) or Vyatta `set` commands.

import type { Decider } from "../../engine/api.js";
import type { Chain, FirewallModel, Rule } from "../../model/firewall.js";
import { resolveRange, type SourceRange } from "../../model/source.js";
import type { FixReport } from "../context.js";
import { PROTO_AH, PROTO_ESP, PROTO_GRE, PROTO_TCP, PROTO_UDP } from "./traffic.js";

/** What a suggested rule matches, beyond its chain. */
export interface RuleSpec {
  readonly proto?: number;
  readonly dport?: number;
  readonly inInterface?: string;
  readonly destination?: string;
  /** Match packets that arrived IPsec-protected (true) or not (false). */
  readonly ipsecIn?: boolean;
  readonly action: "accept" | "drop";
}

const PROTO_NAMES: Readonly<Record<number, string>> = { [PROTO_TCP]: "tcp", [PROTO_UDP]: "udp", [PROTO_GRE]: "gre", [PROTO_ESP]: "esp", [PROTO_AH]: "ah" };

function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

/** `-A INPUT -i eth0 -p udp -m policy --dir in --pol ipsec -m udp --dport 1701 -j ACCEPT` (iptables-save's own order). */
export function iptablesRule(chain: string, spec: RuleSpec): string {
  const parts = [`-A ${chain}`];
  if (spec.destination) parts.push(`-d ${spec.destination}`);
  if (spec.inInterface) parts.push(`-i ${spec.inInterface}`);
  const proto = spec.proto !== undefined ? protoName(spec.proto) : undefined;
  if (proto) parts.push(`-p ${proto}`);
  if (spec.ipsecIn !== undefined) parts.push(`-m policy --dir in --pol ${spec.ipsecIn ? "ipsec" : "none"}`);
  if (spec.dport !== undefined) parts.push(`-m ${proto} --dport ${spec.dport}`);
  parts.push(`-j ${spec.action === "accept" ? "ACCEPT" : "DROP"}`);
  return parts.join(" ");
}

/** The command before `-A` on a script line (`iptables `, `$IPT -t filter `), so a fix reads like its neighbours. */
export function commandPrefix(rule: Rule | undefined): string {
  if (!rule || rule.synthesized) return "";
  const raw = rule.range.source.text.slice(rule.range.start, Math.min(rule.range.end, rule.range.start + 400));
  const at = raw.search(/(?:^|\s)-[AI]\s/);
  if (at <= 0) return "";
  return raw.slice(0, at + 1).replace(/\s-t\s+\S+/, "").replace(/\s+$/, " ");
}

function vyattaRuleNumber(rule: Rule): number | undefined {
  const found = / rule (\d+)/.exec(rule.text);
  return found ? Number(found[1]) : undefined;
}

/** A free rule number that sorts before `before` (or after the last rule when `before` is absent). */
function freeRuleNumber(chain: Chain, before: Rule | undefined): number {
  const numbers = chain.rules.map(vyattaRuleNumber).filter((n): n is number => n !== undefined);
  const used = new Set(numbers);
  if (!before) return numbers.length === 0 ? 10 : Math.max(...numbers) + 10;
  const upper = vyattaRuleNumber(before) ?? 10;
  const lower = Math.max(0, ...numbers.filter((n) => n < upper));
  const middle = Math.floor((lower + upper) / 2);
  if (middle > lower && !used.has(middle)) return middle;
  for (let n = upper - 1; n > 0; n--) if (!used.has(n)) return n;
  return upper;
}

/** `set firewall name WAN_LOCAL rule 25 ...` commands for one rule. */
export function vyattaCommands(model: FirewallModel, label: string, number: number, spec: RuleSpec): string {
  const base = `set ${label} rule ${number}`;
  const lines = [`${base} action '${spec.action}'`];
  if (spec.proto !== undefined) lines.push(`${base} protocol '${protoName(spec.proto)}'`);
  // Only base-chain rule-sets (VyOS 1.4+) filter by interface inside the rule; older ones are attached per interface.
  if (spec.inInterface && /^firewall ipv[46] (input|forward)/.test(label)) {
    const keyword = /1\.4/.test(model.host.generation ?? "") ? "interface-name" : "name";
    lines.push(`${base} inbound-interface ${keyword} '${spec.inInterface}'`);
  }
  if (spec.dport !== undefined) lines.push(`${base} destination port '${spec.dport}'`);
  if (spec.destination) lines.push(`${base} destination address '${spec.destination}'`);
  if (spec.ipsecIn !== undefined) {
    const modern = /1\.5|1\.[6-9]|rolling/.test(model.host.generation ?? "");
    const keyword = spec.ipsecIn ? (modern ? "match-ipsec-in" : "match-ipsec") : modern ? "match-none-in" : "match-none";
    lines.push(`${base} ipsec ${keyword}`);
  }
  return lines.join("\n");
}

/**
 * A rule that gets `spec` packets decided before `decider` does: inserted right before the deciding rule, or appended
 * to the chain whose policy decides. `chain` is the chain of the decider.
 */
export function ruleBeforeDecider(model: FirewallModel, decider: Decider, spec: RuleSpec, what: string): FixReport {
  const chain = decider.chain;
  const deciding = decider.kind === "rule" ? decider.rule : undefined;
  if (model.format === "vyatta") {
    const label = chain.origin?.label ?? "firewall name WAN_LOCAL";
    const number = freeRuleNumber(chain, deciding && !deciding.synthesized ? deciding : undefined);
    const where = chain.origin ? `to ${chain.origin.label}` : "to the local firewall of the external interface (create it if there is none)";
    return { description: `Add a rule ${what} ${where}`, text: vyattaCommands(model, label, number, spec) };
  }
  const text = commandPrefix(deciding ?? chain.rules[chain.rules.length - 1]) + iptablesRule(chain.name, spec);
  if (deciding && !deciding.synthesized) {
    return { description: `Insert a rule ${what} before ${describeLine(deciding.range)}`, text, insertBefore: deciding.range };
  }
  return { description: `Append a rule ${what} to the ${chain.table} table's ${chain.name} chain`, text };
}

function describeLine(range: SourceRange): string {
  return `line ${resolveRange(range).startLine}`;
}

/** Removing a rule: delete its line (iptables) or `delete <path>` (Vyatta). */
export function deleteRule(model: FirewallModel, rule: Rule, why: string): FixReport {
  if (model.format === "vyatta" && !rule.text.startsWith("-")) return { description: `Delete the rule: ${why}`, text: `delete ${rule.text}` };
  return { description: `Delete this rule: ${why}`, text: "", replace: rule.range };
}
