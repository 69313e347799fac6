// The contract every input format implements; the registry in index.ts is the only place that lists them.

import type { FirewallModel, FormatId } from "../model/firewall.js";
import type { SourceFile } from "../model/source.js";

export interface InputFormat {
  readonly id: FormatId;
  /** How sure we are, from content alone, that `text` is in this format: 0 (not at all) to 1 (certain). */
  detect(text: string): number;
  /** Never throws on any input: malformed input becomes `model.diagnostics`. */
  parse(source: SourceFile): FirewallModel;
}
