// Seeded random iptables-restore rulesets over the features the engine models, and probe packets that hit them.

import type { Probe } from "./harness.js";
import { mulberry32 } from "../helpers/random.js";


const SOURCES = ["192.0.2.1", "192.0.2.2", "192.0.2.50", "192.0.2.130", "198.51.100.7", "198.51.100.64", "198.51.100.200", "203.0.113.10", "203.0.113.77", "203.0.113.200"];
const TARGETS = ["203.0.113.1", "203.0.113.2"];
const PORTS = [22, 53, 80, 443, 500, 1701, 1723, 4500, 40000];
const PROTOCOLS = [
  ["udp", 17],
  ["tcp", 6],
  ["icmp", 1],
  ["esp", 50],
  ["ah", 51],
  ["gre", 47],
] as const;
const STATES = ["NEW", "ESTABLISHED,RELATED", "INVALID", "NEW,ESTABLISHED", "RELATED,ESTABLISHED,NEW"];
const INTERFACES = ["eth0", "eth1", "eth+", "ppp+", "lo"];
const MARKS = ["0x1", "0x2", "0x4", "0x4000", "0x4001"];

export interface Generated {
  readonly seed: number;
  readonly text: string;
  readonly probes: Probe[];
}

let sequence = 1;

export function generate(seed: number, probeCount = 10): Generated {
  const rnd = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const chance = (p: number) => rnd() < p;
  const not = (p: number) => (chance(p) ? "! " : "");
  const userChains = Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => `C${i + 1}`);
  const chains = ["INPUT", ...userChains];

  const cidr = (address: string): string => {
    const len = pick([32, 32, 31, 30, 28, 26, 25, 24, 24, 16, 8]);
    const value = address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
    const base = len === 0 ? 0 : value - (value % 2 ** (32 - len));
    return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join(".")}/${len}`;
  };
  const portSpec = (): string => (chance(0.7) ? String(pick(PORTS)) : `${pick([0, 400, 500])}:${pick([500, 1701, 4500, 65535])}`);
  const portList = (): string => {
    const n = 1 + Math.floor(rnd() * 4);
    const items = Array.from({ length: n }, () => (chance(0.8) ? String(pick(PORTS)) : `${pick([400, 500, 1000])}:${pick([1701, 4500])}`));
    return [...new Set(items)].join(",");
  };

  const withMarks = chance(0.5);
  const matches = (): string[] => {
    const words: string[] = [];
    let portProto: string | undefined;
    if (chance(0.65)) {
      const [name] = pick(PROTOCOLS);
      const negated = chance(0.1);
      words.push(`${negated ? "! " : ""}-p ${name}`);
      if (!negated && (name === "udp" || name === "tcp")) portProto = name;
    }
    if (chance(0.3)) words.push(`${not(0.25)}-s ${cidr(pick(SOURCES))}`);
    if (chance(0.15)) words.push(`${not(0.25)}-d ${cidr(pick(TARGETS))}`);
    if (chance(0.3)) words.push(`${not(0.25)}-i ${pick(INTERFACES)}`);
    if (portProto && chance(0.75)) {
      const kind = Math.floor(rnd() * 3);
      if (kind === 0) words.push(`-m ${portProto} ${not(0.2)}--dport ${portSpec()}`);
      else if (kind === 1) words.push(`-m ${portProto} ${not(0.2)}--sport ${portSpec()}`);
      else words.push(`-m multiport ${not(0.2)}--${pick(["dports", "sports", "ports"])} ${portList()}`);
    }
    if (chance(0.1)) words.push(`-m iprange ${not(0.2)}--src-range ${pick(SOURCES.slice(0, 4))}-${pick(SOURCES.slice(4))}`);
    if (chance(0.25)) {
      if (chance(0.5)) words.push(`-m conntrack ${not(0.2)}--ctstate ${pick(STATES)}`);
      else words.push(`-m state ${not(0.2)}--state ${pick(STATES)}`);
    }
    if (withMarks && chance(0.25)) words.push(`-m mark ${not(0.25)}--mark ${pick(MARKS)}${pick(["", "/0xff", "/0x1", "/0x4000"])}`);
    if (chance(0.15)) {
      words.push(`-m policy --dir in ${pick(["--pol none", "--pol ipsec", "--pol ipsec --proto esp --mode tunnel"])}`);
    }
    return words;
  };

  const rule = (chainIndex: number): string => {
    const words = matches();
    const later = chains.slice(chainIndex + 1).filter((c) => c !== "INPUT");
    const roll = rnd();
    let target: string;
    if (roll < 0.25) target = "-j ACCEPT";
    else if (roll < 0.45) target = "-j DROP";
    else if (roll < 0.55) target = "-j REJECT";
    else if (roll < 0.65) target = "-j RETURN";
    else if (later.length > 0 && roll < 0.9) target = `-j ${pick(later)}`;
    else if (later.length > 0) target = `-g ${pick(later)}`;
    else target = pick(["-j ACCEPT", "-j DROP"]);
    return `-A ${chains[chainIndex]} ${[...words, target].join(" ")}`;
  };

  // A mangle PREROUTING that marks (or drops) first, when the filter rules look at marks; always present (and then
  // empty) because iptables-restore replaces only the tables it is given.
  const mangle = [
    "*mangle",
    ...["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"].map((c) => `:${c} ACCEPT [0:0]`),
    ...Array.from({ length: withMarks ? 1 + Math.floor(rnd() * 4) : 0 }, () => {
      const target = pick([
        `-j MARK --set-xmark ${pick(MARKS)}/${pick(["0xff", "0xffffffff", "0x4000"])}`,
        `-j MARK --set-mark ${pick(MARKS)}`,
        `-j MARK --or-mark ${pick(MARKS)}`,
        "-j MARK --and-mark 0xfffffffe",
        "-j DROP",
        "-j ACCEPT",
        "-j RETURN",
      ]);
      return `-A PREROUTING ${[...matches(), target].join(" ")}`;
    }),
    "COMMIT",
  ];
  const lines = [...mangle, "*filter", `:INPUT ${pick(["ACCEPT", "DROP"])} [0:0]`, ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ...userChains.map((c) => `:${c} - [0:0]`)];
  chains.forEach((_, i) => {
    const count = i === 0 ? 2 + Math.floor(rnd() * 7) : 1 + Math.floor(rnd() * 5);
    for (let k = 0; k < count; k++) lines.push(rule(i));
  });
  lines.push("COMMIT", "");

  const probes: Probe[] = Array.from({ length: probeCount }, (_, k) => {
    const [, proto] = pick(PROTOCOLS);
    const seq = sequence++ & 0xffff;
    const ports = proto === 6 || proto === 17 ? { sport: chance(0.6) ? pick(PORTS) : 20000 + Math.floor(rnd() * 40000), dport: pick(PORTS) } : {};
    return { via: pick(["vA", "vB"]), proto, src: pick(SOURCES), dst: pick(TARGETS), ...ports, seq, tag: `s${seed}p${k}` };
  });
  return { seed, text: lines.join("\n"), probes };
}
