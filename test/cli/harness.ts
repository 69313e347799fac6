// Runs the CLI in-process with captured streams, the way a terminal, a pipe or CI would drive it.

import { resolve } from "node:path";
import type { CliIo } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";
import { repoRoot } from "../helpers/environment.js";

export const fixture = (name: string) => resolve(repoRoot, "test/cli/fixtures", name);
/** Fixture paths as a user in the repository root would type them. */
export const relativeFixture = (name: string) => `test/cli/fixtures/${name}`;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface FakeTerminal {
  readonly stdin?: string;
  readonly env?: Record<string, string | undefined>;
  readonly stdoutIsTTY?: boolean;
  readonly stderrIsTTY?: boolean;
}

/** Relative paths resolve against the process's directory (vitest runs in the repository root), as they would. */
export async function cli(args: readonly string[], terminal: FakeTerminal = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    cwd: repoRoot,
    env: terminal.env ?? {},
    stdout: { write: (text) => void (stdout += text), isTTY: terminal.stdoutIsTTY ?? false, columns: 100 },
    stderr: { write: (text) => void (stderr += text), isTTY: terminal.stderrIsTTY ?? false, columns: 100 },
    readStdin: async () => terminal.stdin ?? "",
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

/** Every error is one line, names its subject and never carries a stack trace. */
export function isOneLineError(stderr: string): boolean {
  return /^vpnlint: [^\n]+\n$/.test(stderr) && !/\n\s+at /.test(stderr);
}
