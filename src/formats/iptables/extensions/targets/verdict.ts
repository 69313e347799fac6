// REJECT: a verdict with an ICMP or TCP-reset answer; only in the filter table's INPUT, FORWARD and OUTPUT.

import { defineTarget, Invalid, opt, protoIs, type ValueParser } from "../extension.js";

/** iptables matches `--reject-with` as a case-insensitive prefix of a name or its alias, first entry first. */
function rejectType(table: readonly (readonly [string, string])[]): ValueParser {
  return (value) => {
    const lower = value.toLowerCase();
    const found = table.find(([name, alias]) => name.startsWith(lower) || alias.startsWith(lower));
    return found ? found[0] : new Invalid(`unknown reject type "${value}" (${table.map(([n]) => n).join(", ")})`);
  };
}

const REJECT4: readonly (readonly [string, string])[] = [
  ["icmp-net-unreachable", "net-unreach"], ["icmp-host-unreachable", "host-unreach"],
  ["icmp-proto-unreachable", "proto-unreach"], ["icmp-port-unreachable", "port-unreach"],
  ["icmp-net-prohibited", "net-prohib"], ["icmp-host-prohibited", "host-prohib"], ["tcp-reset", "tcp-rst"],
  ["icmp-admin-prohibited", "admin-prohib"],
];

const REJECT6: readonly (readonly [string, string])[] = [
  ["icmp6-no-route", "no-route"], ["icmp6-adm-prohibited", "adm-prohibited"],
  ["icmp6-addr-unreachable", "addr-unreach"], ["icmp6-port-unreachable", "port-unreach"],
  ["icmp6-policy-fail", "policy-fail"], ["icmp6-reject-route", "reject-route"], ["tcp-reset", "tcp-rst"],
];

function reject(family: "ipv4" | "ipv6", table: readonly (readonly [string, string])[]) {
  return defineTarget({
    name: "REJECT",
    family,
    tables: ["filter"],
    hooks: ["INPUT", "FORWARD", "OUTPUT"],
    options: [opt("reject-with", rejectType(table))],
    check(ext, rule) {
      return ext.value<string>("reject-with") === "tcp-reset" && !protoIs(rule, [6]) ? "--reject-with tcp-reset needs -p tcp" : undefined;
    },
    toTarget: (_ext, _rule, range) => ({ kind: "verdict", verdict: "reject", range }),
  });
}

export const verdictTargets = [reject("ipv4", REJECT4), reject("ipv6", REJECT6)];
