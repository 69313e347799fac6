// Placeholder until the vyatta front end lands: recognises nothing, parses to an empty model.

import { emptyHostFacts, type FirewallModel } from "../../model/firewall.js";
import type { SourceFile } from "../../model/source.js";
import type { InputFormat } from "../types.js";

export const vyattaFormat: InputFormat = {
  id: "vyatta",
  detect: () => 0,
  parse: (source: SourceFile): FirewallModel => ({ source, format: "vyatta", rulesets: [], host: emptyHostFacts(), diagnostics: [] }),
};
