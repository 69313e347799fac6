// The format registry: detect an input's format from its content and parse it into the vendor-neutral model.

import type { FirewallModel, FormatId } from "../model/firewall.js";
import type { SourceFile } from "../model/source.js";
import { iptablesFormat } from "./iptables/index.js";
import type { InputFormat } from "./types.js";
import { vyattaFormat } from "./vyatta/index.js";

export const inputFormats: readonly InputFormat[] = [iptablesFormat, vyattaFormat];

/** The most likely format of `text`; iptables when nothing is sure (its errors are the most helpful for a random file). */
export function detectFormat(text: string): FormatId {
  let best: InputFormat = iptablesFormat;
  let bestScore = 0;
  for (const format of inputFormats) {
    const score = format.detect(text);
    if (score > bestScore) {
      best = format;
      bestScore = score;
    }
  }
  return best.id;
}

export function parseSource(source: SourceFile, format: FormatId = detectFormat(source.text)): FirewallModel {
  const chosen = inputFormats.find((f) => f.id === format) ?? iptablesFormat;
  return chosen.parse(source);
}
