// VPN008 vpn-rule-shadowed: a rule written to accept IKE, NAT-T, ESP or IPsec-protected L2TP never gets any of them.

import type { Analysis, OutcomePart, PacketQuery } from "../engine/api.js";
import type { Chain, Rule } from "../model/firewall.js";
import { deciderSubject } from "./context.js";
import { defineRule } from "./define.js";
import { broadestPart, describeDecider, describeRule } from "./support/describe.js";
import { commandPrefix } from "./support/fixes.js";
import { arrivals } from "./support/queries.js";
import { ESP, IKE, L2TP_IPSEC, NAT_T, classQuery, isAccept, namesClass, onlyVpnPorts, notableRules, reachingHooks, type TrafficClass } from "./support/traffic.js";

const CLASSES: readonly TrafficClass[] = [IKE, NAT_T, ESP, L2TP_IPSEC];

interface Candidate {
  readonly rule: Rule;
  readonly chain: Chain;
  readonly classes: TrafficClass[];
  readonly hooks: ("input" | "forward")[];
}

/** Every rule the packets of an analysis met: the deciders and each step of their paths. */
function reachedRules(analyses: readonly Analysis[]): Set<Rule> {
  const reached = new Set<Rule>();
  for (const analysis of analyses) {
    for (const part of analysis.parts) {
      if (part.decidedBy.kind === "rule") reached.add(part.decidedBy.rule);
      for (const step of part.path) if (step.rule) reached.add(step.rule);
    }
  }
  return reached;
}

/** The candidate's own simple conditions (one conntrack state, one exact input interface), to narrow the question. */
function narrowing(rule: Rule): Partial<PacketQuery> {
  const narrowed: { state?: PacketQuery["state"]; in?: string } = {};
  for (const match of rule.matches) {
    if (match.negated) continue;
    if (match.kind === "field" && match.field === "ctState" && match.values.length === 1 && match.values[0]![0] === match.values[0]![1]) {
      narrowed.state = STATE_NAMES[match.values[0]![0]];
    } else if (match.kind === "interface" && match.direction === "in" && !match.name.endsWith("+")) {
      narrowed.in = match.name;
    }
  }
  return narrowed;
}

const STATE_NAMES: readonly PacketQuery["state"][] = ["invalid", "new", "established", "related", "untracked"];

/** The part most likely to be what the candidate was meant for: decided earlier in its own chain, else the broadest. */
function decidingPart(candidate: Candidate, parts: readonly OutcomePart[]): OutcomePart | undefined {
  const sameChain = parts.find((part) => part.decidedBy.kind === "rule" && part.decidedBy.chain === candidate.chain && part.decidedBy.rule.index < candidate.rule.index);
  return sameChain ?? broadestPart(parts);
}

export default defineRule({
  id: "VPN008",
  name: "vpn-rule-shadowed",
  severity: "warning",
  description: "A rule meant to accept VPN traffic never sees any, because earlier rules decide all of it",
  rationale:
    "Rules are walked in order and the first terminal match wins. A catch-all DROP or REJECT placed before the IKE accepts (RHEL's `-A INPUT -j REJECT` followed by rules appended with `iptables -A`), or a broader rule that already decides the same packets, leaves the VPN rule dead: either the VPN is blocked, or the rule is misleading clutter that the next edit will get wrong.",
  securitySeverity: 4.0,
  precision: "high",
  tags: ["vpn", "correctness", "shadowing"],
  messages: {
    shadowed: "{{rule}} never gets {{traffic}}: every such packet is decided earlier by {{decider}} ({{verdict}})",
  },
  check(context) {
    const { model } = context;
    for (const ruleset of model.rulesets) {
      const hooksOf = reachingHooks(ruleset);
      const candidates: Candidate[] = [];
      for (const pick of notableRules(ruleset)) {
        if (pick.table !== "filter" || pick.targetKind !== "verdict") continue;
        const { rule, chain } = pick;
        if (!isAccept(rule) || rule.synthesized) continue;
        const reached = hooksOf.get(chain);
        if (!reached) continue;
        const hooks: ("input" | "forward")[] = [];
        if (reached.has("INPUT")) hooks.push("input");
        if (reached.has("FORWARD")) hooks.push("forward");
        if (hooks.length === 0) continue;
        if (!onlyVpnPorts(rule)) continue;
        const classes = CLASSES.filter((traffic) => namesClass(rule, traffic));
        if (classes.length > 0) candidates.push({ rule, chain, classes, hooks });
      }
      if (candidates.length === 0) continue;
      const analysisOf = (traffic: TrafficClass, hook: "input" | "forward"): Analysis => context.analyze(ruleset, classQuery(traffic, { hook }));
      // The NEW packets from outside that VPN001-VPN004 asked about usually reach the rule already: no new question.
      const fromOutside = (traffic: TrafficClass): Analysis[] => arrivals(context.roles).map((arrival) => context.analyze(ruleset, classQuery(traffic, { hook: "input", state: "new", ...arrival.query })));
      for (const candidate of candidates) {
        if (candidate.hooks.includes("input") && reachedRules(candidate.classes.flatMap(fromOutside)).has(candidate.rule)) continue;
        const analyses = candidate.classes.flatMap((traffic) => candidate.hooks.map((hook) => analysisOf(traffic, hook)));
        if (analyses.some((analysis) => analysis.parts.length === 0)) continue;
        if (reachedRules(analyses).has(candidate.rule)) continue;
        const narrowed = narrowing(candidate.rule);
        const focused = candidate.classes.flatMap((traffic) => candidate.hooks.map((hook) => context.analyze(ruleset, classQuery(traffic, { hook, ...narrowed }))));
        const part = decidingPart(candidate, focused.flatMap((analysis) => analysis.parts));
        if (!part) continue;
        const decider = part.decidedBy;
        context.report({
          messageId: "shadowed",
          rule: candidate.rule,
          chain: candidate.chain,
          data: {
            rule: describeRule(candidate.rule),
            traffic: candidate.classes.map((traffic) => traffic.label).join(" or "),
            decider: describeDecider(decider),
            verdict: part.verdict === "maybe" ? "maybe" : part.verdict,
          },
          related: [{ ...deciderSubject(decider), message: `${describeDecider(decider)} decides these packets first` }],
          ...(decider.kind === "rule" && decider.chain === candidate.chain && model.format === "iptables" && !decider.rule.synthesized
            ? { fix: { description: "Move this rule above the rule that decides first (or narrow that rule)", text: commandPrefix(candidate.rule) + candidate.rule.text, insertBefore: decider.rule.range } }
            : {}),
          facts: [],
        });
      }
    }
  },
});
