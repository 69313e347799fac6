// The command line: the fast path for plain audits, yargs for everything else, and the one place where failures
// become a single line and exit code 2.

import type { Argv, CommandModule } from "yargs";
import { AUDIT_FLAGS } from "./commands/audit-options.js";
import { auditCommand, runAudit } from "./commands/audit.js";
import { describeFailure, VpnlintError } from "./errors.js";
import { parseAuditFast } from "./fast-args.js";
import { STDIN_ARG, type CliIo } from "./io.js";
import { toolInfo } from "./package-info.js";

/** Runs one command line and returns the exit code: 0 clean, 1 findings, 2 usage, IO or internal errors. */
export async function run(args: readonly string[], io: CliIo): Promise<number> {
  const debug = args.includes("--debug");
  try {
    const fast = parseAuditFast(args);
    if (fast) return await runAudit(fast, io);
    return await runWithYargs(args, io);
  } catch (error) {
    io.stderr.write(`${describeFailure(error, debug)}\n`);
    return 2;
  }
}

/** Registers the commands on a yargs instance for `args`; `done` receives the work a command handler starts. */
export async function buildParser(io: CliIo, args: readonly string[], done: (run: Promise<number>) => void, audit = runAudit): Promise<Argv> {
  // The trace command loads the parsers and the engine: only worth it when the command line may be about it.
  const command = args.find((arg) => !arg.startsWith("-"));
  const light = command === "audit" || command === "rules" || command === "explain";
  const [{ default: yargs }, { rulesCommand }, { explainCommand }, trace] = await Promise.all([
    import("yargs"),
    import("./commands/rules.js"),
    import("./commands/explain.js"),
    light ? undefined : import("./commands/trace.js"),
  ]);
  let parser = yargs()
    .scriptName("vpnlint")
    .usage("$0 <command> [options]\n\nAudits the firewall rules of IPsec/L2TP VPN hosts: iptables and Vyatta/VyOS/EdgeOS.")
    .command(auditCommand(io, done, audit))
    .command(rulesCommand(io, done))
    .command(explainCommand(io, done));
  if (trace) parser = parser.command(trace.traceCommand as CommandModule);
  for (const flag of AUDIT_FLAGS) {
    if (flag.global) parser = parser.option(flag.name, { describe: flag.describe, type: flag.kind, ...(flag.default !== undefined ? { default: flag.default } : {}) });
  }
  return parser
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
}

async function runWithYargs(args: readonly string[], io: CliIo): Promise<number> {
  let pending: Promise<number> | undefined;
  let helpOrVersion = "";
  const parser = await buildParser(io, args, (work) => {
    pending = work;
  });
  await parser.parseAsync(args.map((arg) => (arg === "-" ? STDIN_ARG : arg)), {}, (_error: unknown, _argv: unknown, output: string) => {
    helpOrVersion = output;
  });
  if (helpOrVersion) io.stdout.write(helpOrVersion.endsWith("\n") ? helpOrVersion : `${helpOrVersion}\n`);
  if (pending) return await pending;
  return typeof process.exitCode === "number" ? process.exitCode : 0;
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
