// A private, content-addressed build of src/ for the hostile tests: the CLI and the audit worker run compiled JS, and
// dist/ may be stale or half-written while others build. Same sources, same directory: parallel test files share it.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { repoRoot } from "../helpers/environment.js";

export interface Build {
  /** The compiled `src/` (what `dist/` holds after `npm run build`). */
  readonly distDir: string;
  /** A copy of `bin/vpnlint.js` that runs `distDir`'s single-file build, as an installed vpnlint does. */
  readonly cli: string;
}

/** What bin/ ships: the entry point and the package.json that makes it CommonJS. */
const BIN_FILES = ["bin/vpnlint.js", "bin/package.json"];

/** For the beforeAll that builds: tsc on a busy machine, or waiting for another test file's tsc. */
export const BUILD_TIMEOUT_MS = 300_000;

const cacheRoot = join(repoRoot, "node_modules/.cache/vpnlint-hostile");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

function contentHash(): string {
  const hash = createHash("sha256");
  for (const file of [...sourceFiles(join(repoRoot, "src")), join(repoRoot, "tsconfig.json"), join(repoRoot, "tsconfig.build.json"), ...BIN_FILES.map((f) => join(repoRoot, f)), join(repoRoot, "scripts/build-bundle.mjs")]) {
    hash.update(relative(repoRoot, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Builds once per source state; type errors in others' unfinished files do not stop tsc from emitting. */
export function hostileBuild(): Build {
  const dir = join(cacheRoot, contentHash());
  const build = { distDir: join(dir, "dist"), cli: join(dir, "bin/vpnlint.js") };
  // Test files start together: one builds under a lock directory, the others wait for its result.
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 180_000;
  while (!existsSync(join(dir, "ready"))) {
    mkdirSync(cacheRoot, { recursive: true });
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for another test file to build into ${dir}`);
      // A test run killed while building leaves its lock behind.
      const lockAge = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (lockAge > 150_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!existsSync(join(dir, "ready"))) buildInto(dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return build;
}

function buildInto(dir: string): void {
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, "bin"), { recursive: true });
  const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(repoRoot, "tsconfig.build.json"), "--outDir", join(staging, "dist")], {
    encoding: "utf8",
    timeout: 240_000,
  });
  if (!existsSync(join(staging, "dist/cli/main.js"))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`building src/ for the hostile tests failed: ${(tsc.stdout + tsc.stderr).slice(0, 2000)}`);
  }
  for (const file of BIN_FILES) copyFileSync(join(repoRoot, file), join(staging, file));
  // Under node_modules/ Node looks for no package.json above, so ESM has to be declared here.
  writeFileSync(join(staging, "package.json"), '{ "type": "module" }\n');
  const link = spawnSync(process.execPath, [join(repoRoot, "scripts/build-bundle.mjs"), "--dist", join(staging, "dist")], { encoding: "utf8", timeout: 120_000 });
  if (link.status !== 0 || !existsSync(join(staging, "dist/cli/vpnlint.cjs"))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`linking the single-file build for the hostile tests failed: ${(link.stdout + link.stderr).slice(0, 2000)}`);
  }
  writeFileSync(join(staging, "ready"), "");
  renameSync(staging, dir);
  pruneOldBuilds(dir);
}

/** Builds of older source states: removed after an hour (a concurrent run may still be using a recent one). */
function pruneOldBuilds(keep: string): void {
  for (const entry of readdirSync(cacheRoot)) {
    const path = join(cacheRoot, entry);
    const stats = statSync(path, { throwIfNoEntry: false });
    if (path !== keep && stats && Date.now() - stats.mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}
