// The fast path must read every command line it accepts exactly as yargs does, and leave the rest to yargs.

import { describe, expect, it } from "vitest";
import type { AuditArgs } from "../../src/cli/commands/audit-options.js";
import { parseAuditFast } from "../../src/cli/fast-args.js";
import { STDIN_ARG, type CliIo } from "../../src/cli/io.js";
import { buildParser } from "../../src/cli/run.js";

const io: CliIo = {
  cwd: "/",
  env: {},
  stdout: { write: () => {}, isTTY: false },
  stderr: { write: () => {}, isTTY: false },
  readStdin: async () => "",
};

async function viaYargs(args: readonly string[]): Promise<AuditArgs> {
  let captured: AuditArgs | undefined;
  const parser = await buildParser(io, args, () => {}, async (parsed) => {
    captured = parsed;
    return 0;
  });
  await parser.parseAsync(args.map((arg) => (arg === "-" ? STDIN_ARG : arg)), {}, () => {});
  if (!captured) throw new Error(`yargs did not run audit for ${args.join(" ")}`);
  return captured;
}

const accepted: string[][] = [
  ["audit", "rules.v4"],
  ["audit", "a.rules", "b dir/config.boot", "-"],
  ["audit", "-", "--stdin-filename", "live.rules"],
  ["audit", "rules.v4", "--format", "sarif", "--output", "out.sarif"],
  ["audit", "rules.v4", "-f", "json", "-o", "-"],
  ["audit", "--format=github", "rules.v4", "--fail-on=error"],
  ["audit", "rules.v4", "--fail-on", "none", "-q"],
  ["audit", "rules.v4", "--role", "endpoint", "--role", "gateway", "--behind-nat"],
  ["audit", "rules.v4", "-i", "eth0", "--external-interface", "ppp0", "--external-interface=wg0"],
  ["audit", "rules.v4", "--config", ".vpnlint.yaml", "--input-format", "vyatta"],
  ["audit", "rules.v4", "--no-config", "--no-color", "--debug"],
  ["audit", "rules.v4", "--color", "--no-behind-nat", "--no-quiet"],
  ["audit", "123", "rules.v4", "-c", "cfg.json"],
  ["audit"],
];

const refused: string[][] = [
  ["audit", "--help"],
  ["audit", "-h"],
  ["--version"],
  ["rules"],
  ["audit", "-fjson", "x"],
  ["audit", "-f=json", "x"],
  ["audit", "x", "--format", "xml"],
  ["audit", "x", "--format", "json", "--format", "sarif"],
  ["audit", "x", "--frobnicate"],
  ["audit", "x", "--failOn", "error"],
  ["audit", "x", "--output"],
  ["audit", "x", "-o", "--quiet"],
  ["audit", "x", "--no-format"],
  ["audit", "x", "--quiet=true"],
  ["audit", "x", "--", "-y"],
  ["audit", "x", "--role", "router"],
];

describe("fast command-line path", () => {
  for (const args of accepted) {
    it(`reads "${args.join(" ")}" as yargs does`, async () => {
      const fast = parseAuditFast(args);
      expect(fast).toBeDefined();
      expect(fast).toEqual(await viaYargs(args));
    });
  }

  for (const args of refused) {
    it(`leaves "${args.join(" ")}" to yargs`, () => {
      expect(parseAuditFast(args)).toBeUndefined();
    });
  }
});
