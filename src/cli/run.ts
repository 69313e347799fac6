// The command line: yargs wiring, and the one place where failures become a single line and exit code 2.

import yargs from "yargs";
import { auditCommand } from "./commands/audit.js";
import { explainCommand } from "./commands/explain.js";
import { rulesCommand } from "./commands/rules.js";
import { traceCommand } from "./commands/trace.js";
import { describeFailure, VpnlintError } from "./errors.js";
import { STDIN_ARG, type CliIo } from "./io.js";
import { toolInfo } from "./package-info.js";

/** Runs one command line and returns the exit code: 0 clean, 1 findings, 2 usage, IO or internal errors. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const debug = args.includes("--debug");
  let pending: Promise<number> | undefined;
  const done = (work: Promise<number>) => {
    pending = work;
  };
  try {
    let helpOrVersion = "";
    const parser = yargs()
      .scriptName("vpnlint")
      .usage("$0 <command> [options]\n\nAudits the firewall rules of IPsec/L2TP VPN hosts: iptables and Vyatta/VyOS/EdgeOS.")
      .command(auditCommand(io, done))
      .command(rulesCommand(io, done))
      .command(explainCommand(io, done))
      .command(traceCommand)
      .option("color", { describe: "Colour the output (default: when writing to a terminal; also NO_COLOR, FORCE_COLOR)", type: "boolean" })
      .option("debug", { describe: "Show stack traces of internal errors", type: "boolean", default: false })
      .example("$0 audit /etc/iptables/rules.v4", "Audit a ruleset")
      .example("$0 explain VPN004", "Read the documentation of a rule")
      .epilogue("Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage, input/output or internal error.\nDocs: https://github.com/vpnlint/vpnlint")
      .demandCommand(1, "give a command: audit, rules, explain or trace (vpnlint --help lists them)")
      .recommendCommands()
      .strict()
      .help()
      .alias("help", "h")
      .version(toolInfo().version)
      .alias("version", "V")
      .wrap(Math.min(100, io.stdout.columns ?? 100))
      .exitProcess(false)
      .fail((message, error) => {
        // yargs reports command-line mistakes as a message or as a YError; anything else escaped a handler.
        if (error && error.name !== "YError") throw error;
        throw new VpnlintError("usage", usageMessage(message ?? error?.message ?? "invalid command line", args));
      });
    await parser.parseAsync(args.map((arg) => (arg === "-" ? STDIN_ARG : arg)), {}, (_error: unknown, _argv: unknown, output: string) => {
      helpOrVersion = output;
    });
    if (helpOrVersion) io.stdout.write(helpOrVersion.endsWith("\n") ? helpOrVersion : `${helpOrVersion}\n`);
    if (pending) return await pending;
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    io.stderr.write(`${describeFailure(error, debug)}\n`);
    return 2;
  }
}

/** yargs messages can span lines and name no culprit ("Did you mean audit?"); users get one line that does. */
function usageMessage(message: string, args: readonly string[]): string {
  const choice = /^Invalid values:\s*Argument: (\S+), Given: (.*), Choices: (.*)$/s.exec(message);
  if (choice) return `invalid value ${choice[2]!.trim()} for --${choice[1]} (choices: ${choice[3]!.replace(/"/g, "").trim()})`;
  const suggestion = /^Did you mean (\S+)\?/.exec(message);
  if (suggestion) {
    const given = args.find((arg) => !arg.startsWith("-")) ?? "";
    return `unknown command "${given}" (did you mean ${suggestion[1]}?)`;
  }
  const flat = message.replace(/\s*\n\s*/g, "; ");
  const text = flat[0]!.toLowerCase() + flat.slice(1);
  return text.includes("--help") ? text : `${text} (see vpnlint --help)`;
}
