// Value parsers with iptables' (libxtables') rules: numbers in C base 0, port and service names, ranges, addresses.
// Each returns the value, or undefined when iptables would refuse it; callers word the message.

import type { Family, Interval } from "../../../model/firewall.js";
import { PROTOCOLS, SERVICE_ANY, SERVICES } from "./tables.js";

/** Digit value of a character code, or 99. */
function digit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return 99;
}

/** An unsigned number as strtoul(…, 0) reads it (0x hex, leading-0 octal, decimal), whole text, at most `max`. */
export function parseUnsigned(text: string, max: number, from = 0, to = text.length): number | undefined {
  const n = to;
  if (n <= from) return undefined;
  let i = from;
  let base = 10;
  if (text.charCodeAt(from) === 48 && n > from + 1) {
    const x = text.charCodeAt(from + 1);
    if (x === 120 || x === 88) {
      base = 16;
      i = from + 2;
      if (n === i) return undefined;
    } else {
      base = 8;
      i = from + 1;
    }
  }
  let value = 0;
  for (; i < n; i++) {
    const d = digit(text.charCodeAt(i));
    if (d >= base) return undefined;
    value = value * base + d;
    if (value > max) return undefined;
  }
  return value;
}

/** The same for 64-bit values. */
export function parseUnsigned64(text: string, max: bigint = 0xffffffffffffffffn): bigint | undefined {
  if (!/^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(text)) return undefined;
  const value = text.length > 1 && text[0] === "0" && text[1] !== "x" && text[1] !== "X" ? BigInt(`0o${text.slice(1)}`) : BigInt(text);
  return value > max ? undefined : value;
}

/** Plain decimal digits only (counters, `-c`). */
export function isDecimal(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * `a:b`, `a:`, `:b`, `:` or `a` with `one` parsing each side; empty sides are `min`/`max`. Undefined when a side is
 * invalid or lo > hi. `sep` is the range separator (":" for most, "-" for DNAT and owner ranges).
 */
export function parseRange(
  text: string,
  min: number,
  max: number,
  one: (s: string) => number | undefined,
  sep = ":",
): Interval | undefined {
  const at = text.indexOf(sep);
  if (at === -1) {
    const v = one(text);
    return v === undefined ? undefined : [v, v];
  }
  const left = text.slice(0, at);
  const right = text.slice(at + 1);
  const lo = left.length === 0 ? min : one(left);
  const hi = right.length === 0 ? max : one(right);
  if (lo === undefined || hi === undefined || lo > hi) return undefined;
  return [lo, hi];
}

/**
 * A port number or service name (xtables_parse_port): the name first, for the protocols in `protocols` (SERVICE_*
 * bits), then a number in C base 0.
 */
export function parsePort(text: string, protocols: number = SERVICE_ANY): number | undefined {
  const named = SERVICES.get(text);
  if (named !== undefined && (named[1] & protocols) !== 0) return named[0];
  return parseUnsigned(text, 65535);
}

const portParsers = new Map<number, (text: string) => number | undefined>();

export function parsePortRange(text: string, protocols: number = SERVICE_ANY, sep = ":"): Interval | undefined {
  let one = portParsers.get(protocols);
  if (!one) portParsers.set(protocols, (one = (t: string) => parsePort(t, protocols)));
  return parseRange(text, 0, 65535, one, sep);
}

/** `-p`: a number 0..255, `all`, or a name (case-insensitive, as iptables lower-cases it first). */
export function parseProtocol(text: string): number | undefined {
  const number = parseUnsigned(text, 255);
  if (number !== undefined) return number;
  return PROTOCOLS.get(text) ?? PROTOCOLS.get(text.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses. IPv4 follows libxtables' own dotted parser: 1 to 4 parts, each a byte in C base 0, missing trailing
// parts are zero ("10" is 10.0.0.0). IPv6 follows inet_pton.

export function parseIpv4(text: string, from = 0, to = text.length): number | undefined {
  return plainIpv4(text, from, to) ?? parseIpv4Parts(text, from, to);
}

/** Four decimal bytes without leading zeros, as dumps write addresses; undefined for anything else. */
function plainIpv4(text: string, from: number, to: number): number | undefined {
  let value = 0;
  let byte = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + byte;
      dots++;
      byte = 0;
      digits = 0;
      continue;
    }
    // A leading zero means octal (or 0x hex) to libxtables: the general parser decides.
    if (c < 48 || c > 57 || (digits === 1 && byte === 0)) return undefined;
    byte = byte * 10 + (c - 48);
    digits++;
    if (byte > 255) return undefined;
  }
  return dots === 3 && digits > 0 ? value * 256 + byte : undefined;
}

function parseIpv4Parts(text: string, from: number, to: number): number | undefined {
  let value = 0;
  let parts = 0;
  let start = from;
  for (;;) {
    let dot = text.indexOf(".", start);
    if (dot >= to) dot = -1;
    const byte = parseUnsigned(text, 255, start, dot === -1 ? to : dot);
    if (byte === undefined) return undefined;
    value = value * 256 + byte;
    parts++;
    if (dot === -1) break;
    if (parts === 4) return undefined;
    start = dot + 1;
  }
  while (parts < 4) {
    value *= 256;
    parts++;
  }
  return value;
}

/** A dotted IPv4 mask: exactly four parts. */
function parseIpv4Mask(text: string): number | undefined {
  let dots = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 46) dots++;
  return dots === 3 ? parseIpv4(text) : undefined;
}

export function parseIpv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  let v4Tail: number | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.indexOf(".", lastColon) !== -1) {
    const dotted = text.slice(lastColon + 1);
    if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(dotted)) return undefined;
    const bytes = dotted.split(".").map(Number);
    if (bytes.some((b) => b > 255)) return undefined;
    v4Tail = ((bytes[0]! * 256 + bytes[1]!) * 256 + bytes[2]!) * 256 + bytes[3]!;
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const count = left.length + right.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return undefined;
  const all = [...left, ...new Array<string>(8 - count).fill("0"), ...right];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (v4Tail !== undefined) value = (value & ~0xffffffffn) | BigInt(v4Tail);
  return value;
}

export function addressBits(family: Family): number {
  return family === "ipv4" ? 32 : 128;
}

export function parseAddress(text: string, family: Family): bigint | undefined {
  if (family === "ipv4") {
    const v = parseIpv4(text);
    return v === undefined ? undefined : BigInt(v);
  }
  return parseIpv6(text);
}

/** An address with optional `/len` or (IPv4) `/dotted.mask`, as -s/-d take it. */
export interface Network {
  readonly address: bigint;
  readonly mask: bigint;
  /** The highest address of the network (with a non-contiguous mask: address | ~mask). */
  readonly last: bigint;
  /** Prefix length when the mask is contiguous, else -1. */
  readonly prefix: number;
}

export type NetworkResult = Network | { readonly error: "address" | "mask" };

export function maskOfPrefix(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all << BigInt(bits - prefix)) & all;
}

function prefixOfMask(mask: bigint, bits: number): number {
  for (let p = 0; p <= bits; p++) if (maskOfPrefix(p, bits) === mask) return p;
  return -1;
}

const IPV4_MASKS: readonly number[] = Array.from({ length: 33 }, (_, p) => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0));

/** Where readNetwork4 leaves a network: plain numbers, so the commonest -s/-d value allocates nothing to be read. */
export const network4 = { first: 0, last: 0, mask: 0, prefix: 0 };

/** IPv4 in plain numbers: a dump has one per -s/-d, and bigint arithmetic would dominate the parse. */
export function readNetwork4(text: string): "address" | "mask" | undefined {
  const slash = text.indexOf("/");
  const address = parseIpv4(text, 0, slash === -1 ? text.length : slash);
  if (address === undefined) return "address";
  let mask = 0xffffffff;
  let prefix = 32;
  if (slash !== -1) {
    const length = parseUnsigned(text, 32, slash + 1);
    if (length !== undefined) {
      prefix = length;
      mask = IPV4_MASKS[length]!;
    } else {
      const dotted = parseIpv4Mask(text.slice(slash + 1));
      if (dotted === undefined) return "mask";
      mask = dotted;
      prefix = IPV4_MASKS.indexOf(dotted);
    }
  }
  const first = (address & mask) >>> 0;
  network4.first = first;
  network4.last = (first | (~mask >>> 0)) >>> 0;
  network4.mask = mask;
  network4.prefix = prefix;
  return undefined;
}

function parseNetwork4(text: string): NetworkResult {
  const error = readNetwork4(text);
  if (error !== undefined) return { error };
  return { address: BigInt(network4.first), mask: BigInt(network4.mask), last: BigInt(network4.last), prefix: network4.prefix };
}

export function parseNetwork(text: string, family: Family): NetworkResult {
  if (family === "ipv4") return parseNetwork4(text);
  const bits = addressBits(family);
  const slash = text.indexOf("/");
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash), family);
  if (address === undefined) return { error: "address" };
  const all = (1n << BigInt(bits)) - 1n;
  const network = (mask: bigint, prefix: number): Network => ({ address: address & mask, mask, last: (address & mask) | (all ^ mask), prefix });
  if (slash === -1) return network(all, bits);
  const maskText = text.slice(slash + 1);
  const prefix = parseUnsigned(maskText, bits);
  if (prefix !== undefined) return network(maskOfPrefix(prefix, bits), prefix);
  const written = parseIpv6(maskText);
  if (written !== undefined) return network(written, prefixOfMask(written, bits));
  return { error: "mask" };
}

/** The inclusive address interval of a network with a contiguous mask. */
export function networkInterval(network: Network): readonly [bigint, bigint] {
  return [network.address, network.last];
}

/** Does the text look like a host name rather than an address (so the message can say so)? */
export function looksLikeHostName(text: string): boolean {
  return /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(text) && /[A-Za-z]/.test(text);
}

/** `value[/mask]`, 32-bit each (marks, realms): mask defaults to 0xffffffff. */
export function parseMarkMask(text: string): readonly [number, number] | undefined {
  const slash = text.indexOf("/");
  const value = parseUnsigned(slash === -1 ? text : text.slice(0, slash), 0xffffffff);
  if (value === undefined) return undefined;
  if (slash === -1) return [value, 0xffffffff];
  const mask = parseUnsigned(text.slice(slash + 1), 0xffffffff);
  return mask === undefined ? undefined : [value, mask];
}

/** Sorts and merges intervals (in place on a fresh array). */
export function normalizeIntervals(values: Interval[]): Interval[] {
  values.sort((a, b) => a[0] - b[0]);
  const out: Interval[] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && v[0] <= last[1] + 1) {
      if (v[1] > last[1]) out[out.length - 1] = [last[0], v[1]];
    } else out.push(v);
  }
  return out;
}

export function normalizeBigIntervals(values: (readonly [bigint, bigint])[]): (readonly [bigint, bigint])[] {
  values.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: (readonly [bigint, bigint])[] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && v[0] <= last[1] + 1n) {
      if (v[1] > last[1]) out[out.length - 1] = [last[0], v[1]];
    } else out.push(v);
  }
  return out;
}
