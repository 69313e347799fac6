// Packet and connection mark targets: MARK (modelled as mark = (mark & ~clear) ^ xor) and CONNMARK.

import type { MarkTarget } from "../../../../model/firewall.js";
import type { SourceRange } from "../../../../model/source.js";
import { defineTarget, opt } from "../extension.js";
import { markMask, uint } from "../parsers.js";

const MARK_OPS = ["set-xmark", "set-mark", "and-mark", "or-mark", "xor-mark"];

/** libxt_MARK revision 2: every operation becomes a clear mask and an xor value. */
export function markOperation(op: string, value: number, mask: number, range: SourceRange): MarkTarget {
  switch (op) {
    case "set-xmark":
      return { kind: "mark", clearMask: mask >>> 0, xorValue: value >>> 0, range };
    case "set-mark":
      return { kind: "mark", clearMask: (value | mask) >>> 0, xorValue: value >>> 0, range };
    case "and-mark":
      return { kind: "mark", clearMask: ~value >>> 0, xorValue: 0, range };
    case "or-mark":
      return { kind: "mark", clearMask: value >>> 0, xorValue: value >>> 0, range };
    default:
      return { kind: "mark", clearMask: 0, xorValue: value >>> 0, range };
  }
}

const mark = defineTarget({
  name: "MARK",
  options: [
    opt("set-xmark", markMask),
    opt("set-mark", markMask),
    opt("and-mark", uint(0xffffffff)),
    opt("or-mark", uint(0xffffffff)),
    opt("xor-mark", uint(0xffffffff)),
  ],
  required: [MARK_OPS],
  exclusive: [MARK_OPS],
  toTarget(ext, _rule, range) {
    const op = MARK_OPS.find((o) => ext.has(o))!;
    const value = ext.value<number | readonly [number, number]>(op)!;
    return typeof value === "number" ? markOperation(op, value, 0, range) : markOperation(op, value[0], value[1], range);
  },
});

const CONNMARK_OPS = ["set-xmark", "set-mark", "save-mark", "restore-mark", "and-mark", "or-mark", "xor-mark"];

const connmark = defineTarget({
  name: "CONNMARK",
  options: [
    opt("set-xmark", markMask),
    opt("set-mark", markMask),
    opt("save-mark"),
    opt("restore-mark"),
    opt("and-mark", uint(0xffffffff)),
    opt("or-mark", uint(0xffffffff)),
    opt("xor-mark", uint(0xffffffff)),
    opt("mask", uint(0xffffffff)),
    opt("nfmask", uint(0xffffffff)),
    opt("ctmask", uint(0xffffffff)),
    opt("left-shift-mark", uint(31)),
    opt("right-shift-mark", uint(31)),
  ],
  required: [CONNMARK_OPS],
  exclusive: [CONNMARK_OPS, ["mask", "nfmask"], ["mask", "ctmask"]],
});

export const markTargets = [mark, connmark];
