// `vpnlint trace FILE... --packet "..."`: the verdict for each packet (or set of packets) and the path that decides it.

import type { Argv, CommandModule } from "yargs";
import { analyze, parsePacketSpec, type Analysis, type OutcomePart, type PacketQuery, type TraceStep } from "../../engine/index.js";
import { parseSource } from "../../formats/index.js";
import type { Family, Ruleset, Table, TableName } from "../../model/firewall.js";
import { resolveRange, SourceFile } from "../../model/source.js";
import { escapeControl, terminalSafeJson } from "../../report/escape.js";
import { VpnlintError } from "../errors.js";
import { readInput } from "../inputs.js";
import { processIo, type CliIo } from "../io.js";

interface TraceArgs {
  readonly files: readonly string[];
  readonly packet: readonly string[];
  readonly format: "text" | "json";
}

interface JsonStep {
  readonly file: string | null;
  readonly line: number | null;
  readonly table: TableName;
  readonly chain: string;
  readonly action: string;
  readonly rule?: string;
}

/** Every file's tables in one ruleset per family; a table given again replaces the earlier one, as iptables-restore does. */
function combine(files: readonly string[], io: CliIo): Map<Family, Ruleset> {
  const rulesets = new Map<Family, Map<TableName, Table>>();
  for (const path of files) {
    const input = readInput(path);
    const model = parseSource(new SourceFile(input.path, input.text));
    if (model.diagnostics.length > 0) {
      const first = resolveRange(model.diagnostics[0]!.range);
      io.stderr.write(`vpnlint: ${escapeControl(path)}:${first.startLine}: ${escapeControl(model.diagnostics[0]!.message)}` + (model.diagnostics.length > 1 ? ` (and ${model.diagnostics.length - 1} more problems)` : "") + "; tracing what could be read\n");
    }
    for (const ruleset of model.rulesets) {
      let tables = rulesets.get(ruleset.family);
      if (!tables) rulesets.set(ruleset.family, (tables = new Map()));
      for (const [name, table] of ruleset.tables) tables.set(name, table);
    }
  }
  return new Map([...rulesets].map(([family, tables]) => [family, { family, tables }]));
}

function familyOf(query: PacketQuery): Family {
  return [query.src, query.dst].some((a) => a?.includes(":")) ? "ipv6" : "ipv4";
}

function jsonStep(step: TraceStep): JsonStep {
  const range = step.rule?.range ?? step.chain.policy?.range ?? step.chain.range;
  const at = range ? resolveRange(range) : undefined;
  return {
    file: at?.file ?? null,
    line: at?.startLine ?? null,
    table: step.table,
    chain: step.chain.name,
    action: step.action,
    ...(step.rule ? { rule: step.rule.text } : {}),
  };
}

function textStep(step: TraceStep): string {
  const s = jsonStep(step);
  const where = s.file ? `${s.file}:${s.line}` : "(built-in default)";
  return `  ${s.table} ${s.chain}  ${where}  ${s.rule ?? "(policy)"}  => ${s.action}`;
}

function partText(part: OutcomePart): string[] {
  const lines = [`${part.verdict}: ${part.description}${part.dnat ? ` (DNAT to ${part.dnat.to})` : ""}`];
  return [...lines, ...part.path.map(textStep)];
}

function textReport(spec: string, analysis: Analysis): string {
  const out = [`packet: ${spec}`];
  if (analysis.parts.length === 0) out.push("verdict: maybe (no packet matches this description in the ruleset's address family)");
  else if (analysis.parts.length === 1) {
    out.push(`verdict: ${analysis.verdict}${analysis.parts[0]!.dnat ? ` (DNAT to ${analysis.parts[0]!.dnat.to})` : ""}`);
    out.push(...analysis.parts[0]!.path.map(textStep));
  } else {
    const verdicts = new Set(analysis.parts.map((p) => p.verdict));
    out.push(`verdict: ${analysis.verdict} (${verdicts.size > 1 ? "parts of this set fare differently" : "one verdict, several paths"}: ${analysis.parts.length} parts)`);
    analysis.parts.forEach((part, i) => out.push(`part ${i + 1}, ${partText(part)[0]}`, ...partText(part).slice(1)));
  }
  // Rule texts carry the file's comments and names: never replay their control characters to a terminal.
  return out.map(escapeControl).join("\n");
}

function jsonReport(spec: string, analysis: Analysis): object {
  const single = analysis.parts.length === 1 ? analysis.parts[0] : undefined;
  return {
    packet: spec,
    verdict: analysis.verdict,
    steps: single ? single.path.map(jsonStep) : [],
    ...(single?.dnat ? { dnat: single.dnat.to } : {}),
    ...(analysis.parts.length > 1
      ? { parts: analysis.parts.map((p) => ({ verdict: p.verdict, description: p.description, ...(p.dnat ? { dnat: p.dnat.to } : {}), steps: p.path.map(jsonStep) })) }
      : {}),
  };
}

/** The trace command; `io` carries the streams (tests pass their own). */
export function createTraceCommand(io: CliIo): CommandModule<object, TraceArgs> {
  return {
    command: "trace <files..>",
    describe: "Show what the ruleset does with packets, and which rules decide",
    builder: (yargs: Argv) =>
      yargs
        .positional("files", { describe: "Ruleset files (tables given again in a later file replace earlier ones)", type: "string", array: true })
        .option("packet", {
          alias: "p",
          describe: 'Packets as key=value words: proto src dst sport dport in out state ipsec hook (repeatable; omitted keys mean any)',
          type: "string",
          array: true,
          requiresArg: true,
          demandOption: "give at least one --packet, e.g. --packet \"proto=udp dport=500 in=eth0 state=new\"",
        })
        .option("format", { alias: "f", describe: "Output format", choices: ["text", "json"] as const, default: "text" as const })
        .example('$0 trace rules.v4 --packet "proto=udp dport=1701 in=eth0 state=new ipsec=no"', "Is cleartext L2TP accepted?") as unknown as Argv<TraceArgs>,
    handler: (args) => {
      const queries = args.packet.map((spec) => {
        const parsed = parsePacketSpec(spec);
        if (!parsed.ok) throw new VpnlintError("usage", `--packet "${spec}": ${parsed.error}`);
        return { spec, query: parsed.query };
      });
      const rulesets = combine(args.files, io);
      const results = queries.map(({ spec, query }) => {
        const ruleset = rulesets.get(familyOf(query));
        if (!ruleset) throw new VpnlintError("usage", `--packet "${spec}": the files hold no ${familyOf(query) === "ipv6" ? "IPv6" : "IPv4"} rules`);
        return { spec, analysis: analyze(ruleset, query) };
      });
      if (args.format === "json") io.stdout.write(`${terminalSafeJson(results.map((r) => jsonReport(r.spec, r.analysis)))}\n`);
      else io.stdout.write(`${results.map((r) => textReport(r.spec, r.analysis)).join("\n\n")}\n`);
      process.exitCode = 0;
    },
  };
}

export const traceCommand: CommandModule<object, TraceArgs> = createTraceCommand(processIo());
