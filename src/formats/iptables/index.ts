// Placeholder until the iptables front end lands: recognises nothing, parses to an empty model.

import { emptyHostFacts, type FirewallModel } from "../../model/firewall.js";
import type { SourceFile } from "../../model/source.js";
import type { InputFormat } from "../types.js";

export const iptablesFormat: InputFormat = {
  id: "iptables",
  detect: () => 0,
  parse: (source: SourceFile): FirewallModel => ({ source, format: "iptables", rulesets: [], host: emptyHostFacts(), diagnostics: [] }),
};
