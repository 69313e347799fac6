// Port matches: tcp, udp, sctp, dccp (iptables-extensions(8)) and multiport.

import type { Interval, Match } from "../../../../model/firewall.js";
import { defineMatch, Invalid, opt, type ExtensionState, type RuleState, type ValueParser } from "../extension.js";
import { fieldMatch, oneInterval, opaqueIfAny } from "../mapping.js";
import { choiceList, portRangeFor, uint } from "../parsers.js";
import { PORT_PROTOCOLS, SERVICE_ANY, SERVICE_SCTP, SERVICE_TCP, serviceProtocol } from "../tables.js";
import { parsePort, normalizeIntervals } from "../values.js";

const TCP_FLAGS: ReadonlyMap<string, number> = new Map([
  ["fin", 1], ["syn", 2], ["rst", 4], ["psh", 8], ["ack", 16], ["urg", 32], ["all", 63], ["none", 0],
]);

function flagList(text: string): number | undefined {
  let bits = 0;
  for (const name of text.split(",")) {
    const bit = TCP_FLAGS.get(name.toLowerCase());
    if (bit === undefined) return undefined;
    bits |= bit;
  }
  return bits;
}

/** `--tcp-flags MASK COMP`: the value is [mask, comp]. */
const tcpFlags: ValueParser = (mask, _ext, _rule, comp) => {
  const m = flagList(mask);
  if (m === undefined) return new Invalid(`unknown TCP flag in "${mask}" (FIN, SYN, RST, PSH, ACK, URG, ALL, NONE)`);
  const c = flagList(comp ?? "");
  if (c === undefined) return new Invalid(`unknown TCP flag in "${comp}" (FIN, SYN, RST, PSH, ACK, URG, ALL, NONE)`);
  return [m, c] as const;
};

/** The flag bytes with (flags & mask) == comp, as intervals. */
export function tcpFlagIntervals(mask: number, comp: number): Interval[] {
  const out: Interval[] = [];
  for (let v = 0; v < 256; v++) {
    if ((v & mask) !== comp) continue;
    const last = out[out.length - 1];
    if (last && last[1] === v - 1) out[out.length - 1] = [last[0], v];
    else out.push([v, v]);
  }
  return out;
}

function portFields(ext: ExtensionState, rule: RuleState, out: Match[]): void {
  const sport = ext.value<Interval>("sport");
  if (sport) out.push(fieldMatch(ext, rule, "sport", "sport", oneInterval(sport)));
  const dport = ext.value<Interval>("dport");
  if (dport) out.push(fieldMatch(ext, rule, "dport", "dport", oneInterval(dport)));
}

const tcpPort = portRangeFor(SERVICE_TCP);
// libxt_tcp and libxt_sctp look names up for their protocol; udp and dccp use getaddrinfo, which takes any protocol's.
const udpPort = portRangeFor(SERVICE_ANY);

const tcpMatch = defineMatch({
  name: "tcp",
  protos: [6],
  options: [
    opt("sport|source-port", tcpPort, "!"),
    opt("dport|destination-port", tcpPort, "!"),
    opt("syn", undefined, "!"),
    opt("tcp-flags", tcpFlags, "!2"),
    opt("tcp-option", uint(255, 1), "!"),
  ],
  exclusive: [["syn", "tcp-flags"]],
  toMatches(ext, rule, out) {
    portFields(ext, rule, out);
    if (ext.has("syn")) out.push(fieldMatch(ext, rule, "syn", "tcpFlags", tcpFlagIntervals(0x17, 0x02)));
    const flags = ext.value<readonly [number, number]>("tcp-flags");
    if (flags) out.push(fieldMatch(ext, rule, "tcp-flags", "tcpFlags", tcpFlagIntervals(flags[0], flags[1])));
    opaqueIfAny(ext, rule, ["tcp-option"], out);
  },
});

const udpMatch = defineMatch({
  name: "udp",
  protos: [17],
  options: [opt("sport|source-port", udpPort, "!"), opt("dport|destination-port", udpPort, "!")],
  toMatches: portFields,
});

const SCTP_CHUNKS = [
  "DATA", "INIT", "INIT_ACK", "SACK", "HEARTBEAT", "HEARTBEAT_ACK", "ABORT", "SHUTDOWN", "SHUTDOWN_ACK", "ERROR",
  "COOKIE_ECHO", "COOKIE_ACK", "ECN_ECNE", "ECN_CWR", "SHUTDOWN_COMPLETE", "I_DATA", "RE_CONFIG", "PAD", "ASCONF",
  "ASCONF_ACK", "FORWARD_TSN", "I_FORWARD_TSN",
];

/** `--chunk-types all|any|only CHUNK[:FLAGS],...`. */
const sctpChunks: ValueParser = (scope, _ext, _rule, chunks) => {
  if (!["all", "any", "only"].includes(scope.toLowerCase())) return new Invalid(`"${scope}" must be all, any or only`);
  for (const chunk of (chunks ?? "").split(",")) {
    const colon = chunk.indexOf(":");
    const name = (colon === -1 ? chunk : chunk.slice(0, colon)).toUpperCase();
    if (name !== "ALL" && name !== "NONE" && !SCTP_CHUNKS.includes(name)) return new Invalid(`unknown SCTP chunk type "${chunk}"`);
    if (colon !== -1 && !/^[A-Za-z]{1,8}$/.test(chunk.slice(colon + 1))) return new Invalid(`invalid chunk flags in "${chunk}"`);
  }
  return true;
};

const sctpMatch = defineMatch({
  name: "sctp",
  protos: [132],
  options: [
    opt("sport|source-port", portRangeFor(SERVICE_SCTP), "!"),
    opt("dport|destination-port", portRangeFor(SERVICE_SCTP), "!"),
    opt("chunk-types", sctpChunks, "!2"),
  ],
  toMatches(ext, rule, out) {
    portFields(ext, rule, out);
    opaqueIfAny(ext, rule, ["chunk-types"], out);
  },
});

const DCCP_TYPES = ["REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC", "SYNCACK", "INVALID"];

const dccpMatch = defineMatch({
  name: "dccp",
  protos: [33],
  options: [
    opt("sport|source-port", udpPort, "!"),
    opt("dport|destination-port", udpPort, "!"),
    opt("dccp-types", choiceList(DCCP_TYPES, true), "!"),
    opt("dccp-option", uint(255), "!"),
  ],
  toMatches(ext, rule, out) {
    portFields(ext, rule, out);
    opaqueIfAny(ext, rule, ["dccp-types", "dccp-option"], out);
  },
});

const MULTIPORT_MAX = 15;

/** multiport's list: up to 15 ports, a range `a:b` (a < b) counting as two. */
const portList: ValueParser = (value, _ext, rule) => {
  const protocols = serviceProtocol(rule.proto);
  const out: Interval[] = [];
  let slots = 0;
  for (const part of value.split(",")) {
    const colon = part.indexOf(":");
    if (colon === -1) {
      const p = parsePort(part, protocols);
      if (p === undefined) return new Invalid(`invalid port or service "${part}"`);
      out.push([p, p]);
      slots += 1;
    } else {
      const lo = parsePort(part.slice(0, colon), protocols);
      const hi = parsePort(part.slice(colon + 1), protocols);
      if (lo === undefined || hi === undefined || lo >= hi) return new Invalid(`invalid port range "${part}"`);
      out.push([lo, hi]);
      slots += 2;
    }
    if (slots > MULTIPORT_MAX) return new Invalid(`too many ports (at most ${MULTIPORT_MAX}, a range counts as two)`);
  }
  return normalizeIntervals(out);
};

const multiportMatch = defineMatch({
  name: "multiport",
  protos: PORT_PROTOCOLS,
  options: [
    opt("sports|source-ports", portList, "!"),
    opt("dports|destination-ports", portList, "!"),
    opt("ports", portList, "!"),
  ],
  required: [["sports", "dports", "ports"]],
  exclusive: [["sports", "dports", "ports"]],
  toMatches(ext, rule, out) {
    const sports = ext.value<Interval[]>("sports");
    if (sports) out.push(fieldMatch(ext, rule, "sports", "sport", sports));
    const dports = ext.value<Interval[]>("dports");
    if (dports) out.push(fieldMatch(ext, rule, "dports", "dport", dports));
    const ports = ext.value<Interval[]>("ports");
    if (ports) {
      const either = fieldMatch(ext, rule, "ports", "sport", ports);
      const alternatives: Match[] = [
        { kind: "field", field: "sport", values: ports, negated: false },
        { kind: "field", field: "dport", values: ports, negated: false },
      ];
      out.push(either.range ? { kind: "anyOf", alternatives, negated: either.negated, range: either.range } : { kind: "anyOf", alternatives, negated: either.negated });
    }
  },
});

export const portMatches = [tcpMatch, udpMatch, sctpMatch, dccpMatch, multiportMatch];
