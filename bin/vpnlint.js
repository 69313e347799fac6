#!/usr/bin/env node
// Entry point: load the compiled CLI (built by `npm install` through the prepare script).
import("../dist/cli/main.js").catch((error) => {
  process.stderr.write(`vpnlint: cannot start (${error && error.message ? error.message : error}); run "npm run build" first\n`);
  process.exit(2);
});
