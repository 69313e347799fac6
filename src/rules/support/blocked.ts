// Shared by VPN001-VPN003: an endpoint that accepts no NEW packet of a VPN class from any external interface.

import type { Decider, OutcomePart } from "../../engine/api.js";
import { deciderSubject, type RelatedReport, type RuleContext } from "../context.js";
import { broadestPart, describeDecider, describeRule } from "./describe.js";
import { ruleBeforeDecider } from "./fixes.js";
import { admittedParts, arrivals, blockedParts, endpointRulesets } from "./queries.js";
import { classQuery, isAccept, namesClass, notableRules, type TrafficClass } from "./traffic.js";

/**
 * Reports, per ruleset, the rule or policy that blocks `traffic` when no external interface admits any NEW packet of
 * it. Accept rules for the class that never see it are related locations (VPN008 reports them on their own).
 */
export function reportBlocked(context: RuleContext<"blocked">, traffic: TrafficClass): void {
  const { model, roles } = context;
  if (!roles.ipsecEndpoint.value) return;
  for (const ruleset of endpointRulesets(model, roles)) {
    const blockers = new Map<unknown, { decider: Decider; interfaces: string[]; part: OutcomePart }>();
    let admitted = false;
    let answered = false;
    for (const arrival of arrivals(roles)) {
      const analysis = context.analyze(ruleset, classQuery(traffic, { hook: "input", state: "new", ...arrival.query }));
      if (analysis.parts.length === 0) continue;
      answered = true;
      if (admittedParts(analysis).length > 0) {
        admitted = true;
        break;
      }
      const part = broadestPart(blockedParts(analysis));
      if (!part) continue;
      const key = part.decidedBy.kind === "rule" ? part.decidedBy.rule : part.decidedBy.chain;
      const entry = blockers.get(key);
      if (entry) entry.interfaces.push(arrival.label);
      else blockers.set(key, { decider: part.decidedBy, interfaces: [arrival.label], part });
    }
    if (admitted || !answered) continue;
    const unreached: RelatedReport[] = [];
    for (const pick of notableRules(ruleset)) {
      if (pick.table !== "filter" || pick.targetKind !== "verdict") continue;
      const { rule, chain } = pick;
      if (isAccept(rule) && !rule.synthesized && namesClass(rule, traffic)) {
        unreached.push({ rule, chain, message: `${describeRule(rule)} would accept it, but the packets never get there` });
      }
    }
    for (const { decider, interfaces, part } of blockers.values()) {
      const verb = part.verdict === "reject" ? "rejected" : "dropped";
      context.report({
        messageId: "blocked",
        ...deciderSubject(decider),
        data: { traffic: traffic.label, interfaces: interfaces.join(", "), verb, decider: describeDecider(decider), family: ruleset.family === "ipv6" ? "IPv6 " : "" },
        related: unreached.slice(0, 5),
        fix: ruleBeforeDecider(model, decider, { proto: traffic.proto, ...(traffic.dport !== undefined ? { dport: traffic.dport } : {}), ...singleInterface(interfaces), action: "accept" }, `accepting ${traffic.label}`),
        facts: ["ipsecEndpoint", "externalInterfaces"],
      });
    }
  }
}

function singleInterface(interfaces: readonly string[]): { inInterface?: string } {
  return interfaces.length === 1 && !interfaces[0]!.includes(" ") ? { inInterface: interfaces[0]! } : {};
}
