// Connection-tracking matches: state, conntrack, helper, connmark, connbytes, connlimit, connlabel.

import { CtState, type Interval, type Match } from "../../../../model/firewall.js";
import { defineMatch, Invalid, opt, type ExtensionState, type RuleState } from "../extension.js";
import { fieldMatch, opaqueIfAny } from "../mapping.js";
import { choice, choiceList, hostMask, markMask, portRange, protocol, str, uint, uint64Range, uintRange } from "../parsers.js";
import { parseUnsigned } from "../values.js";

const STATE_NAMES = ["INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED", "SNAT", "DNAT"];
const STATE_VALUES = [CtState.INVALID, CtState.NEW, CtState.ESTABLISHED, CtState.RELATED, CtState.UNTRACKED];

/** `--state`/`--ctstate` as a ctState field; SNAT/DNAT are not states of their own, so they make it opaque. */
function stateMatch(ext: ExtensionState, rule: RuleState, name: string, out: Match[]): void {
  const states = ext.value<number[]>(name);
  if (!states) return;
  if (states.some((s) => s >= STATE_VALUES.length)) {
    opaqueIfAny(ext, rule, [name], out);
    return;
  }
  const values = [...new Set(states.map((s) => STATE_VALUES[s]!))].sort((a, b) => a - b).map((v): Interval => [v, v]);
  out.push(fieldMatch(ext, rule, name, "ctState", values));
}

const stateModule = defineMatch({
  name: "state",
  options: [opt("state", choiceList(STATE_NAMES.slice(0, 5), true), "!")],
  required: [["state"]],
  toMatches: (ext, rule, out) => stateMatch(ext, rule, "state", out),
});

const CT_OTHER = [
  "ctproto", "ctorigsrc", "ctorigdst", "ctreplsrc", "ctrepldst", "ctorigsrcport", "ctorigdstport", "ctreplsrcport",
  "ctrepldstport", "ctstatus", "ctexpire", "ctdir",
];

const conntrackModule = defineMatch({
  name: "conntrack",
  options: [
    opt("ctstate", choiceList(STATE_NAMES, true), "!"),
    opt("ctproto", protocol, "!"),
    opt("ctorigsrc", hostMask, "!"),
    opt("ctorigdst", hostMask, "!"),
    opt("ctreplsrc", hostMask, "!"),
    opt("ctrepldst", hostMask, "!"),
    opt("ctorigsrcport", portRange, "!"),
    opt("ctorigdstport", portRange, "!"),
    opt("ctreplsrcport", portRange, "!"),
    opt("ctrepldstport", portRange, "!"),
    opt("ctstatus", choiceList(["NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"], true), "!"),
    opt("ctexpire", uintRange(0xffffffff), "!"),
    opt("ctdir", choice(["ORIGINAL", "REPLY"], true)),
  ],
  required: [["ctstate", ...CT_OTHER]],
  check(ext) {
    if (ext.value<number>("ctproto") === 0) return "--ctproto 0 would match every protocol; leave it out";
    return undefined;
  },
  toMatches(ext, rule, out) {
    stateMatch(ext, rule, "ctstate", out);
    opaqueIfAny(ext, rule, CT_OTHER, out);
  },
});

const helperModule = defineMatch({ name: "helper", options: [opt("helper", str(30), "!")], required: [["helper"]] });

const connmarkModule = defineMatch({ name: "connmark", options: [opt("mark", markMask, "!")], required: [["mark"]] });

const connbytesModule = defineMatch({
  name: "connbytes",
  options: [
    opt("connbytes", uint64Range(), "!"),
    opt("connbytes-dir", choice(["original", "reply", "both"])),
    opt("connbytes-mode", choice(["packets", "bytes", "avgpkt"])),
  ],
  required: [["connbytes"], ["connbytes-dir"], ["connbytes-mode"]],
});

const connlimitModule = defineMatch({
  name: "connlimit",
  options: [
    opt("connlimit-upto", uint(0xffffffff)),
    opt("connlimit-above", uint(0xffffffff)),
    opt("connlimit-mask", (value) => parseUnsigned(value, 128) ?? new Invalid(`"${value}" is not a prefix length`)),
    opt("connlimit-saddr"),
    opt("connlimit-daddr"),
  ],
  required: [["connlimit-upto", "connlimit-above"]],
  exclusive: [["connlimit-upto", "connlimit-above"], ["connlimit-saddr", "connlimit-daddr"]],
});

const connlabelModule = defineMatch({
  name: "connlabel",
  options: [
    opt(
      "label",
      (value) =>
        parseUnsigned(value, 127) ??
        new Invalid(
          /^[0-9]/.test(value)
            ? `"${value}" is not a label number from 0 to 127`
            : `label "${value}" needs a name table (connlabel.conf) vpnlint does not read; use the label number`,
        ),
      "!",
    ),
    opt("set"),
  ],
  required: [["label"]],
});

export const conntrackMatches = [stateModule, conntrackModule, helperModule, connmarkModule, connbytesModule, connlimitModule, connlabelModule];
