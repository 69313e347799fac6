// Other match modules: comment, mark (modelled), and the ones the engine treats as "may match": set, limit,
// hashlimit, recent, time, statistic, owner, cgroup, cluster, cpu, quota, nfacct, rateest, rpfilter, socket, devgroup.

import { defineMatch, Invalid, opt, type ValueParser } from "../extension.js";
import { optionRange } from "../mapping.js";
import { anyString, choice, fraction, hostMask, markMask, packetRate, rate, str, uint, uint64, uintList } from "../parsers.js";
import { parseRange, parseUnsigned } from "../values.js";

const commentModule = defineMatch({
  name: "comment",
  options: [opt("comment", anyString)],
  required: [["comment"]],
  toMatches() {
    // A comment matches every packet; the rule carries its text.
  },
});

const markModule = defineMatch({
  name: "mark",
  options: [opt("mark", markMask, "!")],
  required: [["mark"]],
  toMatches(ext, rule, out) {
    const [value, mask] = ext.value<readonly [number, number]>("mark")!;
    const range = optionRange(ext, rule, "mark");
    const m = { kind: "mark" as const, value, mask, negated: ext.isInverted("mark") };
    out.push(range ? { ...m, range } : m);
  },
});

/** `NAME FLAGS`: an ipset name and src/dst directions (1 to 6). */
const setAndFlags: ValueParser = (name, _ext, _rule, flags) => {
  if (name.length === 0 || Buffer.byteLength(name) > 31) return new Invalid(`"${name}" is not a valid set name (1 to 31 characters)`);
  const list = (flags ?? "").split(",");
  if (list.length > 6 || list.some((f) => f !== "src" && f !== "dst")) return new Invalid(`"${flags}" must be src/dst directions, e.g. src or src,dst`);
  return name;
};

const setModule = defineMatch({
  name: "set",
  options: [
    opt("match-set|set", setAndFlags, "!2"),
    opt("return-nomatch"),
    opt("update-counters", undefined, "!"),
    opt("update-subcounters", undefined, "!"),
    opt("packets-eq", uint64(), "!"),
    opt("packets-lt", uint64()),
    opt("packets-gt", uint64()),
    opt("bytes-eq", uint64(), "!"),
    opt("bytes-lt", uint64()),
    opt("bytes-gt", uint64()),
  ],
  required: [["match-set"]],
  exclusive: [["packets-eq", "packets-lt", "packets-gt"], ["bytes-eq", "bytes-lt", "bytes-gt"]],
});

/** Seconds per unit of a `--limit` rate. */
function rateUnitSeconds(value: string): number {
  const slash = value.indexOf("/");
  const unit = slash === -1 ? "second" : value.slice(slash + 1);
  return "minute".startsWith(unit) ? 60 : "hour".startsWith(unit) ? 3600 : "day".startsWith(unit) ? 86400 : 1;
}

const LIMIT_SCALE = 10000;

/** A packet rate, kept as written (the check needs its unit). */
const rateText: ValueParser = (value, ext, rule, second) => {
  const checked = rate(value, ext, rule, second);
  return checked instanceof Invalid ? checked : value;
};

const limitModule = defineMatch({
  name: "limit",
  options: [opt("limit", rateText), opt("limit-burst", uint(10000, 1))],
  check(ext) {
    const text = ext.value<string>("limit") ?? "3/hour";
    const count = packetRate(text)!;
    const average = Math.floor((LIMIT_SCALE * rateUnitSeconds(text)) / count);
    if (average === 0) return `rate ${text} is too fast (at most ${LIMIT_SCALE}/second)`;
    // The kernel multiplies average and burst in 32 bits and refuses the rule when that wraps below the average.
    const burst = ext.value<number>("limit-burst") ?? 5;
    if ((average * burst) % 2 ** 32 < average) return `--limit ${text} with --limit-burst ${burst} overflows the kernel's credit counter; lower the burst`;
    return undefined;
  },
});

const BYTE_RATE = /^[0-9]+(b|kb|mb)\/(s|sec|second|m|min|minute|h|hour|d|day)$/;

const hashRate: ValueParser = (value, ext, rule, second) => {
  if (BYTE_RATE.test(value)) return value;
  return rate(value, ext, rule, second);
};

const hashBurst: ValueParser = (value) => (/^[0-9]+(b|kb|mb)?$/.test(value) ? value : new Invalid(`"${value}" is not a burst (a number, or bytes like 400kb)`));

const hashMode: ValueParser = (value) => {
  for (const part of value.split(",")) {
    if (!["srcip", "srcport", "dstip", "dstport"].includes(part)) return new Invalid(`"${part}" is not one of srcip, srcport, dstip, dstport`);
  }
  return value;
};

const prefixLength: ValueParser = (value, _ext, rule) => {
  const max = rule.ctx.family === "ipv4" ? 32 : 128;
  return parseUnsigned(value, max) ?? new Invalid(`"${value}" is not a prefix length (0-${max})`);
};

const hashlimitModule = defineMatch({
  name: "hashlimit",
  options: [
    opt("hashlimit-upto|hashlimit", hashRate),
    opt("hashlimit-above", hashRate),
    opt("hashlimit-burst", hashBurst),
    opt("hashlimit-mode", hashMode),
    opt("hashlimit-srcmask", prefixLength),
    opt("hashlimit-dstmask", prefixLength),
    opt("hashlimit-name", str(256)),
    opt("hashlimit-htable-size", uint(0xffffffff)),
    opt("hashlimit-htable-max", uint(0xffffffff)),
    opt("hashlimit-htable-gcinterval", uint(0xffffffff)),
    opt("hashlimit-htable-expire", uint(0xffffffff)),
    opt("hashlimit-rate-match"),
    opt("hashlimit-rate-interval", uint(0xffffffff, 1)),
  ],
  required: [["hashlimit-upto", "hashlimit-above"], ["hashlimit-name"]],
  exclusive: [["hashlimit-upto", "hashlimit-above"]],
});

const recentModule = defineMatch({
  name: "recent",
  options: [
    opt("set", undefined, "!"),
    opt("rcheck", undefined, "!"),
    opt("update", undefined, "!"),
    opt("remove", undefined, "!"),
    opt("seconds", uint(0xffffffff, 1)),
    opt("reap"),
    opt("hitcount", uint(65535)),
    opt("rttl"),
    opt("name", str(200)),
    opt("rsource"),
    opt("rdest"),
    opt("mask", hostMask),
  ],
  required: [["set", "rcheck", "update", "remove"]],
  exclusive: [["set", "rcheck", "update", "remove"], ["rsource", "rdest"]],
  check(ext) {
    if (ext.has("reap") && !ext.has("seconds")) return "--reap needs --seconds";
    if ((ext.has("seconds") || ext.has("hitcount") || ext.has("rttl")) && (ext.has("set") || ext.has("remove"))) {
      return "--seconds, --hitcount and --rttl only work with --rcheck or --update";
    }
    return undefined;
  },
});

const DATE = /^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:T([0-9]{2})(?::([0-9]{2})(?::([0-9]{2}))?)?)?)?)?$/;
const TIME = /^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$/;
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const dateValue: ValueParser = (value) => {
  const m = DATE.exec(value);
  const [year, month, day, hour, minute, second] = (m ?? []).slice(1).map((v) => (v === undefined ? undefined : Number(v)));
  const valid =
    m !== null && year! >= 1970 && (month === undefined || (month >= 1 && month <= 12)) && (day === undefined || (day >= 1 && day <= 31)) &&
    (hour ?? 0) <= 23 && (minute ?? 0) <= 59 && (second ?? 0) <= 59;
  return valid ? value : new Invalid(`"${value}" is not a date (YYYY[-MM[-DD[Thh[:mm[:ss]]]]], from 1970)`);
};
const timeValue: ValueParser = (value) => {
  if (!TIME.test(value)) return new Invalid(`"${value}" is not a time of day (hh:mm[:ss])`);
  const [h, m, s] = value.split(":").map(Number);
  return h! > 23 || m! > 59 || (s ?? 0) > 59 ? new Invalid(`"${value}" is not a time of day (hh:mm[:ss])`) : value;
};
const weekdays: ValueParser = (value) => {
  for (const day of value.split(",")) {
    const n = parseUnsigned(day, 7);
    if ((n === undefined || n === 0) && !WEEKDAYS.some((w) => w.toLowerCase() === day.toLowerCase())) return new Invalid(`"${day}" is not a weekday (Mon..Sun or 1..7)`);
  }
  return value;
};

const timeModule = defineMatch({
  name: "time",
  options: [
    opt("datestart", dateValue),
    opt("datestop", dateValue),
    opt("timestart", timeValue),
    opt("timestop", timeValue),
    opt("monthdays", uintList(31), "!"),
    opt("weekdays", weekdays, "!"),
    opt("contiguous"),
    opt("kerneltz"),
    opt("localtz"),
    opt("utc"),
  ],
  exclusive: [["kerneltz", "localtz", "utc"]],
});

const statisticModule = defineMatch({
  name: "statistic",
  options: [
    opt("mode", choice(["random", "nth"])),
    opt("probability", fraction(0, 1), "!"),
    opt("every", uint(0xffffffff, 1), "!"),
    opt("packet", uint(0xffffffff)),
  ],
  required: [["mode"]],
  check(ext) {
    const random = ext.value<number>("mode") === 0;
    if (random && !ext.has("probability")) return "random mode needs --probability";
    if (random && (ext.has("every") || ext.has("packet"))) return "--every and --packet only work in nth mode";
    if (!random && ext.has("probability")) return "--probability only works in random mode";
    if (!random && !(ext.has("every") && ext.has("packet"))) return "nth mode needs --every and --packet";
    if (!random && ext.value<number>("packet")! >= ext.value<number>("every")!) return "--packet must be less than --every";
    return undefined;
  },
});

/** A user or group: a number, a range `a-b`, or a name (vpnlint cannot look names up, so it trusts them). */
const ownerId: ValueParser = (value) => {
  if (/^[0-9]/.test(value)) {
    return parseRange(value, 0, 0xffffffff, (s) => parseUnsigned(s, 0xfffffffe), "-") ?? new Invalid(`"${value}" is not an id or id range`);
  }
  return /^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(value) ? value : new Invalid(`"${value}" is not a user or group name`);
};

const ownerModule = defineMatch({
  name: "owner",
  hooks: ["OUTPUT", "POSTROUTING"],
  options: [
    opt("uid-owner", ownerId, "!"),
    opt("gid-owner", ownerId, "!"),
    opt("socket-exists", undefined, "!"),
    opt("suppl-groups", (_v, ext) => (ext.has("gid-owner") ? true : new Invalid("--suppl-groups must follow --gid-owner")), "0"),
  ],
  required: [["uid-owner", "gid-owner", "socket-exists"]],
});

const cgroupModule = defineMatch({
  name: "cgroup",
  hooks: ["INPUT", "OUTPUT", "POSTROUTING"],
  options: [opt("cgroup", uint(0xffffffff), "!"), opt("path", str(4096), "!")],
  required: [["cgroup", "path"]],
  exclusive: [["cgroup", "path"]],
});

const clusterModule = defineMatch({
  name: "cluster",
  options: [
    opt("cluster-total-nodes", uint(32, 1)),
    opt("cluster-local-node", uint(32, 1), "!"),
    opt("cluster-local-nodemask", uint(0xffffffff, 1), "!"),
    opt("cluster-hash-seed", uint(0xffffffff)),
  ],
  required: [["cluster-total-nodes"], ["cluster-local-node", "cluster-local-nodemask"], ["cluster-hash-seed"]],
  exclusive: [["cluster-local-node", "cluster-local-nodemask"]],
  check(ext) {
    const total = ext.value<number>("cluster-total-nodes")!;
    const node = ext.value<number>("cluster-local-node");
    const mask = node !== undefined ? 2 ** (node - 1) : ext.value<number>("cluster-local-nodemask")!;
    return mask >= 2 ** total ? "the local node must be one of the --cluster-total-nodes" : undefined;
  },
});

const cpuModule = defineMatch({ name: "cpu", options: [opt("cpu", uint(0xffffffff), "!")], required: [["cpu"]] });
const quotaModule = defineMatch({ name: "quota", options: [opt("quota", uint64(), "!")], required: [["quota"]] });
const nfacctModule = defineMatch({ name: "nfacct", options: [opt("nfacct-name", str(32))], required: [["nfacct-name"]] });

const bitRate: ValueParser = (value) =>
  /^[0-9]+(\.[0-9]+)?([kmgt]?(bit|bps)|[kmgt]i?bit|[kmgt]i?bps)?$/i.test(value) ? value : new Invalid(`"${value}" is not a rate (e.g. 8bit, 5kbit)`);
const packetCount: ValueParser = uint(0xffffffff);

const rateestModule = defineMatch({
  name: "rateest",
  options: [
    opt("rateest-delta"),
    opt("rateest-lt", undefined, "!"),
    opt("rateest-gt", undefined, "!"),
    opt("rateest-eq", undefined, "!"),
    opt("rateest", str(16)),
    opt("rateest1", str(16)),
    opt("rateest2", str(16)),
    opt("rateest-bps", bitRate, "n"),
    opt("rateest-pps", packetCount, "n"),
    opt("rateest-bps1", bitRate, "n"),
    opt("rateest-bps2", bitRate, "n"),
    opt("rateest-pps1", packetCount, "n"),
    opt("rateest-pps2", packetCount, "n"),
  ],
  required: [["rateest", "rateest1"], ["rateest-lt", "rateest-gt", "rateest-eq"]],
  exclusive: [["rateest-lt", "rateest-gt", "rateest-eq"], ["rateest", "rateest1"]],
});

const rpfilterModule = defineMatch({
  name: "rpfilter",
  tables: ["raw", "mangle"],
  hooks: ["PREROUTING"],
  options: [opt("loose"), opt("validmark"), opt("accept-local"), opt("invert")],
});

const socketModule = defineMatch({
  name: "socket",
  hooks: ["PREROUTING", "INPUT"],
  options: [opt("transparent"), opt("nowildcard"), opt("restore-skmark")],
});

const devgroupModule = defineMatch({
  name: "devgroup",
  options: [opt("src-group", markMask, "!"), opt("dst-group", markMask, "!")],
  required: [["src-group", "dst-group"]],
});

export const miscMatches = [
  commentModule, markModule, setModule, limitModule, hashlimitModule, recentModule, timeModule, statisticModule,
  ownerModule, cgroupModule, clusterModule, cpuModule, quotaModule, nfacctModule, rateestModule, rpfilterModule,
  socketModule, devgroupModule,
];
