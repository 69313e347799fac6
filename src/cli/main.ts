// Process entry point (bin/vpnlint.js loads dist/cli/main.js, or the single-file build linked from it): run the
// command line, set the exit code. No top-level await, so the single-file build can be a CommonJS script.

import { processIo } from "./io.js";
import { run } from "./run.js";

void run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
