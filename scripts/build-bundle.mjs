// `npm run build`, after tsc: links dist/ into one file, dist/cli/vpnlint.cjs, that bin/vpnlint.js runs from V8's
// code cache (loading ~100 modules and compiling them was most of a small audit's start-up), then warms that cache.
// The line prefetch's worker (dist/formats/iptables/line-worker.js and the one module it imports) is linked too, into
// line-worker.cjs: a CommonJS worker thread starts without Node's ES module loader, ~5 ms sooner.
//
// The file is one function expression, `(function (exports, require, module, __filename, __dirname, hostImport) {...})`:
// bin/vpnlint.js compiles it with vm.Script, whose code cache cannot carry an import() callback, so the packages the
// code imports dynamically (yargs, ora: off the plain-audit path) stay outside and come through `hostImport`. Every
// static import is inside, Chevrotain from its single-file build as src/formats/chevrotain.ts loads it.
//
// usage: node scripts/build-bundle.mjs [--dist DIR]
//   --dist DIR   link this tsc output instead of dist/ (the bundle goes to DIR/cli/vpnlint.cjs; DIR/../bin/vpnlint.js,
//                if there, warms the cache)

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const HOST_IMPORT = "vpnlint-host-import:";

function parseArgs(argv) {
  const options = { dist: join(repoRoot, "dist") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dist" && argv[i + 1]) options.dist = resolve(argv[++i]);
    else throw new Error(`unknown argument: ${argv[i]}`);
  }
  return options;
}

/** The same file src/formats/chevrotain.ts imports at run time. */
function chevrotainBundle() {
  const entry = createRequire(import.meta.url).resolve("chevrotain");
  return fileURLToPath(new URL("../chevrotain.min.mjs", `file://${entry}`));
}

const linkPlugin = (chevrotainPath) => ({
  name: "vpnlint-link",
  setup(on) {
    // The run-time loader (a top-level await over a dynamic import) becomes a static re-export of the same file.
    on.onLoad({ filter: /[\\/]formats[\\/]chevrotain\.js$/ }, () => ({ contents: `export * from ${JSON.stringify(chevrotainPath)};\n`, loader: "js" }));
    on.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === "dynamic-import" ? { path: `${HOST_IMPORT}${args.path}`, external: true } : undefined));
  },
});

async function link(distDir) {
  const result = await build({
    entryPoints: [join(distDir, "cli/main.js")],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: join(distDir, "cli/vpnlint.cjs"),
    // package-info.js finds the package two levels above its own file, as dist/cli/vpnlint.cjs is.
    define: { "import.meta.url": "__vpnlintFileUrl" },
    banner: { js: 'const __vpnlintFileUrl = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [linkPlugin(chevrotainBundle())],
    logLevel: "warning",
  });
  let code = result.outputFiles[0].text;
  code = code.replace(new RegExp(`\\bimport\\("${HOST_IMPORT}`, "g"), 'hostImport("');
  // An import() left in would fail only when reached, inside vm.Script: refuse to build instead.
  if (/\bimport\s*\(/.test(code)) throw new Error("the bundle still contains an import() that bin/vpnlint.js cannot serve");
  const body = `(function (exports, require, module, __filename, __dirname, hostImport) {\n${code}\n})\n`;
  const id = createHash("sha256").update(body).digest("hex").slice(0, 16);
  // bin/vpnlint.js names the code cache after this id: V8 checks a cache only against the source's length.
  return `// vpnlint ${id}: dist/ linked by scripts/build-bundle.mjs for bin/vpnlint.js\n${body}`;
}

/** The worker that bin/vpnlint.js starts, as one CommonJS file beside its per-module build. */
async function linkWorker(distDir) {
  await build({
    entryPoints: [join(distDir, "formats/iptables/line-worker.js")],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile: join(distDir, "formats/iptables/line-worker.cjs"),
    logLevel: "warning",
  });
}

const options = parseArgs(process.argv.slice(2));
await linkWorker(options.dist);
const outFile = join(options.dist, "cli/vpnlint.cjs");
const text = await link(options.dist);
for (const entry of readdirSync(join(options.dist, "cli"))) {
  if (/^vpnlint-.*\.cache$/.test(entry)) rmSync(join(options.dist, "cli", entry), { force: true });
}
writeFileSync(outFile, text);

// One audit of an example writes the code cache, with the functions a plain audit compiles.
const bin = join(options.dist, "../bin/vpnlint.js");
const example = join(repoRoot, "examples/l2tp-ipsec-broken.rules");
if (existsSync(bin) && existsSync(example)) {
  const run = spawnSync(process.execPath, [bin, "audit", example], { stdio: ["ignore", "ignore", "inherit"] });
  if (run.status !== 0 && run.status !== 1) throw new Error(`the bundled CLI failed on ${example} (exit ${run.status ?? run.signal})`);
}
