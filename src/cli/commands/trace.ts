// Placeholder for `vpnlint trace` until the engine lands (the engine's owner replaces this file).

import type { CommandModule } from "yargs";

export const traceCommand: CommandModule = {
  command: "trace <files..>",
  describe: "Trace packets through a ruleset (not available yet)",
  handler: () => {
    process.stderr.write("vpnlint: trace is not available yet\n");
    process.exitCode = 2;
  },
};
