// Every match module and target vpnlint knows, looked up by name (and family: libipt_* are IPv4-only, libip6t_* IPv6).

import type { Family } from "../../../model/firewall.js";
import type { ExtensionDef } from "./extension.js";
import { addressMatches } from "./matches/addresses.js";
import { conntrackMatches } from "./matches/conntrack.js";
import { icmpMatches } from "./matches/icmp.js";
import { ipsecMatches } from "./matches/ipsec.js";
import { ipv6Matches } from "./matches/ipv6.js";
import { miscMatches } from "./matches/misc.js";
import { packetMatches } from "./matches/packet.js";
import { portMatches } from "./matches/ports.js";
import { markTargets } from "./targets/mark.js";
import { miscTargets } from "./targets/misc.js";
import { natTargets } from "./targets/nat.js";
import { verdictTargets } from "./targets/verdict.js";

/** Built-in verdicts iptables handles without an extension (`-j ACCEPT`). */
export const STANDARD_TARGETS: ReadonlySet<string> = new Set(["ACCEPT", "DROP", "RETURN", "QUEUE"]);

function byName(defs: readonly ExtensionDef[]): Map<string, ExtensionDef[]> {
  const map = new Map<string, ExtensionDef[]>();
  for (const def of defs) {
    const list = map.get(def.name);
    if (list) list.push(def);
    else map.set(def.name, [def]);
  }
  return map;
}

const matches = byName([...portMatches, ...conntrackMatches, ...ipsecMatches, ...icmpMatches, ...addressMatches, ...packetMatches, ...miscMatches, ...ipv6Matches]);
const targets = byName([...verdictTargets, ...natTargets, ...markTargets, ...miscTargets]);

function find(map: Map<string, ExtensionDef[]>, name: string, family: Family): ExtensionDef | undefined {
  const list = map.get(name);
  if (!list) return undefined;
  for (const def of list) if (def.family === undefined || def.family === family) return def;
  return undefined;
}

export function findMatch(name: string, family: Family): ExtensionDef | undefined {
  return find(matches, name, family);
}

export function findTarget(name: string, family: Family): ExtensionDef | undefined {
  return find(targets, name, family);
}

const owners = new Map<string, string[]>();
for (const [name, defs] of matches) {
  for (const def of defs) {
    for (const option of def.index.keys()) {
      const list = owners.get(option);
      if (!list) owners.set(option, [name]);
      else if (!list.includes(name)) list.push(name);
    }
  }
}

/** Match modules that have an option of this name, for "it belongs to -m X" messages. */
export function optionOwners(option: string): readonly string[] {
  return owners.get(option) ?? [];
}
