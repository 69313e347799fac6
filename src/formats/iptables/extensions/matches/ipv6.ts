// IPv6 extension-header matches of ip6tables (libip6t_*): frag, hbh, dst, rt, mh, ipv6header, eui64, and ah for IPv6.

import { defineMatch, Invalid, opt, type ValueParser } from "../extension.js";
import { uint, uintRange } from "../parsers.js";
import { parseUnsigned } from "../values.js";

/** `--hbh-opts`/`--dst-opts`: `type[:length]` items. */
const headerOptions: ValueParser = (value) => {
  for (const item of value.split(",")) {
    const [type, length, extra] = item.split(":");
    if (extra !== undefined || parseUnsigned(type ?? "", 255) === undefined || (length !== undefined && parseUnsigned(length, 255) === undefined)) {
      return new Invalid(`"${item}" is not type[:length]`);
    }
  }
  return value;
};

const HEADERS = ["hop", "hop-by-hop", "dst", "route", "frag", "auth", "esp", "none", "prot", "ipv6-frag", "ipv6-route", "ipv6-opts", "ipv6-nonxt", "ah", "protocol"];

const headerList: ValueParser = (value) => {
  for (const item of value.split(",")) {
    if (!HEADERS.includes(item.toLowerCase()) && parseUnsigned(item, 255) === undefined) return new Invalid(`unknown extension header "${item}"`);
  }
  return value;
};

const MH_TYPES = ["binding-refresh-request", "brr", "home-test-init", "hoti", "careof-test-init", "coti", "home-test", "hot", "careof-test", "cot", "binding-update", "bu", "binding-acknowledgement", "ba", "binding-error", "be"];

const mhType: ValueParser = (value) => {
  for (const side of value.split(":")) {
    if (side !== "" && !MH_TYPES.includes(side.toLowerCase()) && parseUnsigned(side, 255) === undefined) return new Invalid(`unknown mobility header type "${side}"`);
  }
  return value;
};

export const ipv6Matches = [
  defineMatch({
    name: "frag",
    family: "ipv6",
    options: [
      opt("fragid", uintRange(0xffffffff), "!"),
      opt("fraglen", uint(0xffffffff), "!"),
      opt("fragres"),
      opt("fragfirst"),
      opt("fragmore"),
      opt("fraglast"),
    ],
    exclusive: [["fragmore", "fraglast"]],
  }),
  defineMatch({ name: "hbh", family: "ipv6", options: [opt("hbh-len", uint(0xffffffff), "!"), opt("hbh-opts", headerOptions)] }),
  defineMatch({ name: "dst", family: "ipv6", options: [opt("dst-len", uint(0xffffffff), "!"), opt("dst-opts", headerOptions)] }),
  defineMatch({
    name: "rt",
    family: "ipv6",
    options: [
      opt("rt-type", uint(255), "!"),
      opt("rt-segsleft", uintRange(0xffffffff), "!"),
      opt("rt-len", uint(0xffffffff), "!"),
      opt("rt-0-res"),
      opt("rt-0-addrs", (value) => value),
      opt("rt-0-not-strict"),
    ],
  }),
  defineMatch({ name: "mh", family: "ipv6", protos: [135], options: [opt("mh-type", mhType, "!")] }),
  defineMatch({ name: "ipv6header", family: "ipv6", options: [opt("header", headerList, "!"), opt("soft")], required: [["header"]] }),
  defineMatch({ name: "eui64", family: "ipv6", hooks: ["PREROUTING", "INPUT", "FORWARD"] }),
  defineMatch({
    name: "ah",
    family: "ipv6",
    options: [opt("ahspi", uintRange(0xffffffff), "!"), opt("ahlen", uint(0xffffffff), "!"), opt("ahres")],
  }),
];
