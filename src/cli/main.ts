// Process entry point (bin/vpnlint.js loads dist/cli/main.js, or the single-file build linked from it): run the
// command line, set the exit code. No top-level await, so the single-file build can be a CommonJS script.

import { useNativeLines } from "../formats/iptables/native-lines.js";
import { processIo } from "./io.js";
import { compiledLineChecker } from "./package-info.js";
import { run } from "./run.js";

// Large dumps' common lines are checked by compiled code when the build made it (read only when a document needs it).
useNativeLines(compiledLineChecker);

void run(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
  // Once the event loop is empty every byte of the report is written; exiting then skips tearing down a heap that
  // holds a 100k-rule model (~20-30 ms nobody waits for). Exit handlers (the code cache writer) still run.
  process.once("beforeExit", () => process.exit());
});
