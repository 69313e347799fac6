// Model matches as packet sets. Each match becomes two sets: the packets it surely matches and those it may match
// (they differ only through opaque matches such as ipset contents or rate limits, which may go either way).

import type { Match, Rule } from "../model/firewall.js";
import { numberSpans, type Spans } from "./interval-set.js";
import { PORT_PROTOCOLS, type Box, type BoxField, type PacketSet, type PacketSpace } from "./packet-set.js";

export interface MatchSets {
  /** Packets the match surely matches. */
  readonly sure: PacketSet;
  /** Packets it may match (a superset of `sure`; the same array when nothing is opaque). */
  readonly possible: PacketSet;
}

const TCP: Spans<number> = [[6, 6]];
const ICMP: Spans<number> = [[1, 1]];
const ICMPV6: Spans<number> = [[58, 58]];

/** Which protocols a field exists for (ports only for port protocols, icmp types only for ICMP, flags only for TCP). */
function carrierProtocols(space: PacketSpace, field: BoxField): Spans<number> | undefined {
  switch (field) {
    case "sport":
    case "dport":
      return PORT_PROTOCOLS;
    case "icmpType":
      return space.family === "ipv6" ? ICMPV6 : ICMP;
    case "tcpFlags":
      return TCP;
    default:
      return undefined;
  }
}

function exact(set: PacketSet): MatchSets {
  return { sure: set, possible: set };
}

function fieldSet(space: PacketSpace, field: BoxField, values: Spans<number>, negated: boolean): Box[] {
  const domain = space.domainOf(field);
  const chosen = negated ? numberSpans.subtract(domain, values) : numberSpans.intersect(domain, values);
  if (chosen.length === 0) return [];
  const carrier = carrierProtocols(space, field);
  return [space.box(carrier ? { [field]: chosen, proto: carrier } : { [field]: chosen })];
}

/** The packet sets of one match. */
export function matchSets(space: PacketSpace, match: Match): MatchSets {
  switch (match.kind) {
    case "field":
      return exact(fieldSet(space, match.field, numberSpans.normalize(match.values), match.negated));
    case "interface":
      return exact(fieldSet(space, match.direction, space.interfaces.atomsOf(match.name), match.negated));
    case "address": {
      const domain = space.addressDomain();
      const values = match.values.filter(([lo]) => lo <= domain[0]![1]);
      const set = space.box({}, { [match.direction]: values });
      if (!match.negated) return exact(values.length === 0 ? [] : [set]);
      return exact(values.length === 0 ? [space.universe] : space.complement([set]));
    }
    case "mark": {
      const care = match.mask >>> 0;
      const set = space.box({}, { markValue: (match.value & care) >>> 0, markCare: care });
      if ((match.value & ~care) >>> 0 !== 0) return exact(match.negated ? [space.universe] : []);
      return exact(match.negated ? space.complement([set]) : [set]);
    }
    case "anyOf": {
      let sure: Box[] = [];
      let possible: Box[] = [];
      let opaque = false;
      for (const alternative of match.alternatives) {
        const sets = matchSets(space, alternative);
        if (sets.sure !== sets.possible) opaque = true;
        sure = space.unionSets(sure, sets.sure);
        possible = space.unionSets(possible, sets.possible);
      }
      const union = opaque ? { sure, possible } : exact(sure);
      return match.negated ? negate(space, union) : union;
    }
    case "opaque":
      return { sure: [], possible: [space.universe] };
  }
}

function negate(space: PacketSpace, sets: MatchSets): MatchSets {
  if (sets.sure === sets.possible) return exact(space.complement(sets.sure));
  return { sure: space.complement(sets.possible), possible: space.complement(sets.sure) };
}

/** The packets a rule's matches (a conjunction) surely and possibly select. */
export function ruleSets(space: PacketSpace, rule: Rule): MatchSets {
  let sure: PacketSet = [space.universe];
  let possible: PacketSet = sure;
  for (const match of rule.matches) {
    const sets = matchSets(space, match);
    const shared = sure === possible;
    sure = space.intersectSets(sure, sets.sure);
    possible = shared && sets.sure === sets.possible ? sure : space.intersectSets(possible, sets.possible);
    if (possible.length === 0) return exact([]);
  }
  return sure === possible ? exact(sure) : { sure, possible };
}
