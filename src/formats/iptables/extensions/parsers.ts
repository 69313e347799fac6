// Option value parsers shared by the extensions, built once at load time (libxtables' XTTYPE_* types).

import { Invalid, type ValueParser } from "./extension.js";
import { SERVICE_ANY, SERVICE_DCCP, SERVICE_SCTP, SERVICE_TCP, SERVICE_UDP } from "./tables.js";
import {
  looksLikeHostName,
  parseAddress,
  parseMarkMask,
  parseNetwork,
  parsePortRange,
  parseProtocol,
  parseRange,
  parseUnsigned,
  parseUnsigned64,
  type Network,
} from "./values.js";

function quote(text: string): string {
  return `"${text}"`;
}

/** XTTYPE_UINT8/16/32: one number in C base 0. */
export function uint(max: number, min = 0): ValueParser {
  return (value) => {
    const v = parseUnsigned(value, max);
    return v === undefined || v < min ? new Invalid(`${quote(value)} is not a number from ${min} to ${max}`) : v;
  };
}

export function uint64(): ValueParser {
  return (value) => parseUnsigned64(value) ?? new Invalid(`${quote(value)} is not a number from 0 to 18446744073709551615`);
}

/** XTTYPE_UINT*RC: `a`, `a:b`, `a:`, `:b`, `:`. */
export function uintRange(max: number, sep = ":"): ValueParser {
  const one = (s: string): number | undefined => parseUnsigned(s, max);
  return (value) =>
    parseRange(value, 0, max, one, sep) ?? new Invalid(`${quote(value)} is not a number or range within 0${sep}${max} (low${sep}high)`);
}

export function uint64Range(): ValueParser {
  return (value) => {
    const at = value.indexOf(":");
    const lo = at === -1 ? value : value.slice(0, at);
    const hi = at === -1 ? value : value.slice(at + 1);
    const a = lo === "" ? 0n : parseUnsigned64(lo);
    const b = hi === "" ? 0xffffffffffffffffn : parseUnsigned64(hi);
    if (a === undefined || b === undefined || a > b) return new Invalid(`${quote(value)} is not a valid number range`);
    return [a, b];
  };
}

/** A port, service name (for `protocols`, SERVICE_* bits) or `a:b` range. */
export function portRangeFor(protocols: number): ValueParser {
  return (value) =>
    parsePortRange(value, protocols) ?? new Invalid(`invalid port or service ${quote(value)} (a number 0-65535, a ${serviceNames(protocols)} service name, or low:high)`);
}

function serviceNames(protocols: number): string {
  if (protocols === SERVICE_TCP) return "TCP";
  if (protocols === SERVICE_UDP) return "UDP";
  if (protocols === SERVICE_SCTP) return "SCTP";
  if (protocols === SERVICE_DCCP) return "DCCP";
  return "known";
}

export const portRange: ValueParser = portRangeFor(SERVICE_ANY);

/** One of fixed words (`caseless`: compared ignoring case). Values are the index into `words` unless `values` given. */
export function choice(words: readonly string[], caseless = false, values?: readonly unknown[]): ValueParser {
  const table = new Map(words.map((w, i) => [caseless ? w.toLowerCase() : w, values ? values[i] : i]));
  return (value) => {
    const v = table.get(caseless ? value.toLowerCase() : value);
    return v === undefined ? new Invalid(`${quote(value)} is not one of ${words.join(", ")}`) : v;
  };
}

/** A comma-separated list of fixed words; the value is the list of indexes. */
export function choiceList(words: readonly string[], caseless = false): ValueParser {
  const table = new Map(words.map((w, i) => [caseless ? w.toLowerCase() : w, i]));
  return (value) => {
    const out: number[] = [];
    for (const part of value.split(",")) {
      const v = table.get(caseless ? part.toLowerCase() : part);
      if (v === undefined) return new Invalid(`${quote(part)} is not one of ${words.join(", ")}`);
      out.push(v);
    }
    return out;
  };
}

/** XTTYPE_STRING with the kernel's buffer size (`maxLen` includes the terminating NUL, as in the C structs). */
export function str(maxLen: number, minLen = 1): ValueParser {
  return (value) => {
    if (value.length < minLen) return new Invalid("an empty value is not allowed");
    if (Buffer.byteLength(value) >= maxLen) return new Invalid(`${quote(value)} is too long (at most ${maxLen - 1} characters)`);
    return value;
  };
}

export const anyString: ValueParser = (value) => value;

/** XTTYPE_MARKMASK32: `value[/mask]`. */
export const markMask: ValueParser = (value) =>
  parseMarkMask(value) ?? new Invalid(`${quote(value)} is not a 32-bit value[/mask]`);

/** XTTYPE_PROTOCOL. */
export const protocol: ValueParser = (value) => parseProtocol(value) ?? new Invalid(`unknown protocol ${quote(value)}`);

/** XTTYPE_HOST: one address of the rule's family. */
export const host: ValueParser = (value, _ext, rule) => {
  const v = parseAddress(value, rule.ctx.family);
  if (v !== undefined) return v;
  return new Invalid(hostMessage(value));
};

/** XTTYPE_HOSTMASK: address[/prefix or mask]. */
export const hostMask: ValueParser = (value, _ext, rule) => {
  const n = parseNetwork(value, rule.ctx.family);
  if ("error" in n) return new Invalid(n.error === "mask" ? `invalid mask in ${quote(value)}` : hostMessage(value.split("/")[0]!));
  return n satisfies Network;
};

/** `a-b` address ranges (iprange). */
export const addressRange: ValueParser = (value, _ext, rule) => {
  const at = value.indexOf("-");
  const lo = parseAddress(at === -1 ? value : value.slice(0, at), rule.ctx.family);
  const hi = at === -1 ? lo : parseAddress(value.slice(at + 1), rule.ctx.family);
  if (lo === undefined || hi === undefined) return new Invalid(`${quote(value)} is not an address or address range (a-b)`);
  return [lo, hi] as const;
};

export function hostMessage(value: string): string {
  return looksLikeHostName(value)
    ? `${quote(value)} is a host name; vpnlint does not resolve names, write the address`
    : `${quote(value)} is not a valid address`;
}

/** A decimal fraction (statistic --probability). */
export function fraction(min: number, max: number): ValueParser {
  return (value) => parseFraction(value, min, max) ?? new Invalid(`${quote(value)} is not a number from ${min} to ${max}`);
}

/** A decimal fraction within [min, max], or undefined. */
export function parseFraction(value: string, min: number, max: number): number | undefined {
  const v = /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$|^[0-9]+\.$/.test(value) ? Number(value) : NaN;
  return Number.isNaN(v) || v < min || v > max ? undefined : v;
}

/** A list of numbers or ranges (`1,2,5:7`) within 0..max. */
export function uintList(max: number, min = 0): ValueParser {
  const one = uint(max, min);
  return (value, ext, rule, second) => {
    const out: number[] = [];
    for (const part of value.split(",")) {
      const v = one(part, ext, rule, second);
      if (v instanceof Invalid) return v;
      out.push(v as number);
    }
    return out;
  };
}

/** A rate for limit/hashlimit packet mode: `N[/second|minute|hour|day]` (any prefix of the unit). */
export function packetRate(value: string): number | undefined {
  const slash = value.indexOf("/");
  const n = parseUnsigned(slash === -1 ? value : value.slice(0, slash), 0xffffffff);
  if (n === undefined || n === 0) return undefined;
  if (slash === -1) return n;
  const unit = value.slice(slash + 1);
  if (unit.length === 0) return undefined;
  for (const u of ["second", "minute", "hour", "day"]) if (u.startsWith(unit)) return n;
  return undefined;
}

export const rate: ValueParser = (value) =>
  packetRate(value) ?? new Invalid(`${quote(value)} is not a rate (number/second, /minute, /hour or /day)`);
