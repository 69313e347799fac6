// `vpnlint rules`: the catalogue as a table (or JSON), from the same metadata SARIF uses.

import type { Argv, CommandModule } from "yargs";
import type { RuleMeta } from "../../model/finding.js";
import { helpUri } from "../../report/common.js";
import type { CliIo } from "../io.js";

interface RulesArgs {
  readonly format: "text" | "json";
}

function rulesTable(rules: readonly RuleMeta[]): string {
  const header = ["ID", "SEVERITY", "NAME", "DESCRIPTION"];
  const rows = rules.map((rule) => [rule.id, rule.severity, rule.name, rule.description]);
  const widths = header.slice(0, 3).map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column < widths.length ? cell.padEnd(widths[column]!) : cell)).join("  ").trimEnd();
  return `${[header, ...rows].map(line).join("\n")}\n`;
}

function rulesJson(rules: readonly RuleMeta[]): string {
  return `${JSON.stringify(rules.map((rule) => ({ ...rule, helpUri: helpUri(rule.id) })), null, 2)}\n`;
}

export function rulesCommand(io: CliIo, done: (run: Promise<number>) => void): CommandModule<object, RulesArgs> {
  return {
    command: "rules",
    describe: "List every check vpnlint runs",
    builder: (yargs: Argv) =>
      yargs
        .option("format", { alias: "f", describe: "Output format", choices: ["text", "json"] as const, default: "text" as const })
        .example("$0 rules", "Show the catalogue")
        .example("$0 rules --format json", "The catalogue for scripts") as unknown as Argv<RulesArgs>,
    handler: (args) =>
      done(
        import("../../rules/index.js").then(({ ruleCatalogue }) => {
          io.stdout.write(args.format === "json" ? rulesJson(ruleCatalogue) : rulesTable(ruleCatalogue));
          return 0;
        }),
      ),
  };
}
