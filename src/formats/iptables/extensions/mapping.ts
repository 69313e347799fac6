// Helpers the extensions use to turn their options into model matches, with the option's source range.

import type { FieldMatch, Interval, Match, NumericField, Target } from "../../../model/firewall.js";
import { rangeOf, type SourceRange } from "../../../model/source.js";
import type { ExtensionState, RuleState } from "./extension.js";

/** The range of one option as written, `!` included. */
export function optionRange(ext: ExtensionState, rule: RuleState, name: string): SourceRange | undefined {
  const i = ext.def.index.get(name);
  if (i === undefined || ext.optionWords[i] === undefined) return undefined;
  return rangeOf(rule.ctx.source, rule.words[ext.optionWords[i]!]!.start, rule.words[ext.optionEnds[i]!]!.end);
}

export function fieldMatch(ext: ExtensionState, rule: RuleState, name: string, field: NumericField, values: readonly Interval[]): FieldMatch {
  return { kind: "field", field, values, negated: ext.isInverted(name), range: optionRange(ext, rule, name) };
}

const SINGLE_VALUES: (readonly Interval[] | undefined)[] = new Array(65536);

/**
 * `[interval]` as a field match's value list. A single value (one port) is shared between rules, since a dump
 * repeats the same ports many times and the model's value lists are read-only. Not frozen: freezing 60,000 distinct
 * ports cost a kube dump's parse ~20 ms, and frozen arrays beside plain ones make the engine's element reads polymorphic.
 */
export function oneInterval(interval: Interval): readonly Interval[] {
  const value = interval[0];
  if (value !== interval[1] || value < 0 || value > 65535) return [interval];
  const index = value | 0;
  let values = SINGLE_VALUES[index];
  if (values === undefined) SINGLE_VALUES[index] = values = [[value, value] as const];
  return values;
}

/** Pushes an OpaqueMatch for the module when any of `names` (options the engine does not model) was given. */
export function opaqueIfAny(ext: ExtensionState, rule: RuleState, names: readonly string[], out: Match[]): void {
  let any = false;
  for (const name of names) if (ext.has(name)) any = true;
  if (!any) return;
  const given = names.filter((n) => ext.has(n));
  if (given.length === 0) return;
  const first = given.map((n) => ext.def.index.get(n)!).sort((a, b) => ext.optionWords[a]! - ext.optionWords[b]!);
  const text = first.map((i) => wordsText(rule, ext.optionWords[i]!, ext.optionEnds[i]!)).join(" ");
  const base = opaqueMatch(ext, rule);
  out.push({ ...base, text } as Match);
}

/** The words of a rule between two indexes, as written. */
export function wordsText(rule: RuleState, first: number, last: number): string {
  const text = rule.ctx.source.text;
  const parts: string[] = [];
  for (let w = first; w <= last; w++) parts.push(text.slice(rule.words[w]!.start, rule.words[w]!.end));
  return parts.join(" ");
}

/** An extension's options as written (without its `-m NAME` / `-j NAME`). */
export function optionsText(ext: ExtensionState, rule: RuleState): string {
  const text = rule.ctx.source.text;
  const all = ext.words;
  let from = 0;
  while (from < all.length && ext.nameWord >= 0 && (all[from] === ext.nameWord || all[from] === ext.nameWord + 1)) from++;
  if (from === all.length) return "";
  // Consecutive words one space apart, as a dump writes them: the text is one slice of the source.
  const words = rule.words;
  let contiguous = true;
  for (let k = from + 1; k < all.length && contiguous; k++) {
    const before = words[all[k - 1]!]!;
    contiguous = all[k] === all[k - 1]! + 1 && words[all[k]!]!.start === before.end + 1 && text.charCodeAt(before.end) === 32;
  }
  if (contiguous) return text.slice(words[all[from]!]!.start, words[all[all.length - 1]!]!.end);
  const parts: string[] = [];
  for (const w of all) {
    if (ext.nameWord >= 0 && (w === ext.nameWord || w === ext.nameWord + 1)) continue;
    parts.push(text.slice(rule.words[w]!.start, rule.words[w]!.end));
  }
  return parts.join(" ");
}

export function extensionRange(ext: ExtensionState, rule: RuleState): SourceRange | undefined {
  const first = ext.firstWord();
  if (first === -1) return undefined;
  return rangeOf(rule.ctx.source, rule.words[first]!.start, rule.words[ext.lastWord()]!.end);
}

export function opaqueMatch(ext: ExtensionState, rule: RuleState, negated = false): Match {
  return { kind: "opaque", module: ext.def.name, text: optionsText(ext, rule), negated, range: extensionRange(ext, rule) };
}

/** The value list of each `-p` field match, shared (the model's value lists are read-only). */
export const PROTOCOL_VALUES: readonly (readonly Interval[])[] = Array.from({ length: 256 }, (_, p) => [[p, p] as const]);

/** `-j ACCEPT|DROP|RETURN|QUEUE`, and `-j`/`-g` to a user chain. */
export function standardTarget(name: string, goto: boolean, range: SourceRange): Target {
  switch (name) {
    case "ACCEPT":
      return { kind: "verdict", verdict: "accept", range };
    case "DROP":
      return { kind: "verdict", verdict: "drop", range };
    case "RETURN":
      return { kind: "return", range };
    case "QUEUE":
      return { kind: "opaque", name: "QUEUE", options: "", range };
    default:
      return { kind: goto ? "goto" : "jump", chain: name, range };
  }
}

/** A blank iptables does not allow in a target or chain name. */
export function hasBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}
