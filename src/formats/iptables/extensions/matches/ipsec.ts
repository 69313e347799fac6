// IPsec matches: policy (how a packet was or will be protected), esp, ah, ipcomp (SPI ranges).

import { IpsecState, type Interval, type Match } from "../../../../model/firewall.js";
import { defineMatch, Invalid, opt, type ExtensionState, type ValueParser } from "../extension.js";
import { extensionRange, opaqueIfAny } from "../mapping.js";
import { hostMask, protocol, choice, uint, uintRange } from "../parsers.js";

/** One `--next`-separated element of a policy match. */
interface PolicyElement {
  given: Set<string>;
  proto?: { value: number; negated: boolean };
  mode?: { value: number; negated: boolean };
}

const POLICY_MAX_ELEMENTS = 4;
/** IP protocol numbers of ESP, AH and IPComp, in IpsecState order. */
const IPSEC_PROTOCOLS = [50, 51, 108];

/** `--proto`: any way of writing esp, ah or ipcomp (name or number); the value is the IpsecState protocol index. */
const ipsecProtocol: ValueParser = (value, ext, rule, second) => {
  const number = protocol(value, ext, rule, second);
  if (number instanceof Invalid) return number;
  const index = IPSEC_PROTOCOLS.indexOf(number as number);
  return index === -1 ? new Invalid(`"${value}" is not esp, ah or ipcomp`) : index;
};
const MODES = ["transport", "tunnel"];

function elements(ext: ExtensionState): PolicyElement[] {
  if (!ext.data) ext.data = [] as PolicyElement[];
  return ext.data as PolicyElement[];
}

/** Element options may repeat across `--next`, but only once per element. */
function elementOption(name: string, parse: ValueParser): ValueParser {
  return (value, ext, rule, second) => {
    const list = elements(ext);
    if (list.length === 0) list.push({ given: new Set() });
    const current = list[list.length - 1]!;
    if (current.given.has(name)) return new Invalid(`--${name} given twice in one policy element (use --next between elements)`);
    const parsed = parse(value, ext, rule, second);
    if (parsed instanceof Invalid) return parsed;
    current.given.add(name);
    const negated = ext.negatedNow;
    if (name === "proto") current.proto = { value: parsed as number, negated };
    if (name === "mode") current.mode = { value: parsed as number, negated };
    return parsed;
  };
}

const policyModule = defineMatch({
  name: "policy",
  options: [
    opt("dir", choice(["in", "out"])),
    opt("pol", choice(["none", "ipsec"])),
    opt("strict"),
    opt("reqid", elementOption("reqid", uint(0xffffffff)), "!*"),
    opt("spi", elementOption("spi", uint(0xffffffff)), "!*"),
    opt("proto", elementOption("proto", ipsecProtocol), "!*"),
    opt("mode", elementOption("mode", choice(MODES)), "!*"),
    opt("tunnel-src", elementOption("tunnel-src", hostMask), "!*"),
    opt("tunnel-dst", elementOption("tunnel-dst", hostMask), "!*"),
    opt("next", (_v, ext) => {
      const list = elements(ext);
      if (list.length === 0 || list[list.length - 1]!.given.size === 0) return new Invalid("--next must follow the options of a policy element");
      if (list.length >= POLICY_MAX_ELEMENTS) return new Invalid(`at most ${POLICY_MAX_ELEMENTS} policy elements`);
      list.push({ given: new Set() });
      return true;
    }, "*0"),
  ],
  required: [["dir"]],
  check(ext, rule) {
    const all = elements(ext);
    const list = all.filter((e) => e.given.size > 0);
    const none = ext.value<number>("pol") === 0;
    if (all.length > list.length) return "--next is followed by no policy element options";
    if (none && ext.has("strict")) return "--pol none cannot be combined with --strict";
    if (ext.has("strict") && list.length === 0) return "--strict needs at least one policy element (--proto, --mode, --reqid, ...)";
    if (!ext.has("strict") && ext.has("next")) return "--next needs --strict";
    for (const e of list) {
      const tunnel = e.mode !== undefined && (e.mode.value === 1) !== e.mode.negated;
      if ((e.given.has("tunnel-src") || e.given.has("tunnel-dst")) && !tunnel) {
        return "--tunnel-src/--tunnel-dst are only valid with --mode tunnel";
      }
    }
    if (rule.builtin) {
      const dirIn = ext.value<number>("dir") === 0;
      const chain = rule.ctx.chain;
      if (dirIn && (chain === "OUTPUT" || chain === "POSTROUTING")) return `--dir in cannot be used in ${chain} (only PREROUTING, INPUT, FORWARD)`;
      if (!dirIn && (chain === "PREROUTING" || chain === "INPUT")) return `--dir out cannot be used in ${chain} (only FORWARD, OUTPUT, POSTROUTING)`;
    }
    return undefined;
  },
  toMatches(ext, rule, out) {
    const field = ext.value<number>("dir") === 0 ? "ipsecIn" : "ipsecOut";
    const range = extensionRange(ext, rule);
    const push = (values: Interval[]): void => {
      out.push(range ? { kind: "field", field, values, negated: false, range } : { kind: "field", field, values, negated: false });
    };
    if (ext.value<number>("pol") === 0) {
      push([[IpsecState.NONE, IpsecState.NONE]]);
      return;
    }
    const list = elements(ext).filter((e) => e.given.size > 0);
    if (list.length > 1) {
      push([[IpsecState.ESP_TRANSPORT, IpsecState.IPCOMP_TUNNEL]]);
      opaqueIfAny(ext, rule, ["strict", "proto", "mode", "reqid", "spi", "tunnel-src", "tunnel-dst", "next"], out);
      return;
    }
    const allowed: Interval[] = [];
    for (let state = IpsecState.ESP_TRANSPORT; state <= IpsecState.IPCOMP_TUNNEL; state++) {
      const proto = (state - 1) >> 1;
      const mode = (state - 1) & 1;
      const e = list[0];
      if (e?.proto && (e.proto.value === proto) === e.proto.negated) continue;
      if (e?.mode && (e.mode.value === mode) === e.mode.negated) continue;
      const last = allowed[allowed.length - 1];
      if (last && last[1] === state - 1) allowed[allowed.length - 1] = [last[0], state];
      else allowed.push([state, state]);
    }
    push(allowed);
    opaqueIfAny(ext, rule, ["reqid", "spi", "tunnel-src", "tunnel-dst"], out);
  },
});

function spiModule(name: string, option: string, proto: number, family?: "ipv4") {
  return defineMatch({
    name,
    protos: [proto],
    ...(family ? { family } : {}),
    options: [opt(option, uintRange(0xffffffff), "!"), ...(name === "ipcomp" ? [opt("compres")] : [])],
    // The SPI is not a field the engine models; the protocol it implies is already the rule's -p.
    toMatches(ext, rule, out: Match[]) {
      opaqueIfAny(ext, rule, [option, "compres"].filter((n) => ext.def.index.has(n)), out);
    },
  });
}

export const ipsecMatches = [policyModule, spiModule("esp", "espspi", 50), spiModule("ah", "ahspi", 51, "ipv4"), spiModule("ipcomp", "ipcompspi", 108)];
