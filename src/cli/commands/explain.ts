// `vpnlint explain VPN004`: the rule's documentation from the package's docs/rules, or its metadata when none ships.

import { readFileSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import type { RuleMeta } from "../../model/finding.js";
import { helpUri } from "../../report/common.js";
import { escapeControl } from "../../report/escape.js";
import { VpnlintError } from "../errors.js";
import type { CliIo } from "../io.js";
import { ruleDocPath } from "../package-info.js";

interface ExplainArgs {
  readonly rule: string;
}

function fromMetadata(rule: RuleMeta): string {
  return `# ${rule.id} ${rule.name}\n\nSeverity: ${rule.severity}\n\n${rule.description}\n\n${rule.rationale}\n\nMore: ${helpUri(rule.id)}\n`;
}

async function explain(args: ExplainArgs, io: CliIo): Promise<number> {
  const { findRule } = await import("../../rules/index.js");
  const rule = findRule(args.rule);
  if (!rule) throw new VpnlintError("usage", `unknown rule "${escapeControl(args.rule)}" (vpnlint rules lists them)`);
  let text: string;
  try {
    text = readFileSync(ruleDocPath(rule.id), "utf8");
  } catch {
    text = fromMetadata(rule);
  }
  io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  return 0;
}

export function explainCommand(io: CliIo, done: (run: Promise<number>) => void): CommandModule<object, ExplainArgs> {
  return {
    command: "explain <rule>",
    describe: "Show what a rule checks, why, and how to fix it",
    builder: (yargs: Argv) =>
      yargs
        .positional("rule", { describe: "Rule id, e.g. VPN004", type: "string", demandOption: true })
        .example("$0 explain VPN004", "Why L2TP must only be accepted inside IPsec") as unknown as Argv<ExplainArgs>,
    handler: (args) => done(explain(args, io)),
  };
}
