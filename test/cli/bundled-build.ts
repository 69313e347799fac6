// The package as `npm run build` leaves it, privately for one test file: the compiled src/ (the hostile tests' build)
// linked into dist/cli/vpnlint.cjs, the compiled line checker, and bin/vpnlint.js, which runs that file. The repository's own dist/ may be stale.

import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers/environment.js";
import { hostileBuild } from "../hostile/build.js";

export interface BundledBuild {
  /** The package root: bin/, dist/, docs/ and package.json. */
  readonly root: string;
  /** Its bin/vpnlint.js. */
  readonly cli: string;
  readonly distDir: string;
  remove(): void;
}

/** For the beforeAll that builds: it may wait for the hostile tests' tsc. */
export const BUNDLED_BUILD_TIMEOUT_MS = 300_000;

export function bundledBuild(): BundledBuild {
  const compiled = hostileBuild();
  // Under the repository's node_modules/ so yargs and ora, which stay outside the bundle, resolve as they do installed.
  const parent = join(repoRoot, "node_modules/.cache/vpnlint-bundled");
  mkdirSync(parent, { recursive: true });
  const root = mkdtempSync(join(parent, "build-"));
  const distDir = join(root, "dist");
  cpSync(compiled.distDir, distDir, { recursive: true });
  // The compiled line checker `npm run build` makes first (native-lines.test.ts holds it to its source).
  cpSync(join(repoRoot, "dist/native"), join(distDir, "native"), { recursive: true });
  cpSync(join(repoRoot, "bin"), join(root, "bin"), { recursive: true });
  copyFileSync(join(repoRoot, "package.json"), join(root, "package.json"));
  symlinkSync(join(repoRoot, "docs"), join(root, "docs"));
  const link = spawnSync(process.execPath, [join(repoRoot, "scripts/build-bundle.mjs"), "--dist", distDir], { encoding: "utf8", timeout: 120_000 });
  if (link.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`scripts/build-bundle.mjs failed: ${(link.stdout + link.stderr).slice(0, 2000)}`);
  }
  return { root, cli: join(root, "bin/vpnlint.js"), distDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
