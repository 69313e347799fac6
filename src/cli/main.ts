// Process entry point (bin/vpnlint.js loads dist/cli/main.js): run the command line, set the exit code.

import { processIo } from "./io.js";
import { run } from "./run.js";

process.exitCode = await run(process.argv.slice(2), processIo());
