// Test helper: walks a model's filter table for ONE concrete packet, first match wins. A stand-in for the engine
// (src/engine) in the Vyatta front-end tests, so verdicts can be asserted before the engine lands.

import { CtState, IpsecState, type Chain, type Match, type Rule, type Ruleset, type Verdict } from "../../../src/model/firewall.js";

export interface Packet {
  readonly proto: number;
  readonly dport?: number;
  readonly sport?: number;
  readonly in?: string;
  readonly out?: string;
  readonly src?: bigint;
  readonly dst?: bigint;
  readonly ipsecIn?: number;
  readonly ctState?: number;
}

export interface Decision {
  readonly verdict: Verdict | "maybe";
  /** The deciding rule, or undefined for a policy. */
  readonly rule?: Rule;
  readonly chain: string;
}

const PORTS = new Set([6, 17, 33, 132, 136]);

function field(packet: Packet, name: string): number | undefined {
  switch (name) {
    case "proto":
      return packet.proto;
    case "dport":
    case "sport":
      return PORTS.has(packet.proto) ? packet[name] : undefined;
    case "ctState":
      return packet.ctState ?? CtState.NEW;
    case "ipsecIn":
      return packet.ipsecIn ?? IpsecState.NONE;
    case "ipsecOut":
      return IpsecState.NONE;
    case "fragment":
      return 0;
    default:
      return undefined;
  }
}

function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith("+") ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** true, false, or undefined for "may match" (opaque). */
function matches(match: Match, packet: Packet): boolean | undefined {
  let result: boolean | undefined;
  switch (match.kind) {
    case "field": {
      const value = field(packet, match.field);
      if (value === undefined) return false;
      result = match.values.some(([lo, hi]) => value >= lo && value <= hi);
      break;
    }
    case "interface":
      result = ifaceMatches(match.name, match.direction === "in" ? packet.in : packet.out);
      break;
    case "address": {
      const value = match.direction === "src" ? packet.src : packet.dst;
      result = value !== undefined && match.values.some(([lo, hi]) => value >= lo && value <= hi);
      break;
    }
    case "anyOf": {
      const parts = match.alternatives.map((a) => matches(a, packet));
      result = parts.some((p) => p === true) ? true : parts.some((p) => p === undefined) ? undefined : false;
      break;
    }
    case "mark":
      result = false;
      break;
    case "opaque":
      return undefined;
  }
  return result === undefined ? undefined : result !== match.negated;
}

function walk(ruleset: Ruleset, chain: Chain, packet: Packet, depth: number): Decision | "return" {
  for (const rule of chain.rules) {
    if (rule.disabled) continue;
    let all: boolean | undefined = true;
    for (const m of rule.matches) {
      const r = matches(m, packet);
      if (r === false) {
        all = false;
        break;
      }
      if (r === undefined) all = undefined;
    }
    if (all === false) continue;
    if (all === undefined) return { verdict: "maybe", rule, chain: chain.name };
    const target = rule.target;
    if (target.kind === "verdict") return { verdict: target.verdict, rule, chain: chain.name };
    if (target.kind === "return") return "return";
    if (target.kind === "jump" || target.kind === "goto") {
      const next = ruleset.tables.get("filter")!.chains.get(target.chain);
      if (!next || depth > 32) return { verdict: "maybe", rule, chain: chain.name };
      const result = walk(ruleset, next, packet, depth + 1);
      if (result !== "return") return result;
      if (target.kind === "goto") return "return";
      continue;
    }
    if (target.kind === "opaque") return { verdict: "maybe", rule, chain: chain.name };
  }
  if (chain.policy) return { verdict: chain.policy.verdict, chain: chain.name };
  return "return";
}

/** The filter verdict for `packet` at a hook of `ruleset`. */
export function decide(ruleset: Ruleset, hook: "INPUT" | "FORWARD" | "OUTPUT", packet: Packet): Decision {
  const chain = ruleset.tables.get("filter")!.chains.get(hook)!;
  const result = walk(ruleset, chain, packet, 0);
  return result === "return" ? { verdict: chain.policy?.verdict ?? "accept", chain: hook } : result;
}

export const UDP = 17;
export const TCP = 6;
export const ESP = 50;
