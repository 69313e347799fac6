// VPN004 l2tp-without-ipsec: an L2TP endpoint accepts (or may accept) NEW UDP 1701 that did not arrive through IPsec.

import type { Decider } from "../engine/api.js";
import { deciderSubject } from "./context.js";
import { defineRule } from "./define.js";
import { byDecider, describeDecider, isImplicitDefault, namingDecider } from "./support/describe.js";
import { ruleBeforeDecider } from "./support/fixes.js";
import { admittedParts, arrivals, endpointRulesets, unattachedVpnChains, whoOf } from "./support/queries.js";
import { L2TP_CLEAR, classQuery, isAccept, letsThrough, mayMatchClass, mentionsPort } from "./support/traffic.js";

/**
 * For a "maybe", the rule that may accept: the decider itself when it accepts, else the earlier accept rule of the
 * same chain whose opaque match (ipset, recent, ...) makes the outcome uncertain.
 */
function acceptingDecider(decider: Decider): Decider {
  if (decider.kind === "rule" && isAccept(decider.rule)) return decider;
  const before = decider.kind === "rule" ? decider.rule.index : Infinity;
  const chain = decider.chain;
  const uncertain = chain.rules.find(
    (rule) => rule.index < before && !rule.disabled && isAccept(rule) && mayMatchClass(rule, L2TP_CLEAR) && rule.matches.some((match) => match.kind === "opaque"),
  );
  return uncertain ? { kind: "rule", rule: uncertain, chain } : decider;
}

export default defineRule({
  id: "VPN004",
  name: "l2tp-without-ipsec",
  severity: "error",
  description: "UDP 1701 (L2TP) reaches the host without an IPsec policy match",
  rationale:
    "L2TP has no encryption of its own: an L2TP/IPsec server must accept UDP 1701 only after IPsec decapsulated it (`-m policy --dir in --pol ipsec`, Vyatta `ipsec match-ipsec`). Accepting it plainly lets anyone open a cleartext L2TP session and try passwords against PPP, with everything they send readable on the way.",
  securitySeverity: 8.0,
  precision: "high",
  tags: ["vpn", "security", "l2tp"],
  messages: {
    accepted: "{{family}}UDP 1701 without IPsec {{who}} on {{interfaces}} is accepted by {{decider}}",
    maybe: "{{family}}UDP 1701 without IPsec {{who}} on {{interfaces}} may be accepted by {{decider}} (it depends on what the rule's opaque parts match)",
  },
  check(context) {
    const { model, roles } = context;
    if (!roles.l2tpEndpoint.value) return;
    // No firewall at all is VPN010's story when a rule-set exists unattached, and a snippet's when nothing says which
    // interface faces outside (a config excerpt with only the VPN section).
    const skipImplicit = unattachedVpnChains(model).length > 0 || roles.externalInterfaces.value.length === 0;
    for (const ruleset of endpointRulesets(model, roles)) {
      const found = new Map<unknown, { interfaces: string[]; report: () => void }>();
      for (const arrival of arrivals(roles)) {
        const analysis = context.analyze(ruleset, classQuery(L2TP_CLEAR, { hook: "input", state: "new", ...arrival.query }));
        for (const part of byDecider(admittedParts(analysis))) {
          const decider = namingDecider({ ...part, decidedBy: acceptingDecider(part.decidedBy) }, (rule) => letsThrough(rule) && mentionsPort(rule, 1701));
          if (isImplicitDefault(decider) && skipImplicit) continue;
          const key = decider.kind === "rule" ? decider.rule : decider.chain;
          const seen = found.get(key);
          if (seen) {
            seen.interfaces.push(arrival.label);
            continue;
          }
          const interfaces = [arrival.label];
          const implicitRange = isImplicitDefault(decider) ? (model.host.l2tp?.range ?? model.host.ipsec?.range) : undefined;
          found.set(key, {
            interfaces,
            report: () =>
              context.report({
                messageId: part.verdict === "maybe" ? "maybe" : "accepted",
                ...deciderSubject(decider),
                ...(implicitRange ? { range: implicitRange } : {}),
                data: { who: whoOf(analysis, part), interfaces: interfaces.join(", "), decider: describeDecider(decider), family: ruleset.family === "ipv6" ? "IPv6 " : "" },
                fix: ruleBeforeDecider(model, decider, { proto: L2TP_CLEAR.proto, dport: 1701, ipsecIn: false, action: "drop" }, "dropping UDP 1701 that did not come through IPsec"),
                facts: ["l2tpEndpoint", "externalInterfaces"],
              }),
          });
        }
      }
      for (const entry of found.values()) entry.report();
    }
  },
});
