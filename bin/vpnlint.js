#!/usr/bin/env node
// Entry point. Runs dist/cli/vpnlint.cjs, the single-file build, from V8's code cache: compiling ~1 MB of JavaScript
// was a large part of a small audit's start-up, which a pre-commit hook pays on every commit. `--debug` and a build
// without that file (tsc alone) load the per-module dist/cli/main.js instead, so stack traces name the real modules.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

/** False when there is no single-file build to run. */
function runBundled() {
  const file = fileURLToPath(new URL("../dist/cli/vpnlint.cjs", import.meta.url));
  let source;
  try {
    source = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  // V8 checks a cache against the source's length only, so its name carries the build's content hash.
  const id = /^\/\/ vpnlint ([0-9a-f]+):/.exec(source)?.[1] ?? "unknown";
  const cacheFile = `${file.slice(0, -".cjs".length)}-${id}-${process.version}-${process.arch}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // A cache from another V8 or other flags is rejected by V8 itself and the source compiled as usual.
  const script = new Script(source, { filename: file, cachedData });
  if (cachedData === undefined) process.once("exit", () => saveCache(script, cacheFile));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), (specifier) => import(specifier));
  return true;
}

/** After the run, so the cache holds the functions it compiled; a read-only install simply goes without. */
function saveCache(script, cacheFile) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, cacheFile);
  } catch {
    rmSync(temporary, { force: true });
  }
}

if (process.argv.slice(2).includes("--debug") || !runBundled()) {
  import("../dist/cli/main.js").catch((error) => {
    process.stderr.write(`vpnlint: cannot start (${error && error.message ? error.message : error}); run "npm run build" first\n`);
    process.exit(2);
  });
}
