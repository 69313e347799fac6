// Address-like matches: iprange (modelled exactly), addrtype, mac, physdev, realm, ipvs.

import type { Match } from "../../../../model/firewall.js";
import { defineMatch, Invalid, opt, type ValueParser } from "../extension.js";
import { optionRange } from "../mapping.js";
import { addressRange, choice, choiceList, hostMask, markMask, portRange, protocol, str } from "../parsers.js";

const ipRangeModule = defineMatch({
  name: "iprange",
  options: [opt("src-range", addressRange, "!"), opt("dst-range", addressRange, "!")],
  required: [["src-range", "dst-range"]],
  toMatches(ext, rule, out: Match[]) {
    for (const [name, direction] of [["src-range", "src"], ["dst-range", "dst"]] as const) {
      const value = ext.value<readonly [bigint, bigint]>(name);
      if (!value) continue;
      const range = optionRange(ext, rule, name);
      const values = value[0] <= value[1] ? [value] : [];
      const m = { kind: "address" as const, direction, family: rule.ctx.family, values, negated: ext.isInverted(name) };
      out.push(range ? { ...m, range } : m);
    }
  },
});

const ADDRESS_TYPES = [
  "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW",
  "NAT", "XRESOLVE",
];

const addrtypeModule = defineMatch({
  name: "addrtype",
  options: [
    opt("src-type", choiceList(ADDRESS_TYPES, true), "!"),
    opt("dst-type", choiceList(ADDRESS_TYPES, true), "!"),
    opt("limit-iface-in"),
    opt("limit-iface-out"),
  ],
  required: [["src-type", "dst-type"]],
  exclusive: [["limit-iface-in", "limit-iface-out"]],
  check(ext, rule) {
    if (!rule.builtin) return undefined;
    const chain = rule.ctx.chain;
    if (ext.has("limit-iface-in") && (chain === "OUTPUT" || chain === "POSTROUTING")) return `--limit-iface-in cannot be used in ${chain}`;
    if (ext.has("limit-iface-out") && (chain === "PREROUTING" || chain === "INPUT")) return `--limit-iface-out cannot be used in ${chain}`;
    return undefined;
  },
});

const macAddress: ValueParser = (value) =>
  /^([0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}$/.test(value) ? value : new Invalid(`"${value}" is not a MAC address (six hex bytes: 02:00:00:00:00:01)`);

const macModule = defineMatch({
  name: "mac",
  options: [opt("mac-source", macAddress, "!")],
  required: [["mac-source"]],
  hooks: ["PREROUTING", "INPUT", "FORWARD"],
});

const physdevModule = defineMatch({
  name: "physdev",
  options: [
    opt("physdev-in", str(16), "!"),
    opt("physdev-out", str(16), "!"),
    opt("physdev-is-in", undefined, "!"),
    opt("physdev-is-out", undefined, "!"),
    opt("physdev-is-bridged", undefined, "!"),
  ],
  required: [["physdev-in", "physdev-out", "physdev-is-in", "physdev-is-out", "physdev-is-bridged"]],
  check(ext, rule) {
    const out = ext.has("physdev-out") || ext.has("physdev-is-out");
    const bridged = ext.has("physdev-is-bridged") && !ext.isInverted("physdev-is-bridged");
    if (out && !bridged && rule.builtin && rule.ctx.chain === "OUTPUT") {
      return "--physdev-out and --physdev-is-out need --physdev-is-bridged in OUTPUT";
    }
    return undefined;
  },
});

const realmModule = defineMatch({
  name: "realm",
  family: "ipv4",
  options: [opt("realm", markMask, "!")],
  required: [["realm"]],
  hooks: ["INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
});

const ipvsModule = defineMatch({
  name: "ipvs",
  options: [
    opt("ipvs", undefined, "!"),
    opt("vproto", protocol, "!"),
    opt("vaddr", hostMask, "!"),
    opt("vport", portRange, "!"),
    opt("vdir", choice(["ORIGINAL", "REPLY"])),
    opt("vmethod", choice(["GATE", "IPIP", "MASQ"]), "!"),
    opt("vportctl", portRange, "!"),
  ],
});

export const addressMatches = [ipRangeModule, addrtypeModule, macModule, physdevModule, realmModule, ipvsModule];
