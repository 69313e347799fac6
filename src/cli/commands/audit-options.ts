// The audit command's options, declared once: yargs builds its parser and help from them, and the fast path
// (fast-args.ts) parses the common invocations with them without loading yargs.

import type { FailOn } from "../../audit/threshold.js";
import type { FormatId } from "../../model/firewall.js";
import { outputFormats, type OutputFormat } from "../../report/index.js";
import { STDIN_ARG } from "../io.js";

export interface AuditArgs {
  readonly paths: readonly string[];
  readonly format: OutputFormat;
  readonly output?: string;
  readonly failOn: FailOn;
  readonly role?: readonly ("endpoint" | "gateway")[];
  readonly behindNat?: boolean;
  readonly externalInterface?: readonly string[];
  /** A path, or false for `--no-config` (no config file at all). */
  readonly config?: string | false;
  readonly inputFormat?: FormatId;
  readonly stdinFilename?: string;
  readonly quiet: boolean;
  readonly color?: boolean;
  readonly debug: boolean;
}

export interface FlagSpec {
  /** The long name, kebab-case: `--fail-on`. */
  readonly name: string;
  /** The field of AuditArgs it fills. */
  readonly key: Exclude<keyof AuditArgs, "paths">;
  readonly alias?: string;
  readonly kind: "string" | "boolean";
  readonly choices?: readonly string[];
  readonly default?: string | boolean;
  /** May be given more than once; the values are collected in order. */
  readonly repeatable?: boolean;
  /** `--no-NAME` sets it to false (booleans, and `--no-config`). */
  readonly negatable?: boolean;
  /** Defined for every command (yargs adds them at the top level). */
  readonly global?: boolean;
  readonly describe: string;
}

export const AUDIT_FLAGS: readonly FlagSpec[] = [
  { name: "format", key: "format", alias: "f", kind: "string", choices: outputFormats, default: "text", describe: "Output format" },
  { name: "output", key: "output", alias: "o", kind: "string", describe: "Write the report to FILE instead of standard output" },
  {
    name: "fail-on",
    key: "failOn",
    kind: "string",
    choices: ["error", "warning", "note", "none"],
    default: "warning",
    describe: "Lowest severity that makes the exit code 1 (suppressed findings never do)",
  },
  { name: "role", key: "role", kind: "string", choices: ["endpoint", "gateway"], repeatable: true, describe: "What the host is, instead of inferring it from the rules (repeatable)" },
  { name: "behind-nat", key: "behindNat", kind: "boolean", negatable: true, describe: "The VPN endpoint sits behind NAT: ESP arrives inside UDP 4500" },
  {
    name: "external-interface",
    key: "externalInterface",
    alias: "i",
    kind: "string",
    repeatable: true,
    describe: "Interface facing the internet, instead of inferring it (repeatable)",
  },
  {
    name: "config",
    key: "config",
    alias: "c",
    kind: "string",
    negatable: true,
    describe: "Config file to use instead of searching .vpnlint.json/.vpnlint.yaml upward (--no-config: none)",
  },
  { name: "input-format", key: "inputFormat", kind: "string", choices: ["iptables", "vyatta"], describe: "Input format, instead of detecting it" },
  { name: "stdin-filename", key: "stdinFilename", kind: "string", describe: "Name to report for standard input (-)" },
  { name: "quiet", key: "quiet", alias: "q", kind: "boolean", default: false, negatable: true, describe: "Report only findings that fail the run, and nothing when it passes" },
  {
    name: "color",
    key: "color",
    kind: "boolean",
    negatable: true,
    global: true,
    describe: "Colour the output (default: when writing to a terminal; also NO_COLOR, FORCE_COLOR)",
  },
  { name: "debug", key: "debug", kind: "boolean", default: false, negatable: true, global: true, describe: "Show stack traces of internal errors" },
];

/** The fields of AuditArgs from a parsed command line (yargs' argv or the fast path's), with `-` restored. */
export function auditArgsFrom(parsed: Readonly<Record<string, unknown>>): AuditArgs {
  const args: Record<string, unknown> = {};
  for (const flag of AUDIT_FLAGS) {
    let value = parsed[flag.key] ?? flag.default;
    if (value === undefined) continue;
    if (flag.repeatable) value = Array.isArray(value) ? value.map(String) : [String(value)];
    else if (flag.kind === "string" && value !== false) value = String(value) === STDIN_ARG ? "-" : String(value);
    args[flag.key] = value;
  }
  const paths = Array.isArray(parsed.paths) ? parsed.paths.map(String) : [];
  // yargs drops a lone `-`, so it travels as STDIN_ARG; `-o -` means standard output.
  args.paths = paths.map((path) => (path === STDIN_ARG ? "-" : path));
  if (args.output === STDIN_ARG || args.output === "-") delete args.output;
  return args as unknown as AuditArgs;
}
