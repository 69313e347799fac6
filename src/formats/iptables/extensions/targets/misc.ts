// Targets that let the packet go on (LOG, NFLOG, TCPMSS, CT, DSCP, TOS, TTL, ...), and terminal ones whose verdict the
// ruleset does not tell (NFQUEUE, TPROXY, SYNPROXY).

import { defineTarget, Invalid, opt, protoIs, type ExtensionState, type RuleState, type ValueParser } from "../extension.js";
import { tcpFlagIntervals } from "../matches/ports.js";
import { DSCP_CLASSES, tosValue } from "../matches/packet.js";
import { anyString, choice, host, markMask, portRange, str, uint, uintRange } from "../parsers.js";
import { parseUnsigned } from "../values.js";

const LOG_LEVELS: ReadonlyMap<string, number> = new Map([
  ["emerg", 0], ["panic", 0], ["alert", 1], ["crit", 2], ["error", 3], ["warning", 4], ["notice", 5], ["info", 6], ["debug", 7],
]);

const logLevel: ValueParser = (value) => {
  const level = parseUnsigned(value, 7) ?? LOG_LEVELS.get(value);
  return level ?? new Invalid(`unknown log level "${value}" (0-7, emerg, alert, crit, error, warning, notice, info, debug)`);
};

const log = defineTarget({
  name: "LOG",
  options: [
    opt("log-level", logLevel),
    // Legacy iptables cuts a longer prefix to 29 characters without complaint.
    opt("log-prefix", (value) => (value.length === 0 ? new Invalid("the prefix is empty") : value)),
    opt("log-tcp-sequence"),
    opt("log-tcp-options"),
    opt("log-ip-options"),
    opt("log-uid"),
    opt("log-macdecode"),
  ],
});

const nflog = defineTarget({
  name: "NFLOG",
  options: [
    opt("nflog-group", uint(65535)),
    opt("nflog-prefix", anyString),
    opt("nflog-range", uint(0xffffffff)),
    opt("nflog-size", uint(0xffffffff)),
    opt("nflog-threshold", uint(65535)),
  ],
  exclusive: [["nflog-range", "nflog-size"]],
});

/** Does the rule match only SYN packets with `-m tcp` (what the kernel's TCPMSS demands outside nftables)? */
function hasSynMatch(rule: RuleState): boolean {
  return rule.matches.some((m: ExtensionState) => {
    if (m.def.name !== "tcp") return false;
    if (m.has("syn")) return !m.isInverted("syn");
    const flags = m.value<readonly [number, number]>("tcp-flags");
    return flags !== undefined && !m.isInverted("tcp-flags") && (flags[1] & 2) !== 0 && tcpFlagIntervals(flags[0], flags[1]).length > 0;
  });
}

const tcpmss = defineTarget({
  name: "TCPMSS",
  protos: [6],
  options: [opt("set-mss", uint(65535)), opt("clamp-mss-to-pmtu")],
  required: [["set-mss", "clamp-mss-to-pmtu"]],
  exclusive: [["set-mss", "clamp-mss-to-pmtu"]],
  check(ext, rule) {
    if (ext.has("clamp-mss-to-pmtu") && rule.builtin && !["FORWARD", "OUTPUT", "POSTROUTING"].includes(rule.ctx.chain)) {
      return "--clamp-mss-to-pmtu only works in FORWARD, OUTPUT and POSTROUTING";
    }
    if (!hasSynMatch(rule)) return "needs a SYN match before it (-p tcp --syn, or --tcp-flags with SYN)";
    return undefined;
  },
});

const CT_EVENTS = ["new", "related", "destroy", "reply", "assured", "protoinfo", "helper", "mark", "natseqinfo", "secmark"];

function eventList(names: readonly string[]): ValueParser {
  return (value) => {
    for (const part of value.split(",")) if (!names.includes(part)) return new Invalid(`"${part}" is not one of ${names.join(", ")}`);
    return value;
  };
}

const zone: ValueParser = (value, ext, rule, second) => (value === "mark" ? value : uint(65535)(value, ext, rule, second));

const ct = defineTarget({
  name: "CT",
  tables: ["raw"],
  options: [
    opt("notrack"),
    opt("helper", str(16)),
    opt("ctevents", eventList(CT_EVENTS)),
    opt("expevents", eventList(["new"])),
    opt("zone-orig", zone),
    opt("zone-reply", zone),
    opt("zone", zone),
    opt("timeout", str(32)),
  ],
});

const simple = (name: string, tables?: ("raw" | "mangle" | "security")[]) => defineTarget({ name, ...(tables ? { tables } : {}) });

const dscp = defineTarget({
  name: "DSCP",
  tables: ["mangle"],
  options: [opt("set-dscp", uint(0x3f)), opt("set-dscp-class", choice(DSCP_CLASSES, true))],
  required: [["set-dscp", "set-dscp-class"]],
  exclusive: [["set-dscp", "set-dscp-class"]],
});

const TOS_OPS = ["set-tos", "and-tos", "or-tos", "xor-tos"];

const tos = defineTarget({
  name: "TOS",
  tables: ["mangle"],
  options: [opt("set-tos", tosValue), opt("and-tos", uint(255)), opt("or-tos", uint(255)), opt("xor-tos", uint(255))],
  required: [TOS_OPS],
  exclusive: [TOS_OPS],
});

function ttlTarget(name: string, prefix: string, family: "ipv4" | "ipv6") {
  const ops = [`${prefix}-set`, `${prefix}-inc`, `${prefix}-dec`];
  return defineTarget({
    name,
    family,
    tables: ["mangle"],
    options: [opt(ops[0]!, uint(255)), opt(ops[1]!, uint(255, 1)), opt(ops[2]!, uint(255, 1))],
    required: [ops],
    exclusive: [ops],
  });
}

const classify = defineTarget({
  name: "CLASSIFY",
  tables: ["mangle"],
  hooks: ["FORWARD", "OUTPUT", "POSTROUTING"],
  options: [opt("set-class", (value) => (/^[0-9a-fA-F]{1,4}:[0-9a-fA-F]{1,4}$/.test(value) ? value : new Invalid(`"${value}" is not MAJOR:MINOR (hex)`)))],
  required: [["set-class"]],
});

const ecn = defineTarget({
  name: "ECN",
  family: "ipv4",
  tables: ["mangle"],
  options: [opt("ecn-tcp-remove"), opt("ecn-tcp-cwr", uint(1)), opt("ecn-tcp-ece", uint(1)), opt("ecn-ip-ect", uint(3))],
  required: [["ecn-tcp-remove", "ecn-tcp-cwr", "ecn-tcp-ece", "ecn-ip-ect"]],
  check(ext, rule) {
    const tcpOps = ext.has("ecn-tcp-remove") || ext.has("ecn-tcp-cwr") || ext.has("ecn-tcp-ece");
    return tcpOps && !protoIs(rule, [6]) ? "the TCP operations need -p tcp" : undefined;
  },
});

const checksum = defineTarget({ name: "CHECKSUM", tables: ["mangle"], options: [opt("checksum-fill")], required: [["checksum-fill"]] });

const connsecmark = defineTarget({
  name: "CONNSECMARK",
  tables: ["mangle", "security"],
  options: [opt("save"), opt("restore")],
  required: [["save", "restore"]],
  exclusive: [["save", "restore"]],
});

const secmark = defineTarget({ name: "SECMARK", tables: ["mangle", "security"], options: [opt("selctx", str(256))], required: [["selctx"]] });

const hmark = defineTarget({
  name: "HMARK",
  options: [
    opt("hmark-tuple", eventList(["src", "dst", "sport", "dport", "spi", "ct"])),
    opt("hmark-src-prefix", uint(128)),
    opt("hmark-dst-prefix", uint(128)),
    opt("hmark-sport-mask", uint(65535)),
    opt("hmark-dport-mask", uint(65535)),
    opt("hmark-spi-mask", uint(0xffffffff)),
    opt("hmark-proto-mask", uint(65535)),
    opt("hmark-rnd", uint(0xffffffff)),
    opt("hmark-mod", uint(0xffffffff, 1)),
    opt("hmark-offset", uint(0xffffffff)),
  ],
  required: [["hmark-mod"], ["hmark-rnd"]],
  exclusive: [["hmark-spi-mask", "hmark-sport-mask"], ["hmark-spi-mask", "hmark-dport-mask"]],
});

const idletimer = defineTarget({
  name: "IDLETIMER",
  options: [opt("timeout", uint(0xffffffff)), opt("label", str(28)), opt("alarm")],
  required: [["timeout"], ["label"]],
});

const led = defineTarget({
  name: "LED",
  options: [
    opt("led-trigger-id", str(27)),
    opt("led-delay", (value) => (value === "inf" ? value : parseUnsigned(value, 0xffffffff) ?? new Invalid(`"${value}" is not a delay in ms or inf`))),
    opt("led-always-blink"),
  ],
  required: [["led-trigger-id"]],
});

const duration: ValueParser = (value) =>
  /^[0-9]+(\.[0-9]+)?(s|sec|ms|msec|us|usec)?$/.test(value) ? value : new Invalid(`"${value}" is not a time (e.g. 250ms)`);

const rateest = defineTarget({
  name: "RATEEST",
  options: [opt("rateest-name", str(16)), opt("rateest-interval", duration), opt("rateest-ewmalog", duration)],
  required: [["rateest-name"], ["rateest-interval"], ["rateest-ewmalog"]],
});

const audit = defineTarget({ name: "AUDIT", options: [opt("type", choice(["accept", "drop", "reject"]))], required: [["type"]] });

const setNameFlags: ValueParser = (name, _ext, _rule, flags) => {
  if (name.length === 0 || Buffer.byteLength(name) > 31) return new Invalid(`"${name}" is not a valid set name`);
  return (flags ?? "").split(",").every((f) => f === "src" || f === "dst") ? name : new Invalid(`"${flags}" must be src/dst directions`);
};

const setTarget = defineTarget({
  name: "SET",
  options: [
    opt("add-set", setNameFlags, "2"),
    opt("del-set", setNameFlags, "2"),
    opt("map-set", setNameFlags, "2"),
    opt("timeout", uint(0xffffffff)),
    opt("exist"),
    opt("map-mark"),
    opt("map-prio"),
    opt("map-queue"),
  ],
  required: [["add-set", "del-set", "map-set"]],
});

const TCP_OPTIONS: ReadonlyMap<string, number> = new Map([
  ["wscale", 3], ["mss", 2], ["sack-permitted", 4], ["sack", 5], ["timestamp", 8], ["md5", 19],
]);

const stripOptions: ValueParser = (value) => {
  for (const part of value.split(",")) {
    const n = TCP_OPTIONS.get(part) ?? parseUnsigned(part, 255);
    if (n === undefined || n < 2) return new Invalid(`"${part}" is not a TCP option that can be stripped (2-255 or a name)`);
  }
  return value;
};

const tcpoptstrip = defineTarget({ name: "TCPOPTSTRIP", tables: ["mangle"], protos: [6], options: [opt("strip-options", stripOptions)] });

const tee = defineTarget({ name: "TEE", options: [opt("gateway", host), opt("oif", str(16))], required: [["gateway"]] });

const nfqueue = defineTarget({
  name: "NFQUEUE",
  terminal: true,
  options: [
    opt("queue-num", uint(65535)),
    opt("queue-balance", (value, ext, rule, second) => {
      const r = uintRange(65534)(value, ext, rule, second);
      if (r instanceof Invalid) return r;
      return (r as [number, number])[0] >= (r as [number, number])[1] ? new Invalid("the first queue must be lower than the last") : r;
    }),
    opt("queue-bypass"),
    opt("queue-cpu-fanout"),
  ],
  exclusive: [["queue-num", "queue-balance"]],
});

const tproxy = defineTarget({
  name: "TPROXY",
  terminal: true,
  tables: ["mangle"],
  hooks: ["PREROUTING"],
  protos: [6, 17],
  options: [opt("on-port", portRange), opt("on-ip", host), opt("tproxy-mark", markMask)],
  required: [["on-port"]],
});

const synproxy = defineTarget({
  name: "SYNPROXY",
  terminal: true,
  protos: [6],
  hooks: ["INPUT", "FORWARD"],
  options: [opt("sack-perm"), opt("timestamp"), opt("wscale", uint(14)), opt("mss", uint(65535)), opt("ecn")],
});

const clusterip = defineTarget({
  name: "CLUSTERIP",
  family: "ipv4",
  options: [
    opt("new"),
    opt("hashmode", choice(["sourceip", "sourceip-sourceport", "sourceip-sourceport-destport"])),
    opt("clustermac", anyString),
    opt("total-nodes", uint(65535)),
    opt("local-node", uint(65535)),
    opt("hash-init", uint(0xffffffff)),
  ],
  check: () => "the CLUSTERIP target was removed from Linux 6.3; current kernels refuse it (use -m cluster)",
});

export const miscTargets = [
  log, nflog, tcpmss, ct, simple("NOTRACK", ["raw"]), simple("TRACE", ["raw"]), dscp, tos, ttlTarget("TTL", "ttl", "ipv4"),
  ttlTarget("HL", "hl", "ipv6"), classify, ecn, checksum, connsecmark, secmark, hmark, idletimer, led, rateest, audit,
  setTarget, tcpoptstrip, tee, nfqueue, tproxy, synproxy, clusterip,
];
