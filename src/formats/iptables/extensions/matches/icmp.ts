// ICMP type matches: icmp (IPv4, `--icmp-type`) and icmp6 (IPv6, `--icmpv6-type`), as icmpType = type*256 + code.

import type { Interval } from "../../../../model/firewall.js";
import { defineMatch, Invalid, opt, type ValueParser } from "../extension.js";
import { fieldMatch } from "../mapping.js";
import { ICMP6_TYPES, ICMP_TYPES, type IcmpName } from "../tables.js";
import { parseUnsigned } from "../values.js";

/** The parsed type: the icmpType interval, or undefined for `any`. */
type IcmpValue = Interval | "any";

function icmpType(names: readonly IcmpName[], withAny: boolean): ValueParser {
  return (value) => {
    let found: IcmpName | undefined;
    const lower = value.toLowerCase();
    for (const entry of names) {
      if (!entry.name.toLowerCase().startsWith(lower)) continue;
      if (found && found.type === entry.type && found.codeMin === entry.codeMin) continue;
      if (found) return new Invalid(`ambiguous ICMP type "${value}": ${found.name} or ${entry.name}?`);
      found = entry;
    }
    if (found && value.length > 0) {
      if (withAny && found.type === 0xff) return "any";
      return [found.type * 256 + found.codeMin, found.type * 256 + found.codeMax];
    }
    const slash = value.indexOf("/");
    const type = parseUnsigned(slash === -1 ? value : value.slice(0, slash), 255);
    if (type === undefined) return new Invalid(`unknown ICMP type "${value}" (a name such as echo-request, or type[/code])`);
    if (withAny && type === 255) return "any";
    if (slash === -1) return [type * 256, type * 256 + 255];
    const codes = value.slice(slash + 1);
    const colon = codes.indexOf(":");
    const lo = parseUnsigned(colon === -1 ? codes : codes.slice(0, colon), 255);
    const hi = colon === -1 ? lo : parseUnsigned(codes.slice(colon + 1), 255);
    if (lo === undefined || hi === undefined || lo > hi) return new Invalid(`invalid ICMP code in "${value}"`);
    return [type * 256 + lo, type * 256 + hi];
  };
}

const icmpModule = defineMatch({
  name: "icmp",
  family: "ipv4",
  protos: [1],
  options: [opt("icmp-type", icmpType(ICMP_TYPES, true), "!")],
  toMatches(ext, rule, out) {
    const value = ext.value<IcmpValue>("icmp-type");
    if (value === undefined) return;
    out.push(fieldMatch(ext, rule, "icmp-type", "icmpType", value === "any" ? [[0, 65535]] : [value]));
  },
});

const icmp6Module = defineMatch({
  name: "icmp6",
  family: "ipv6",
  protos: [58],
  options: [opt("icmpv6-type", icmpType(ICMP6_TYPES, false), "!")],
  required: [["icmpv6-type"]],
  toMatches(ext, rule, out) {
    const value = ext.value<IcmpValue>("icmpv6-type");
    if (value === undefined || value === "any") return;
    out.push(fieldMatch(ext, rule, "icmpv6-type", "icmpType", [value]));
  },
});

export const icmpMatches = [icmpModule, icmp6Module];
