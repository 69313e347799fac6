// Value syntax of Vyatta-family firewall and NAT leaves: protocols, ports, addresses, ICMP types.
//
// Sources: VyOS interface-definitions include/firewall/{protocol,port}.xml.i (names from /etc/protocols and
// /etc/services, `tcp_udp`, `all`, `!` negating the whole value, comma lists, `a-b` ranges), Vyatta NOS
// yang/vyatta-fw-types-v1.yang (same value forms), IANA protocol and port registries for the numbers.

import type { Family, Interval } from "../../model/firewall.js";

/** /etc/protocols names the Vyatta family accepts (`icmpv6` is VyOS's alias of `ipv6-icmp`). */
const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ["ip", 0], ["hopopt", 0], ["icmp", 1], ["igmp", 2], ["ggp", 3], ["ipencap", 4], ["st", 5], ["tcp", 6], ["egp", 8], ["igp", 9],
  ["pup", 12], ["udp", 17], ["hmp", 20], ["xns-idp", 22], ["rdp", 27], ["iso-tp4", 29], ["dccp", 33], ["xtp", 36], ["ddp", 37],
  ["idpr-cmtp", 38], ["ipv6", 41], ["ipv6-route", 43], ["ipv6-frag", 44], ["idrp", 45], ["rsvp", 46], ["gre", 47], ["esp", 50],
  ["ah", 51], ["skip", 57], ["ipv6-icmp", 58], ["icmpv6", 58], ["ipv6-nonxt", 59], ["ipv6-opts", 60], ["rspf", 73], ["vmtp", 81],
  ["eigrp", 88], ["ospf", 89], ["ax.25", 93], ["ipip", 94], ["etherip", 97], ["encap", 98], ["pim", 103], ["ipcomp", 108],
  ["vrrp", 112], ["l2tp", 115], ["isis", 124], ["sctp", 132], ["fc", 133], ["mobility-header", 135], ["udplite", 136],
  ["mpls-in-ip", 137], ["manet", 138], ["hip", 139], ["shim6", 140], ["wesp", 141], ["rohc", 142],
]);

/** The /etc/services names seen in router configs, for `port http,https`. */
const SERVICES: ReadonlyMap<string, number> = new Map([
  ["ftp-data", 20], ["ftp", 21], ["ssh", 22], ["telnet", 23], ["smtp", 25], ["time", 37], ["whois", 43], ["tacacs", 49],
  ["domain", 53], ["bootps", 67], ["bootpc", 68], ["tftp", 69], ["gopher", 70], ["finger", 79], ["http", 80], ["www", 80],
  ["kerberos", 88], ["pop3", 110], ["sunrpc", 111], ["auth", 113], ["nntp", 119], ["ntp", 123], ["epmap", 135],
  ["netbios-ns", 137], ["netbios-dgm", 138], ["netbios-ssn", 139], ["imap", 143], ["imap2", 143], ["snmp", 161],
  ["snmp-trap", 162], ["bgp", 179], ["irc", 194], ["ldap", 389], ["https", 443], ["microsoft-ds", 445], ["kpasswd", 464],
  ["isakmp", 500], ["syslog", 514], ["printer", 515], ["submission", 587], ["ldaps", 636], ["rsync", 873], ["ftps-data", 989],
  ["ftps", 990], ["imaps", 993], ["pop3s", 995], ["socks", 1080], ["openvpn", 1194], ["ms-sql-s", 1433], ["l2f", 1701],
  ["l2tp", 1701], ["pptp", 1723], ["radius", 1812], ["radius-acct", 1813], ["nfs", 2049], ["mysql", 3306],
  ["ms-wbt-server", 3389], ["ipsec-nat-t", 4500], ["sip", 5060], ["sip-tls", 5061], ["postgresql", 5432], ["x11", 6000],
  ["http-alt", 8080], ["webcache", 8080],
]);

export function protocolNumber(name: string): number | undefined {
  if (/^\d{1,3}$/.test(name)) {
    const n = Number(name);
    return n <= 255 ? n : undefined;
  }
  return PROTOCOLS.get(name.toLowerCase());
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
    if (lo === undefined || hi === undefined || lo > hi) return `invalid port "${item}" in "${value}"`;
    out.push([lo, hi]);
  }
  return { negated, values: normalizeIntervals(out) };
}

function portNumber(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return SERVICES.get(text.toLowerCase());
}

export function normalizeIntervals(input: readonly Interval[]): Interval[] {
  const sorted = [...input].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function normalizeRanges(input: readonly (readonly [bigint, bigint])[]): [bigint, bigint][] {
  const sorted = [...input].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
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

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] => (half === "" ? [] : half.split(":"));
  let head = groups(halves[0]!);
  let tail = halves.length === 2 ? groups(halves[1]!) : [];
  const expand = (list: string[]): string[] | undefined => {
    const last = list[list.length - 1];
    if (!last || !last.includes(".")) return list;
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    return [...list.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
  };
  if (halves.length === 2) {
    const t = expand(tail);
    if (!t) return undefined;
    tail = t;
  } else {
    const h = expand(head);
    if (!h) return undefined;
    head = h;
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<string>(Math.max(0, missing)).fill("0"), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  return value;
}

/** ICMP (IPv4) type names with their type and, for the specific ones, code (iptables --icmp-type names). */
const ICMP_TYPES: ReadonlyMap<string, readonly [number, number?]> = new Map<string, readonly [number, number?]>([
  ["any", [-1]], ["echo-reply", [0]], ["pong", [0]], ["destination-unreachable", [3]], ["network-unreachable", [3, 0]],
  ["host-unreachable", [3, 1]], ["protocol-unreachable", [3, 2]], ["port-unreachable", [3, 3]], ["fragmentation-needed", [3, 4]],
  ["source-route-failed", [3, 5]], ["network-unknown", [3, 6]], ["host-unknown", [3, 7]], ["network-prohibited", [3, 9]],
  ["host-prohibited", [3, 10]], ["communication-prohibited", [3, 13]], ["source-quench", [4]], ["redirect", [5]],
  ["echo-request", [8]], ["ping", [8]], ["router-advertisement", [9]], ["router-solicitation", [10]], ["time-exceeded", [11]],
  ["ttl-exceeded", [11]], ["ttl-zero-during-transit", [11, 0]], ["ttl-zero-during-reassembly", [11, 1]],
  ["parameter-problem", [12]], ["timestamp-request", [13]], ["timestamp-reply", [14]], ["address-mask-request", [17]],
  ["address-mask-reply", [18]],
]);

/** ICMPv6 type names (ip6tables --icmpv6-type names). */
const ICMPV6_TYPES: ReadonlyMap<string, readonly [number, number?]> = new Map<string, readonly [number, number?]>([
  ["any", [-1]], ["destination-unreachable", [1]], ["no-route", [1, 0]], ["communication-prohibited", [1, 1]],
  ["address-unreachable", [1, 3]], ["port-unreachable", [1, 4]], ["packet-too-big", [2]], ["time-exceeded", [3]],
  ["ttl-exceeded", [3]], ["ttl-zero-during-transit", [3, 0]], ["ttl-zero-during-reassembly", [3, 1]], ["parameter-problem", [4]],
  ["echo-request", [128]], ["ping", [128]], ["echo-reply", [129]], ["pong", [129]], ["router-solicitation", [133]],
  ["router-advertisement", [134]], ["neighbour-solicitation", [135]], ["neighbor-solicitation", [135]],
  ["neighbour-advertisement", [136]], ["neighbor-advertisement", [136]], ["redirect", [137]],
]);

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
  const known = (family === "ipv4" ? ICMP_TYPES : ICMPV6_TYPES).get(text.toLowerCase());
  if (!known) return `unknown ICMP${family === "ipv6" ? "v6" : ""} type "${text}"`;
  if (known[0] < 0) return undefined;
  return icmpTypeInterval(known[0], known[1]);
}
