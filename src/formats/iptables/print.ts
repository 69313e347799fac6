// The model printed back as iptables-save text: per table the chain declarations with policies, then the rules in
// chain order, then COMMIT. Used for round trips through the real iptables-restore.

import type { Ruleset } from "../../model/firewall.js";

export function printIptablesSave(ruleset: Ruleset): string {
  const out: string[] = [];
  for (const table of ruleset.tables.values()) {
    out.push(`*${table.name}`);
    for (const chain of table.chains.values()) {
      const policy = chain.builtin ? (chain.policy?.verdict ?? "accept").toUpperCase() : "-";
      out.push(`:${chain.name} ${policy} [0:0]`);
    }
    for (const chain of table.chains.values()) {
      for (const rule of chain.rules) out.push(rule.text);
    }
    out.push("COMMIT");
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}
