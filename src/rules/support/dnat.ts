// Shared by the gateway checks (VPN005-VPN007): which parts of a VPN class arriving from outside are destination-NATed.

import type { Analysis, OutcomePart } from "../../engine/api.js";
import type { Rule, Ruleset } from "../../model/firewall.js";
import type { RuleContext } from "../context.js";
import { arrivals } from "./queries.js";
import { classQuery, type TrafficClass } from "./traffic.js";

export interface DnatHit {
  readonly ruleset: Ruleset;
  readonly rule: Rule;
  readonly to: string;
  readonly interfaces: string[];
  /** The first part rewritten by this rule, and all of them (across interfaces). */
  readonly part: OutcomePart;
  readonly parts: OutcomePart[];
  readonly analysis: Analysis;
}

/** One entry per DNAT rule that rewrites NEW packets of `traffic` arriving on an external interface. */
export function dnatHits(context: RuleContext<string>, traffic: TrafficClass): DnatHit[] {
  const hits = new Map<Rule, DnatHit>();
  for (const ruleset of context.model.rulesets) {
    for (const arrival of arrivals(context.roles)) {
      const analysis = context.analyze(ruleset, classQuery(traffic, { hook: "input", state: "new", ...arrival.query }));
      for (const part of analysis.parts) {
        if (!part.dnat) continue;
        const hit = hits.get(part.dnat.rule);
        if (hit) {
          hit.parts.push(part);
          if (!hit.interfaces.includes(arrival.label)) hit.interfaces.push(arrival.label);
          continue;
        }
        hits.set(part.dnat.rule, { ruleset, rule: part.dnat.rule, to: part.dnat.to, interfaces: [arrival.label], part, parts: [part], analysis });
      }
    }
  }
  return [...hits.values()];
}

/** The address part of a DNAT destination (`192.0.2.10:500` -> `192.0.2.10`, `[2001:db8::1]:500` -> `2001:db8::1`). */
export function dnatAddress(to: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(to);
  if (bracketed) return bracketed[1]!;
  const colons = to.split(":").length - 1;
  return colons === 1 ? to.split(":")[0]!.split("-")[0]! : to.split("-")[0]!;
}
