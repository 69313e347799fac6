// `vpnlint audit [paths..]`: read rulesets, run every check, print findings, exit 0/1/2.

import { writeFileSync } from "node:fs";
import type { Argv, CommandModule } from "yargs";
import type { AuditOptions, FileReport } from "../../audit/index.js";
import { reachesThreshold, type FailOn } from "../../audit/threshold.js";
import type { Finding } from "../../model/finding.js";
import { SourceFile } from "../../model/source.js";
import { formatters, isMachineFormat, type ReportedFile } from "../../report/index.js";
import { useColor } from "../color.js";
import { AUDIT_FLAGS, auditArgsFrom, type AuditArgs } from "./audit-options.js";
import { describeFailure, fileError, internalError, VpnlintError } from "../errors.js";
import { collectPaths, readInput, type InputText } from "../inputs.js";
import type { CliIo } from "../io.js";
import { toolInfo } from "../package-info.js";
import { startProgress, wantsSpinner } from "../spinner.js";

const STDIN_NAME = "<stdin>";

export function auditBuilder(yargs: Argv): Argv<AuditArgs> {
  let parser = yargs.positional("paths", { describe: "Files or directories to audit, or - for standard input", type: "string", array: true });
  for (const flag of AUDIT_FLAGS) {
    if (flag.global) continue;
    parser = parser.option(flag.name, {
      describe: flag.describe,
      type: flag.kind,
      ...(flag.alias ? { alias: flag.alias } : {}),
      ...(flag.choices ? { choices: flag.choices } : {}),
      ...(flag.default !== undefined ? { default: flag.default } : {}),
      ...(flag.kind === "string" && !flag.negatable ? { requiresArg: true } : {}),
    });
  }
  return parser
    .example("$0 audit /etc/iptables/rules.v4", "Audit an iptables-save dump")
    .example("$0 audit /etc/iptables", "Audit every ruleset in a directory")
    .example("iptables-save | $0 audit -", "Audit the running ruleset")
    .example("$0 audit config.boot -i eth0", "Audit a VyOS config whose WAN is eth0")
    .example("$0 audit rules.v4 -f sarif -o out.sarif", "Write SARIF for code scanning")
    .example("$0 audit rules.v4 --fail-on error", "Fail only on errors, not on warnings") as unknown as Argv<AuditArgs>;
}

function failsRun(finding: Finding, failOn: FailOn): boolean {
  return !finding.suppression && reachesThreshold(finding.severity, failOn);
}

/** `--quiet` keeps what fails the run (errors when nothing can fail it). */
function keptByQuiet(finding: Finding, failOn: FailOn): boolean {
  return failsRun(finding, failOn === "none" ? "error" : failOn);
}

function readAll(files: readonly string[]): { inputs: InputText[]; errors: VpnlintError[] } {
  const inputs: InputText[] = [];
  const errors: VpnlintError[] = [];
  for (const path of files) {
    try {
      inputs.push(readInput(path));
    } catch (error) {
      errors.push(error instanceof VpnlintError ? error : fileError(path, error));
    }
  }
  return { inputs, errors };
}

export async function runAudit(args: AuditArgs, io: CliIo): Promise<number> {
  if (args.paths.length === 0) throw new VpnlintError("usage", "nothing to audit: give files or directories, or - to read standard input");
  if (args.paths.filter((path) => path === "-").length > 1) throw new VpnlintError("usage", "- (standard input) can be given only once");
  if (args.stdinFilename !== undefined && !args.paths.includes("-")) {
    throw new VpnlintError("usage", "--stdin-filename needs - among the paths");
  }
  const collected = collectPaths(args.paths);
  const { inputs, errors } = readAll(collected.files);
  errors.unshift(...collected.errors);
  if (errors.length > 0) {
    for (const error of errors) io.stderr.write(`${describeFailure(error, false)}\n`);
    return 2;
  }
  if (collected.stdin) inputs.push({ path: args.stdinFilename ?? STDIN_NAME, text: await io.readStdin() });

  const options: AuditOptions = {
    inputFormat: args.inputFormat,
    roles: args.role,
    behindNat: args.behindNat,
    externalInterfaces: args.externalInterface,
    configPath: args.config === false ? undefined : args.config,
    noConfigSearch: args.config === false,
  };
  const machine = isMachineFormat(args.format);
  const bytes = inputs.reduce((sum, input) => sum + input.text.length, 0);
  const progress = await startProgress(io, wantsSpinner(io, machine, args.quiet, inputs.length, bytes), "auditing");
  const { auditSource, ConfigError } = await import("../../audit/index.js");
  const reports: ReportedFile[] = [];
  try {
    for (const [i, input] of inputs.entries()) {
      await progress.update(`auditing ${i + 1}/${inputs.length}: ${input.path}`);
      const source = new SourceFile(input.path, input.text, input.ascii);
      let report: FileReport;
      try {
        report = auditSource(source, options);
      } catch (error) {
        if (error instanceof ConfigError) throw new VpnlintError("usage", `config ${error.message}`);
        throw error instanceof VpnlintError ? error : internalError(input.path, error);
      }
      const findings = args.quiet ? report.findings.filter((finding) => keptByQuiet(finding, args.failOn)) : report.findings;
      reports.push({ path: report.path, format: report.format, source, findings, facts: report.facts, roles: report.roles, configPath: report.configPath });
    }
  } finally {
    progress.stop();
  }

  const { ruleCatalogue } = await import("../../rules/index.js");
  const color = !machine && useColor(args.color, io, args.output !== undefined);
  const text = formatters[args.format]({ files: reports, rules: ruleCatalogue, tool: toolInfo(), cwd: io.cwd, color });
  const failed = reports.some((report) => report.findings.some((finding) => failsRun(finding, args.failOn)));
  const clean = reports.every((report) => report.findings.every((finding) => finding.suppression));
  if (args.output !== undefined) {
    try {
      writeFileSync(args.output, text);
    } catch (error) {
      throw fileError(args.output, error, "cannot write the report: ");
    }
  } else if (!(args.quiet && clean && args.format === "text")) {
    io.stdout.write(text);
  }
  return failed ? 1 : 0;
}

export function auditCommand(io: CliIo, done: (run: Promise<number>) => void, audit = runAudit): CommandModule<object, AuditArgs> {
  return {
    command: "audit [paths..]",
    describe: "Audit firewall rulesets of IPsec/L2TP VPN hosts",
    builder: auditBuilder,
    handler: (argv) => done(audit(auditArgsFrom(argv as unknown as Record<string, unknown>), io)),
  };
}
