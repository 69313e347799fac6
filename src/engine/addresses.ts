// IPv4/IPv6 addresses and CIDRs as bigint ranges, both ways (for queries, DNAT targets and descriptions).

import type { Family } from "../model/firewall.js";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): bigint | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(piece)) out.push(parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** `192.0.2.1`, `192.0.2.0/24`, `2001:db8::/32` -> inclusive range and family; undefined when malformed. */
export function parseAddressRange(text: string): { family: Family; range: readonly [bigint, bigint] } | undefined {
  const [addr, len, extra] = text.split("/");
  if (extra !== undefined || addr === undefined) return undefined;
  const v4 = parseIpv4(addr);
  const family: Family = v4 !== undefined ? "ipv4" : "ipv6";
  const value = v4 ?? parseIpv6(addr);
  if (value === undefined) return undefined;
  const bits = family === "ipv4" ? 32 : 128;
  const prefix = len === undefined ? bits : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { family, range: [value & ~host, (value & ~host) | host] };
}

export function formatAddress(value: bigint, family: Family): string {
  if (family === "ipv4") return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** An inclusive range as the fewest CIDRs (`192.0.2.0/25`, `192.0.2.128/26`, ...). */
export function rangeToCidrs(lo: bigint, hi: bigint, family: Family): string[] {
  const bits = family === "ipv4" ? 32 : 128;
  const out: string[] = [];
  let start = lo;
  while (start <= hi) {
    let size = 0;
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    out.push(size === 0 ? formatAddress(start, family) : `${formatAddress(start, family)}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}
