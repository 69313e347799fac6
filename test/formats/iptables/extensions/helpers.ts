// Drives parseRuleSpec on one rule written as text, with words split on blanks and `"` quotes as iptables-restore does.

import type { Family, TableName } from "../../../../src/model/firewall.js";
import { SourceFile } from "../../../../src/model/source.js";
import { parseRuleSpec } from "../../../../src/formats/iptables/extensions/index.js";
import type { RuleSpec, Word } from "../../../../src/formats/iptables/extensions/types.js";

export function splitWords(text: string): Word[] {
  const words: Word[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|[^\s"]+/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const quoted = m[1] !== undefined;
    words.push({ text: quoted ? m[1]!.replace(/\\(.)/g, "$1") : m[0], start: m.index, end: m.index + m[0].length, quoted });
  }
  return words;
}

export interface Where {
  readonly table?: TableName;
  readonly chain?: string;
  readonly family?: Family;
  readonly chains?: readonly string[];
}

export function spec(text: string, where: Where = {}): RuleSpec & { readonly source: SourceFile } {
  const source = new SourceFile("rule", text);
  const chains = where.chains ?? ["USER"];
  const result = parseRuleSpec(splitWords(text), {
    source,
    family: where.family ?? "ipv4",
    table: where.table ?? "filter",
    chain: where.chain ?? "INPUT",
    isChain: (name) => chains.includes(name),
  });
  return { ...result, source };
}

/** The one error of a rule that must fail, with the text it points at. */
export function errorOf(text: string, where: Where = {}): { message: string; at: string } {
  const result = spec(text, where);
  if (result.errors.length !== 1) throw new Error(`expected one error for: ${text}, got ${result.errors.length}`);
  const error = result.errors[0]!;
  return { message: error.message, at: text.slice(error.range.start, error.range.end) };
}

export function accepted(text: string, where: Where = {}): boolean {
  return spec(text, where).errors.length === 0;
}
