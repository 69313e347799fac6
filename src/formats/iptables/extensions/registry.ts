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

/** Name -> definition for one family. */
function byName(defs: readonly ExtensionDef[], family: Family): Map<string, ExtensionDef> {
  const map = new Map<string, ExtensionDef>();
  for (const def of defs) if (def.family === undefined || def.family === family) map.set(def.name, def);
  return map;
}

const allMatches = [...portMatches, ...conntrackMatches, ...ipsecMatches, ...icmpMatches, ...addressMatches, ...packetMatches, ...miscMatches, ...ipv6Matches];
const allTargets = [...verdictTargets, ...natTargets, ...markTargets, ...miscTargets];
const matches = { ipv4: byName(allMatches, "ipv4"), ipv6: byName(allMatches, "ipv6") };
const targets = { ipv4: byName(allTargets, "ipv4"), ipv6: byName(allTargets, "ipv6") };

export function findMatch(name: string, family: Family): ExtensionDef | undefined {
  return matches[family].get(name);
}

export function findTarget(name: string, family: Family): ExtensionDef | undefined {
  return targets[family].get(name);
}

const owners = new Map<string, string[]>();
for (const def of allMatches) {
  for (const option of def.index.keys()) {
    const list = owners.get(option);
    if (!list) owners.set(option, [def.name]);
    else if (!list.includes(def.name)) list.push(def.name);
  }
}

/** Match modules that have an option of this name, for "it belongs to -m X" messages. */
export function optionOwners(option: string): readonly string[] {
  return owners.get(option) ?? [];
}
