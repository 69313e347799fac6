// Progress for long audits: an ora spinner on stderr, only for people watching a terminal, loaded only when used.

import { escapeControl } from "../report/escape.js";
import type { CliIo } from "./io.js";

/** Below these an audit finishes before a spinner would be noticed. */
const MANY_FILES = 20;
const BIG_INPUT_BYTES = 2 * 1024 * 1024;

export interface Progress {
  update(text: string): Promise<void>;
  stop(): void;
}

const silent: Progress = { update: async () => {}, stop: () => {} };

export function wantsSpinner(io: CliIo, machineFormat: boolean, quiet: boolean, files: number, bytes: number): boolean {
  const ci = io.env.CI !== undefined && io.env.CI !== "" && io.env.CI !== "false" && io.env.CI !== "0";
  // A terminal that reports no width (a bare pty) would send ora's line clearing into an endless loop.
  const sized = (io.stderr.columns ?? 0) > 0;
  return !machineFormat && !quiet && !ci && io.stderr.isTTY && sized && io.stderrStream !== undefined && (files >= MANY_FILES || bytes >= BIG_INPUT_BYTES);
}

export async function startProgress(io: CliIo, enabled: boolean, text: string): Promise<Progress> {
  if (!enabled || !io.stderrStream) return silent;
  const { default: ora } = await import("ora");
  const spinner = ora({ text, stream: io.stderrStream, discardStdin: false }).start();
  return {
    // The audit itself is synchronous: yield once so the spinner can draw a frame between files.
    update: async (next) => {
      spinner.text = escapeControl(next);
      await new Promise((resolve) => setImmediate(resolve));
    },
    stop: () => spinner.stop(),
  };
}
