// Address translation targets of the nat table: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP.

import type { Interval, NatTarget } from "../../../../model/firewall.js";
import type { SourceRange } from "../../../../model/source.js";
import { defineTarget, Invalid, opt, protoIs, type ExtensionState, type RuleState, type ValueParser } from "../extension.js";
import { hostMask } from "../parsers.js";
import { PORT_PROTOCOLS } from "../tables.js";
import { networkInterval, parseAddress, parsePort, parseUnsigned, type Network } from "../values.js";

interface NatSpec {
  readonly addresses?: readonly [bigint, bigint];
  readonly ports?: Interval;
}

/** `port`, `service`, `lo-hi` (numbers only) and, where `base` is allowed, `lo-hi/base` (DNAT's port shift). */
function parseNatPorts(text: string, base: boolean): Interval | Invalid {
  const whole = parsePort(text);
  if (whole !== undefined) return [whole, whole];
  const slash = text.indexOf("/");
  const rangeText = slash === -1 ? text : text.slice(0, slash);
  const dash = rangeText.indexOf("-");
  const lo = parseUnsigned(dash === -1 ? rangeText : rangeText.slice(0, dash), 65535) ?? (dash === -1 ? parsePort(rangeText) : undefined);
  const hi = dash === -1 ? lo : parseUnsigned(rangeText.slice(dash + 1), 65535);
  if (lo === undefined || hi === undefined || lo > hi) return new Invalid(`invalid port or port range "${text}"`);
  if (slash !== -1) {
    if (!base) return new Invalid(`a port shift ("/${text.slice(slash + 1)}") is only allowed with DNAT`);
    const shift = parsePort(text.slice(slash + 1));
    if (shift === undefined || shift === 0) return new Invalid(`invalid base port in "${text}"`);
  }
  return [lo, hi];
}

function needsPortProtocol(rule: RuleState): Invalid | undefined {
  return protoIs(rule, PORT_PROTOCOLS) ? undefined : new Invalid("a port needs -p tcp, udp, sctp or dccp before the target");
}

/** `[addr[-addr]][:port[-port[/base]]]` (IPv6: `[addr]:port`). */
function natAddress(base: boolean): ValueParser {
  return (value, _ext, rule) => {
    let addressText = value;
    let portText: string | undefined;
    if (rule.ctx.family === "ipv4") {
      const colon = value.indexOf(":");
      if (colon !== -1) {
        addressText = value.slice(0, colon);
        portText = value.slice(colon + 1);
      }
    } else if (value.startsWith("[")) {
      const close = value.indexOf("]");
      if (close === -1) return new Invalid(`missing "]" in "${value}"`);
      addressText = value.slice(1, close);
      const rest = value.slice(close + 1);
      if (rest.length > 0) {
        if (!rest.startsWith(":")) return new Invalid(`"${value}" is not [address]:port`);
        portText = rest.slice(1);
      }
    }
    const spec: { addresses?: readonly [bigint, bigint]; ports?: Interval } = {};
    if (addressText.length > 0) {
      const dash = addressText.indexOf("-");
      const lo = parseAddress(dash === -1 ? addressText : addressText.slice(0, dash), rule.ctx.family);
      const hi = dash === -1 ? lo : parseAddress(addressText.slice(dash + 1), rule.ctx.family);
      if (lo === undefined || hi === undefined) return new Invalid(`"${addressText}" is not an address or address range`);
      spec.addresses = lo <= hi ? [lo, hi] : [hi, lo];
    }
    if (portText !== undefined) {
      const missing = needsPortProtocol(rule);
      if (missing) return missing;
      const ports = parseNatPorts(portText, base);
      if (ports instanceof Invalid) return ports;
      spec.ports = ports;
    }
    if (!spec.addresses && !spec.ports) return new Invalid("an address or port is needed");
    return spec;
  };
}

const toPorts: ValueParser = (value, _ext, rule) => needsPortProtocol(rule) ?? parseNatPorts(value, false);

function natTarget(kind: NatTarget["kind"], ext: ExtensionState, option: string, range: SourceRange): NatTarget {
  const value = ext.value<NatSpec | Interval>(option);
  if (!value) return { kind, range };
  if (Array.isArray(value)) return { kind, toPorts: value as Interval, range };
  const spec = value as NatSpec;
  return { kind, ...(spec.addresses ? { toAddresses: spec.addresses } : {}), ...(spec.ports ? { toPorts: spec.ports } : {}), range };
}

const dnat = defineTarget({
  name: "DNAT",
  tables: ["nat"],
  hooks: ["PREROUTING", "OUTPUT"],
  options: [opt("to-destination", natAddress(true)), opt("random"), opt("persistent")],
  required: [["to-destination"]],
  toTarget: (ext, _rule, range) => natTarget("dnat", ext, "to-destination", range),
});

const snat = defineTarget({
  name: "SNAT",
  tables: ["nat"],
  hooks: ["POSTROUTING", "INPUT"],
  options: [opt("to-source", natAddress(false)), opt("random"), opt("random-fully"), opt("persistent")],
  required: [["to-source"]],
  toTarget: (ext, _rule, range) => natTarget("snat", ext, "to-source", range),
});

const masquerade = defineTarget({
  name: "MASQUERADE",
  tables: ["nat"],
  hooks: ["POSTROUTING"],
  options: [opt("to-ports", toPorts), opt("random"), opt("random-fully")],
  toTarget: (ext, _rule, range) => natTarget("masquerade", ext, "to-ports", range),
});

const redirect = defineTarget({
  name: "REDIRECT",
  tables: ["nat"],
  hooks: ["PREROUTING", "OUTPUT"],
  options: [opt("to-ports", toPorts), opt("random")],
  toTarget: (ext, _rule, range) => natTarget("redirect", ext, "to-ports", range),
});

const netmap = defineTarget({
  name: "NETMAP",
  tables: ["nat"],
  hooks: ["PREROUTING", "POSTROUTING", "OUTPUT", "INPUT"],
  options: [opt("to", hostMask)],
  required: [["to"]],
  toTarget(ext, _rule, range) {
    const network = ext.value<Network>("to")!;
    return network.prefix < 0 ? { kind: "netmap", range } : { kind: "netmap", toAddresses: networkInterval(network), range };
  },
});

export const natTargets = [dnat, snat, masquerade, redirect, netmap];
