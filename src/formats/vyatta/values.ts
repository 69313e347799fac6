// Value syntax of Vyatta-family firewall and NAT leaves: protocols, ports, addresses, ICMP types.
//
// Sources: VyOS interface-definitions include/firewall/{protocol,port}.xml.i (names from /etc/protocols and
// /etc/services, `tcp_udp`, `all`, `!` negating the whole value, comma lists, `a-b` ranges), Vyatta NOS
// yang/vyatta-fw-types-v1.yang (same value forms), IANA protocol and port registries for the numbers.

import type { Family, Interval } from "../../model/firewall.js";
import { ICMP6_TYPES, ICMP_TYPES, PROTOCOLS, type IcmpName } from "../iptables/extensions/tables.js";
import { normalizeBigIntervals, normalizeIntervals as normalizeIntervalList, parseIpv6, parsePort } from "../iptables/extensions/values.js";

// The name tables (/etc/protocols, /etc/services, ICMP type names) are the ones the iptables front end ships: VyOS
// and EdgeOS compile these values to the same netfilter names.

/** VyOS spellings on top of iptables' ICMP names (vyos-1x include/firewall/icmp-type-name.xml.i). */
const ICMP_ALIASES: ReadonlyMap<string, string> = new Map([["ping", "echo-request"], ["pong", "echo-reply"], ["ttl-exceeded", "time-exceeded"]]);

export function protocolNumber(name: string): number | undefined {
  if (/^\d{1,3}$/.test(name)) {
    const n = Number(name);
    return n <= 255 ? n : undefined;
  }
  return name.toLowerCase() === "all" ? undefined : PROTOCOLS.get(name.toLowerCase());
}

/** `tcp`, `!udp`, `50`, `tcp_udp`, `all`: the protocol intervals, or undefined for `all`; a string is an error. */
export function parseProtocol(value: string): { negated: boolean; values: Interval[] | undefined } | string {
  const negated = value.startsWith("!");
  const name = negated ? value.slice(1) : value;
  if (name === "all") return { negated, values: undefined };
  if (name === "tcp_udp") return { negated, values: [[6, 6], [17, 17]] };
  const n = protocolNumber(name);
  return n === undefined ? `unknown protocol "${value}"` : { negated, values: [[n, n]] };
}

/** `22`, `!22`, `500,4500`, `1000-2000`, `http,https`: sorted intervals, or an error message. */
export function parsePorts(value: string): { negated: boolean; values: Interval[] } | string {
  const negated = value.startsWith("!");
  const body = negated ? value.slice(1) : value;
  const out: Interval[] = [];
  for (const item of body.split(",")) {
    // Service names contain dashes too (`ipsec-nat-t`): a whole name wins over a range.
    const whole = portNumber(item);
    const dash = whole === undefined ? item.indexOf("-", 1) : -1;
    const lo = dash > 0 ? portNumber(item.slice(0, dash)) : whole;
    const hi = dash > 0 ? portNumber(item.slice(dash + 1)) : lo;
    if (lo === undefined || hi === undefined || lo > hi) return item === value ? `invalid port "${value}"` : `invalid port "${item}" in "${value}"`;
    out.push([lo, hi]);
  }
  return { negated, values: normalizeIntervals(out) };
}

function portNumber(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  // Names only: iptables' C-style numbers (0x1f4, 0764) are not Vyatta syntax.
  if (/^\d/.test(text)) return undefined;
  return parsePort(text) ?? parsePort(text.toLowerCase());
}

export function normalizeIntervals(input: readonly Interval[]): Interval[] {
  return normalizeIntervalList([...input]);
}

export function normalizeRanges(input: readonly (readonly [bigint, bigint])[]): (readonly [bigint, bigint])[] {
  return normalizeBigIntervals([...input]);
}

export interface AddressValue {
  readonly family: Family;
  readonly range: readonly [bigint, bigint];
}

/** `192.0.2.1`, `192.0.2.0/24`, `192.0.2.1-192.0.2.9`, the same for IPv6; undefined when not an address. */
export function parseAddress(text: string): AddressValue | undefined {
  const dash = text.indexOf("-");
  if (dash > 0) {
    const lo = parseIp(text.slice(0, dash));
    const hi = parseIp(text.slice(dash + 1));
    if (!lo || !hi || lo.family !== hi.family || lo.value > hi.value) return undefined;
    return { family: lo.family, range: [lo.value, hi.value] };
  }
  const slash = text.indexOf("/");
  const ip = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!ip) return undefined;
  const bits = ip.family === "ipv4" ? 32 : 128;
  if (slash < 0) return { family: ip.family, range: [ip.value, ip.value] };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) return undefined;
  const hostBits = BigInt(bits - Number(lenText));
  const lo = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, range: [lo, lo + (1n << hostBits) - 1n] };
}

function parseIp(text: string): { family: Family; value: bigint } | undefined {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: "ipv6", value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: "ipv4", value };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** An ICMP type as the icmpType field holds it (type * 256 + code); `type` alone covers every code. */
export function icmpTypeInterval(type: number, code?: number): Interval {
  return code === undefined ? [type * 256, type * 256 + 255] : [type * 256 + code, type * 256 + code];
}

/** `echo-request`, `8`, `3/4`: the interval, `undefined` for `any`, or an error message. */
export function parseIcmpType(text: string, family: Family): Interval | undefined | string {
  const numeric = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(text);
  if (numeric) {
    const type = Number(numeric[1]);
    const code = numeric[2] === undefined ? undefined : Number(numeric[2]);
    if (type > 255 || (code !== undefined && code > 255)) return `invalid ICMP type "${text}"`;
    return icmpTypeInterval(type, code);
  }
  const name = ICMP_ALIASES.get(text.toLowerCase()) ?? text;
  if (name.toLowerCase() === "any") return undefined;
  const table: readonly IcmpName[] = family === "ipv4" ? ICMP_TYPES : ICMP6_TYPES;
  const known = table.find((entry) => entry.name.toLowerCase() === name.toLowerCase());
  if (!known) return `unknown ICMP${family === "ipv6" ? "v6" : ""} type "${text}"`;
  return [known.type * 256 + known.codeMin, known.type * 256 + known.codeMax];
}
