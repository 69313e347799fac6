#!/usr/bin/env node
// Entry point. Runs dist/cli/vpnlint.cjs, the single-file build, from V8's code cache: compiling ~1 MB of JavaScript
// was a large part of a small audit's start-up, which a pre-commit hook pays on every commit. `--debug` loads the
// per-module dist/cli/main.js instead, so stack traces name the real modules, and so does a dist/ that tsc built or
// rebuilt without linking it (`npm run build` does both). Before any of that, V8 is tuned for a short run
// (INTERRUPT_BUDGET) and an audit of a large dump starts the worker thread that reads it ahead (startLinePrefetch).
//
// bin/package.json makes this file CommonJS, which spares Node its ES module loader (~5 ms). It needs neither
// `require` nor `import.meta`, so a copy outside bin/ still runs, as an ES module, on the per-module build.
const { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { createRequire } = process.getBuiltinModule("node:module");
const { join } = process.getBuiltinModule("node:path");
const { Script } = process.getBuiltinModule("node:vm");

/**
 * V8 optimizes a function once its bytecode has run for about three "interrupt budgets" (66 KB by default). An audit is
 * short: on a 100k-rule dump V8's defaults compile ~115 functions with TurboFan (on the second core, beside the line
 * prefetch's worker and the GC), most of which then run too briefly to pay back, and ~40 of them deoptimize. With a
 * budget about seven times larger only the really hot functions are compiled (~40, ~10 deoptimizations) and the audit
 * takes ~15 % less time; small files, where nothing gets hot, are not affected. Set before the CLI is compiled, so its
 * code cache is made and checked under the same flags (scripts/build-bundle.mjs warms it through this file).
 */
const INTERRUPT_BUDGET = 450_000;
process.getBuiltinModule("node:v8").setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);

/** PREFETCH_MINIMUM of src/formats/iptables/line-prefetch.ts. */
const PREFETCH_MINIMUM = 24 << 20;

/**
 * Starts the worker thread of a line prefetch now, while this thread compiles the CLI, when `vpnlint audit` is given
 * a regular file of 24 MiB or more: the first such dump the audit reads goes to it (src/formats/iptables/
 * line-prefetch.ts, whose startLinePrefetch does the same for callers of the library).
 */
function startLinePrefetch(args) {
  if (args[0] !== "audit" || typeof __dirname !== "string") return;
  const checker = join(__dirname, "../dist/native/common-lines.wasm");
  const large = (path) => {
    try {
      const stats = statSync(path);
      return stats.isFile() && stats.size >= PREFETCH_MINIMUM;
    } catch {
      return false;
    }
  };
  if (!args.slice(1).some((arg) => !arg.startsWith("-") && large(arg)) || !existsSync(checker)) return;
  const workerFile = lineWorkerFile(join(__dirname, "../dist/formats/iptables"));
  if (workerFile === undefined) return;
  try {
    const { MessageChannel, Worker } = process.getBuiltinModule("node:worker_threads");
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    // Its standard streams are left unconnected (it writes nothing), which spares setting up their piping.
    const worker = new Worker(workerFile, { workerData: { checker, port: port2, signal }, transferList: [port2], stdout: true, stderr: true });
    worker.unref();
    // A worker that fails stops sending: the audit waits a bounded time, then checks the lines itself.
    worker.on("error", () => {});
    globalThis[Symbol.for("vpnlint.linePrefetch")] = { port: port1, signal, worker };
  } catch {
    // No thread to be had: the audit does all the work on this one, as without a prefetch.
  }
}

/** The worker's single-file build (scripts/build-bundle.mjs), unless tsc has rebuilt it since; else its module. */
function lineWorkerFile(directory) {
  const modules = join(directory, "line-worker.js");
  try {
    const linked = join(directory, "line-worker.cjs");
    return statSync(linked).mtimeMs >= statSync(modules).mtimeMs ? linked : modules;
  } catch {
    return existsSync(modules) ? modules : undefined;
  }
}

/** False when there is no single-file build to run, or tsc has rebuilt dist/ since it was linked. */
function runBundled() {
  if (typeof __dirname !== "string") return false;
  const directory = join(__dirname, "../dist/cli");
  const file = join(directory, "vpnlint.cjs");
  let source;
  try {
    if (statSync(join(directory, "main.js")).mtimeMs > statSync(file).mtimeMs) return false;
    source = readFileSync(file, "utf8");
  } catch {
    return false;
  }
  // V8 checks a cache against the source's length only, so its name carries the build's content hash.
  const id = /^\/\/ vpnlint ([0-9a-f]+):/.exec(source)?.[1] ?? "unknown";
  const cacheFile = join(directory, `vpnlint-${id}-${process.version}-${process.arch}.cache`);
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
  script.runInThisContext()(module.exports, createRequire(file), module, file, directory, (specifier) => import(specifier));
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

startLinePrefetch(process.argv.slice(2));
if (process.argv.slice(2).includes("--debug") || !runBundled()) {
  import("../dist/cli/main.js").catch((error) => {
    process.stderr.write(`vpnlint: cannot start (${error && error.message ? error.message : error}); run "npm run build" first\n`);
    process.exit(2);
  });
}
