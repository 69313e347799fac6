// Seeded generators of hostile input: mutations of real files and extreme documents, all reproducible from a seed.

import { mulberry32 } from "../helpers/random.js";

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

/** A seeded source of numbers, integers and choices (mulberry32), so a failing seed replays anywhere. */
export function seededRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int, pick: (items) => items[Math.floor(next() * items.length)]! };
}

/** A stable seed for a (file, mutation) pair, so adding a corpus file does not reshuffle the others' cases. */
export function seedOf(...parts: readonly (string | number)[]): number {
  let hash = 2166136261;
  for (const char of parts.join("\u0000")) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

const encoder = new TextEncoder();
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function splitLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10) {
      lines.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** A mutation of one input file's bytes. `name` goes into case labels; `apply` must be deterministic given the Random. */
export interface Mutation {
  readonly name: string;
  apply(bytes: Uint8Array, random: Random): Uint8Array;
}

const insertAt = (bytes: Uint8Array, at: number, inserted: Uint8Array): Uint8Array => concat(bytes.subarray(0, at), inserted, bytes.subarray(at));

/** Byte sequences no UTF-8 decoder accepts: stray continuation, truncated sequences, overlong forms, surrogates, 0xFF. */
const INVALID_UTF8: readonly number[][] = [[0x80], [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xfe, 0xfe], [0xf8, 0x88, 0x80, 0x80, 0x80]];

export const mutations: readonly Mutation[] = [
  {
    name: "byte-flips",
    apply(bytes, random) {
      const out = bytes.slice();
      const flips = random.int(1, 8);
      for (let i = 0; i < flips && out.length > 0; i++) out[random.int(0, out.length - 1)] = random.int(0, 255);
      return out;
    },
  },
  {
    name: "bit-flips",
    apply(bytes, random) {
      const out = bytes.slice();
      for (let i = 0; i < 4 && out.length > 0; i++) out[random.int(0, out.length - 1)]! ^= 1 << random.int(0, 7);
      return out;
    },
  },
  {
    name: "duplicate-lines",
    apply(bytes, random) {
      const lines = splitLines(bytes);
      if (lines.length === 0) return bytes;
      const out: Uint8Array[] = [];
      for (const line of lines) {
        out.push(line);
        if (random.next() < 0.2) out.push(line);
      }
      // Also repeat a whole block, so COMMIT / table headers / closing braces come twice in a row.
      const from = random.int(0, lines.length - 1);
      out.splice(random.int(0, out.length), 0, ...lines.slice(from, from + random.int(1, 6)));
      return concat(...out);
    },
  },
  {
    name: "shuffle-lines",
    apply(bytes, random) {
      const lines = splitLines(bytes).map((line) => (line[line.length - 1] === 10 ? line : concat(line, utf8("\n"))));
      for (let i = lines.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      return concat(...lines);
    },
  },
  {
    name: "crlf",
    apply(bytes, random) {
      // All lines, some lines, or lone CRs: each is a different way a Windows editor breaks a file.
      const style = random.int(0, 2);
      const out: number[] = [];
      for (const byte of bytes) {
        if (byte === 10 && (style === 0 || (style === 1 && random.next() < 0.5))) out.push(13, 10);
        else if (byte === 10 && style === 2) out.push(13);
        else out.push(byte);
      }
      return Uint8Array.from(out);
    },
  },
  {
    name: "bom",
    apply(bytes, random) {
      const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
      const withBom = concat(bom, bytes);
      return random.next() < 0.5 ? withBom : insertAt(withBom, random.int(3, withBom.length), bom);
    },
  },
  {
    name: "nul-bytes",
    apply(bytes, random) {
      let out = bytes;
      const count = random.int(1, 6);
      for (let i = 0; i < count; i++) out = insertAt(out, random.int(0, out.length), Uint8Array.of(0));
      // And a line whose separators are all NUL.
      return random.next() < 0.5 ? out : Uint8Array.from(out, (b) => (b === 32 && random.next() < 0.3 ? 0 : b));
    },
  },
  {
    name: "invalid-utf8",
    apply(bytes, random) {
      let out = bytes;
      const count = random.int(1, 6);
      for (let i = 0; i < count; i++) out = insertAt(out, random.int(0, out.length), Uint8Array.from(random.pick(INVALID_UTF8)));
      return out;
    },
  },
  {
    name: "terminal-escapes",
    apply(bytes, random) {
      let out = bytes;
      const sequences = ["\u001b[2J", "\u001b]0;PWNED\u0007", "\u001b[6n", "\u009b31m", "\u001bP+q\u001b\\"];
      for (let i = 0; i < 3; i++) out = insertAt(out, random.int(0, out.length), utf8(random.pick(sequences)));
      return out;
    },
  },
  {
    name: "splice-garbage",
    apply(bytes, random) {
      const garbage = Uint8Array.from({ length: random.int(1, 64) }, () => random.int(0, 255));
      const at = random.int(0, bytes.length);
      return concat(bytes.subarray(0, at), garbage, bytes.subarray(Math.min(bytes.length, at + random.int(0, 32))));
    },
  },
];

/** Kinds of token an input can be cut inside or right after; truncation is tried at one of each kind per file. */
const TOKEN_KINDS: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: "table-header", pattern: /^\*[a-z]+/gm },
  { kind: "chain-declaration", pattern: /^:[^\s]+/gm },
  { kind: "commit", pattern: /^COMMIT/gm },
  { kind: "long-option", pattern: /--[a-z][a-z0-9-]*/g },
  { kind: "short-option", pattern: / -[A-Za-z] /g },
  { kind: "negation", pattern: /! /g },
  { kind: "address", pattern: /\d+\.\d+\.\d+\.\d+(\/\d+)?/g },
  { kind: "ipv6-address", pattern: /[0-9a-f]*:[0-9a-f:]+:[0-9a-f]*(\/\d+)?/gi },
  { kind: "port-range", pattern: /\d+:\d+/g },
  { kind: "number", pattern: /\b\d+\b/g },
  { kind: "double-quoted", pattern: /"[^"\n]*"/g },
  { kind: "single-quoted", pattern: /'[^'\n]*'/g },
  { kind: "open-brace", pattern: /\{/g },
  { kind: "close-brace", pattern: /\}/g },
  { kind: "comment", pattern: /(^|\s)(#|\/\*)[^\n]*/gm },
  { kind: "set-command", pattern: /^set [^\n]*/gm },
  { kind: "word", pattern: /[A-Za-z_][A-Za-z0-9_.+-]*/g },
  { kind: "line-break", pattern: /\r?\n/g },
];

/** Cut points: inside a token of every kind present in `text` (the middle one), and right after the last one. */
export function truncationPoints(text: string): { kind: string; offset: number }[] {
  const points = new Map<number, string>();
  for (const { kind, pattern } of TOKEN_KINDS) {
    const matches = [...text.matchAll(pattern)];
    if (matches.length === 0) continue;
    const middle = matches[matches.length >> 1]!;
    const last = matches[matches.length - 1]!;
    for (const offset of [middle.index + (middle[0].length >> 1), last.index + last[0].length]) {
      if (offset > 0 && offset < text.length && !points.has(offset)) points.set(offset, kind);
    }
  }
  return [...points].map(([offset, kind]) => ({ kind, offset })).sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------------------------------------------
// Extreme documents.

export const MB = 1024 * 1024;

/** One 10 MB line, inside a structure the parser knows, so it cannot bail out at the first byte. */
export function longIptablesLine(kind: "comment" | "options" | "address-list" | "no-newline", size = 10 * MB): string {
  switch (kind) {
    case "comment":
      return `*filter\n-A INPUT -p udp -m comment --comment "${"A".repeat(size)}" -m udp --dport 500 -j ACCEPT\nCOMMIT\n`;
    case "options":
      return `*filter\n-A INPUT${" -p udp".repeat(size / 7)} -j ACCEPT\nCOMMIT\n`;
    case "address-list": {
      const count = Math.floor(size / 16);
      const addresses = Array.from({ length: count }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      return `*filter\n-A INPUT -s ${addresses.join(",")} -j DROP\nCOMMIT\n`;
    }
    case "no-newline":
      return `*filter\n-A INPUT -j ${"X".repeat(size)}`;
  }
}

export function longVyattaLine(size = 10 * MB): string {
  return `firewall {\n    name WAN_LOCAL {\n        description "${"d".repeat(size)}"\n        default-action drop\n    }\n}\n`;
}

export function longSetLine(size = 10 * MB): string {
  return `set firewall name WAN_LOCAL rule 10 description '${"d".repeat(size)}'\nset firewall name WAN_LOCAL default-action drop\n`;
}

/** `n` nested nodes; `closed` decides whether every brace is closed again. */
export function nestedBraces(n: number, closed: boolean): string {
  return `${"node {\n".repeat(n)}${closed ? "}\n".repeat(n) : ""}`;
}

export function nestedBracesOneLine(n: number): string {
  return `firewall ${"{".repeat(n)}${"}".repeat(n)}\n`;
}

export function closingBraces(n: number): string {
  return `firewall {\n}\n${"}\n".repeat(n)}`;
}

export function unbalancedVyatta(): string {
  return [
    "firewall {",
    "    name WAN_LOCAL {",
    "        default-action drop",
    '        description "never closed',
    "        rule 10 {",
    "            action accept",
    "            destination {",
    "                port 500",
    "    }",
    "interfaces {",
    "    ethernet eth0 {",
    "        firewall { local { name WAN_LOCAL",
    "",
  ].join("\n");
}

export function unbalancedQuotes(format: "iptables" | "vyatta" | "set"): string {
  if (format === "iptables") {
    const lines = ["*filter", ':INPUT DROP [0:0]', '-A INPUT -m comment --comment "open -j ACCEPT', "-A INPUT -m comment --comment 'single -p udp --dport 500 -j ACCEPT"];
    for (let i = 0; i < 2000; i++) lines.push(`-A INPUT -p udp -m comment --comment "${i % 2 ? "" : '"'}x${'"'.repeat(i % 3)} -m udp --dport ${i} -j ACCEPT`);
    lines.push("COMMIT", "");
    return lines.join("\n");
  }
  if (format === "set") {
    const lines = [];
    for (let i = 0; i < 2000; i++) lines.push(`set firewall name WAN rule ${i} description ${i % 2 ? "'" : '"'}open${i % 3 ? "" : "'"}`);
    return `${lines.join("\n")}\n`;
  }
  const lines = ["firewall {"];
  for (let i = 0; i < 2000; i++) lines.push(`    name N${i} {`, `        description "${i % 2 ? "" : '"'}x`, "    }");
  lines.push("}", "");
  return lines.join("\n");
}

/** `count` user chains in one jump cycle entered from INPUT; `goto` uses -g for every other hop. */
export function chainCycle(count: number, goto = false): string {
  const lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (let i = 0; i < count; i++) lines.push(`:C${i} - [0:0]`);
  lines.push("-A INPUT -p udp -m udp --dport 500 -j C0");
  for (let i = 0; i < count; i++) lines.push(`-A C${i} -p udp ${goto && i % 2 ? "-g" : "-j"} C${(i + 1) % count}`);
  lines.push("-A INPUT -p udp -m udp --dport 4500 -j ACCEPT", "COMMIT", "");
  return lines.join("\n");
}

/** A chain of `depth` user chains, each jumping to the next; the last accepts IKE, so verdicts need the whole walk. */
export function chainDepth(depth: number): string {
  const lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (let i = 0; i < depth; i++) lines.push(`:D${i} - [0:0]`);
  lines.push("-A INPUT -j D0");
  for (let i = 0; i < depth - 1; i++) lines.push(`-A D${i} -p udp -j D${i + 1}`, `-A D${i} -p tcp -m tcp --dport ${(i % 60000) + 1} -j RETURN`);
  lines.push(`-A D${depth - 1} -p udp -m multiport --dports 500,4500 -j ACCEPT`, "-A INPUT -p udp -m udp --dport 1701 -j ACCEPT", "COMMIT", "");
  return lines.join("\n");
}

/**
 * `count` user chains, each jumped to from INPUT (one source address each) and jumping on to the next in runs of `run`
 * (the last of a run to a chain that does not exist): every chain is walked and asked about its callers.
 */
export function chainFan(count: number, run: number): string {
  const lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (let i = 0; i < count; i++) lines.push(`:F${i} - [0:0]`);
  for (let i = 0; i < count; i++) lines.push(`-A INPUT -s 192.0.2.${i % 256}/32 -j F${i}`);
  for (let i = 0; i < count; i++) lines.push(`-A F${i} -p udp -m udp --dport ${500 + (i % 3)} -j ${i % run === run - 1 ? "MISSING" : `F${i + 1}`}`);
  lines.push("COMMIT", "");
  return lines.join("\n");
}

/** Same seed, same bytes: uniformly random, or random bytes after a valid-looking header. */
export function binaryGarbage(seed: number, size: number, header = ""): Uint8Array {
  const random = seededRandom(seed);
  return concat(utf8(header), Uint8Array.from({ length: size }, () => random.int(0, 255)));
}

/** Inputs built to trip backtracking regexes: long ambiguous runs of the characters addresses, ports and options use. */
export function backtrackingBait(format: "iptables" | "vyatta"): string[] {
  const n = 100_000;
  const runs = [
    "1.".repeat(n),
    "1:".repeat(n),
    ":".repeat(n) + "x",
    "0x".repeat(n),
    "9".repeat(n) + "!",
    "-".repeat(n) + "x",
    `"${"\\".repeat(n)}`,
    `${" ".repeat(n)}\t!`,
    `${"a,".repeat(n)}`,
    `${"10.0.0.1/".repeat(n)}`,
    `${"--x ".repeat(n / 4)}`,
  ];
  return runs.map((run) =>
    format === "iptables"
      ? `*filter\n-A INPUT -s ${run} -p udp --dport ${run} -m comment --comment ${run} -j ${run}\n${run}\nCOMMIT\n`
      : `firewall {\n    name X {\n        rule 10 {\n            source {\n                address ${run}\n            }\n            description ${run}\n        }\n    }\n}\n${run}\n`,
  );
}

/** A config whose quote opens on line 3 and never closes: everything after it becomes one long token. */
export function unclosedQuoteConfig(rules: number): string {
  const lines = ["firewall {", "    name WAN_LOCAL {", '        description "forgot to close', "        default-action drop"];
  for (let i = 1; i <= rules; i++) lines.push(`        rule ${i * 10} {`, "            action accept", "            destination {", `                port ${1000 + i}`, "            }", "            protocol udp", "        }");
  lines.push("    }", "}", "");
  return lines.join("\n");
}

/** Shell scripts calling iptables, broken the ways shell syntax can break. */
export function hostileShellScripts(): { name: string; text: string }[] {
  const shebang = "#!/bin/sh\n";
  return [
    { name: "100,000 continuation lines", text: `${shebang}iptables -A INPUT \\\n${"  -p udp \\\n".repeat(100_000)}  -j ACCEPT\n` },
    { name: "unterminated here-document", text: `${shebang}iptables-restore <<EOF\n*filter\n${"-A INPUT -p udp --dport 500 -j ACCEPT\n".repeat(10_000)}` },
    { name: "100,000 nested command substitutions", text: `${shebang}iptables -A INPUT -s ${"$(".repeat(100_000)}x${")".repeat(100_000)} -j ACCEPT\n` },
    { name: "unterminated double quote", text: `${shebang}iptables -A INPUT -m comment --comment "open\n${"iptables -A INPUT -j DROP\n".repeat(10_000)}` },
    { name: "unterminated single quote", text: `${shebang}iptables -A INPUT -m comment --comment 'open\n${"iptables -A INPUT -j DROP\n".repeat(10_000)}` },
    { name: "100,000 escaped quotes", text: `${shebang}iptables -A INPUT -m comment --comment "${'\\"'.repeat(100_000)}" -j ACCEPT\n` },
    { name: "variable chain of 10,000 assignments", text: `${shebang}${Array.from({ length: 10_000 }, (_, i) => `V${i + 1}="$V${i}"`).join("\n")}\nIPT=iptables\n$IPT -A INPUT -p udp --dport $V10000 -j ACCEPT\n` },
  ];
}
