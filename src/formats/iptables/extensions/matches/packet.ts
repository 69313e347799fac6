// Matches on packet contents and header fields the engine does not model: length, ttl, hl, tos, dscp, ecn, tcpmss,
// string, u32, bpf, pkttype, osf.

import { defineMatch, Invalid, opt, protoIs, type ValueParser } from "../extension.js";
import { anyString, choice, str, uint, uintRange } from "../parsers.js";
import { parseUnsigned } from "../values.js";

const lengthModule = defineMatch({ name: "length", options: [opt("length", uintRange(65535), "!")], required: [["length"]] });

function ttlLike(name: string, prefix: string, family: "ipv4" | "ipv6") {
  const names = [`${prefix}-eq`, `${prefix}-lt`, `${prefix}-gt`];
  return defineMatch({
    name,
    family,
    options: names.map((n, i) => opt(n, uint(255), i === 0 ? "!" : "")),
    required: [names],
    exclusive: [names],
  });
}

const TOS_NAMES: ReadonlyMap<string, number> = new Map([
  ["minimize-delay", 0x10], ["maximize-throughput", 0x08], ["maximize-reliability", 0x04], ["minimize-cost", 0x02],
  ["normal-service", 0x00],
]);

/** `--tos value[/mask]` or a symbolic name (mask 0x3f). */
export const tosValue: ValueParser = (value) => {
  const named = TOS_NAMES.get(value.toLowerCase());
  if (named !== undefined) return [named, 0x3f];
  const slash = value.indexOf("/");
  const v = parseUnsigned(slash === -1 ? value : value.slice(0, slash), 255);
  const m = slash === -1 ? 255 : parseUnsigned(value.slice(slash + 1), 255);
  if (v === undefined || m === undefined) return new Invalid(`"${value}" is not a TOS value[/mask] or name (Minimize-Delay, ...)`);
  return [v, m];
};

const tosModule = defineMatch({ name: "tos", options: [opt("tos", tosValue, "!")], required: [["tos"]] });

export const DSCP_CLASSES = [
  "CS0", "CS1", "CS2", "CS3", "CS4", "CS5", "CS6", "CS7", "BE", "AF11", "AF12", "AF13", "AF21", "AF22", "AF23", "AF31",
  "AF32", "AF33", "AF41", "AF42", "AF43", "EF",
];

const dscpModule = defineMatch({
  name: "dscp",
  options: [opt("dscp", uint(0x3f), "!"), opt("dscp-class", choice(DSCP_CLASSES, true), "!")],
  required: [["dscp", "dscp-class"]],
  exclusive: [["dscp", "dscp-class"]],
});

const ecnModule = defineMatch({
  name: "ecn",
  options: [opt("ecn-tcp-cwr", undefined, "!"), opt("ecn-tcp-ece", undefined, "!"), opt("ecn-ip-ect", uint(3), "!")],
  required: [["ecn-tcp-cwr", "ecn-tcp-ece", "ecn-ip-ect"]],
  check(ext, rule) {
    if ((ext.has("ecn-tcp-cwr") || ext.has("ecn-tcp-ece")) && !protoIs(rule, [6])) return "--ecn-tcp-cwr and --ecn-tcp-ece need -p tcp";
    return undefined;
  },
});

const tcpmssModule = defineMatch({ name: "tcpmss", protos: [6], options: [opt("mss", uintRange(65535), "!")], required: [["mss"]] });

const STRING_MAX = 128;

/** `--hex-string`: text with `|hex bytes|` runs; the decoded pattern must fit the kernel's 128 bytes. */
const hexString: ValueParser = (value) => {
  let length = 0;
  let inHex = false;
  let pending = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "|") {
      if (inHex && pending % 2 !== 0) return new Invalid(`odd number of hex digits in "${value}"`);
      inHex = !inHex;
      pending = 0;
      continue;
    }
    if (inHex) {
      if (c === " ") continue;
      if (!/[0-9a-fA-F]/.test(c)) return new Invalid(`invalid hex digit "${c}" in "${value}"`);
      pending++;
      if (pending % 2 === 0) length++;
    } else {
      if (c === "\\") i++;
      length++;
    }
  }
  if (inHex) return new Invalid(`unbalanced "|" in "${value}"`);
  if (length === 0 || length > STRING_MAX) return new Invalid(`the pattern must be 1 to ${STRING_MAX} bytes`);
  return value;
};

const stringModule = defineMatch({
  name: "string",
  options: [
    opt("from", uint(65535)),
    opt("to", uint(65535)),
    opt("algo", choice(["bm", "kmp"])),
    opt("string", (value) => (value.length === 0 || Buffer.byteLength(value) > STRING_MAX ? new Invalid(`the string must be 1 to ${STRING_MAX} bytes`) : value), "!"),
    opt("hex-string", hexString, "!"),
    opt("icase"),
  ],
  required: [["algo"], ["string", "hex-string"]],
  exclusive: [["string", "hex-string"]],
});

const U32_NUMBER = "(?:0[xX][0-9a-fA-F]+|[0-9]+)";
const U32_LOCATION = new RegExp(`^\\s*${U32_NUMBER}(?:\\s*(?:&|<<|>>|@)\\s*${U32_NUMBER})*\\s*$`);
const U32_RANGES = new RegExp(`^\\s*${U32_NUMBER}(?:\\s*:\\s*${U32_NUMBER})?(?:\\s*,\\s*${U32_NUMBER}(?:\\s*:\\s*${U32_NUMBER})?)*\\s*$`);

/** `location=ranges[&&location=ranges...]` (iptables-extensions(8) u32). */
const u32Tests: ValueParser = (value) => {
  for (const test of value.split("&&")) {
    const eq = test.indexOf("=");
    if (eq === -1 || !U32_LOCATION.test(test.slice(0, eq)) || !U32_RANGES.test(test.slice(eq + 1))) {
      return new Invalid(`"${test.trim()}" is not a u32 test (location=value[:value][,...], location like 0>>22&0x3C@12)`);
    }
  }
  return value;
};

const u32Module = defineMatch({ name: "u32", options: [opt("u32", u32Tests, "!")], required: [["u32"]] });

/** `--bytecode "N,op jt jf k,..."`: N instructions of four numbers each. */
const bytecode: ValueParser = (value) => {
  const parts = value.split(",");
  const count = parseUnsigned(parts[0]!.trim(), 64);
  if (count === undefined || count === 0 || parts.length !== count + 1) return new Invalid(`"${value}" is not BPF bytecode ("count,op jt jf k,...")`);
  for (const insn of parts.slice(1)) {
    if (!/^\s*\d+ \d+ \d+ \d+\s*$/.test(insn)) return new Invalid(`invalid BPF instruction "${insn}"`);
  }
  return value;
};

const bpfModule = defineMatch({
  name: "bpf",
  options: [opt("bytecode", bytecode), opt("object-pinned", anyString)],
  required: [["bytecode", "object-pinned"]],
  exclusive: [["bytecode", "object-pinned"]],
});

const pkttypeModule = defineMatch({
  name: "pkttype",
  options: [opt("pkt-type", choice(["unicast", "broadcast", "multicast", "host", "otherhost", "outgoing", "loopback"], true), "!")],
  required: [["pkt-type"]],
});

const osfModule = defineMatch({
  name: "osf",
  protos: [6],
  hooks: ["PREROUTING", "INPUT", "FORWARD"],
  options: [opt("genre", str(32), "!"), opt("ttl", uint(2)), opt("log", uint(2))],
  required: [["genre"]],
});

export const packetMatches = [
  lengthModule, ttlLike("ttl", "ttl", "ipv4"), ttlLike("hl", "hl", "ipv6"), tosModule, dscpModule, ecnModule,
  tcpmssModule, stringModule, u32Module, bpfModule, pkttypeModule, osfModule,
];
