// Gates for tests that need external tools (the SARIF multitool binary, git + pre-commit), built like the kernel gate:
// skip with a reason on a user's machine, fail when the environment says they must be there (CI).

import { spawnSync } from "node:child_process";
import { accessSync, chmodSync, constants, existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Prerequisite } from "../helpers/environment.js";
import { repoRoot } from "../helpers/environment.js";

const required = process.env.VPNLINT_REQUIRE_KERNEL === "1" || (process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false");

export const multitoolBinary = resolve(repoRoot, "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
export const sarifSchemaPath = resolve(repoRoot, "node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json");

/** npm 11 skips the package's postinstall chmod, so the binary may arrive without its execute bit. */
function probeMultitool(): Prerequisite {
  if (process.platform !== "linux" || process.arch !== "x64") return { available: false, reason: "the SARIF multitool binary is linux-x64 only", required };
  if (!existsSync(multitoolBinary)) return { available: false, reason: `${multitoolBinary} is not installed`, required };
  try {
    accessSync(multitoolBinary, constants.X_OK);
  } catch {
    chmodSync(multitoolBinary, statSync(multitoolBinary).mode | 0o111);
  }
  const version = spawnSync(multitoolBinary, ["--version"], { encoding: "utf8", timeout: 60_000 });
  if (version.error || version.status !== 0) return { available: false, reason: `Sarif.Multitool does not run (${version.error?.message ?? version.stderr.trim()})`, required };
  return { available: true, reason: "", required };
}

function probePreCommit(): Prerequisite {
  for (const tool of ["git", "pre-commit"]) {
    const probe = spawnSync(tool, ["--version"], { encoding: "utf8", timeout: 30_000 });
    if (probe.error || probe.status !== 0) return { available: false, reason: `needs ${tool} on PATH`, required };
  }
  return { available: true, reason: "", required };
}

/** util-linux `script` gives a child a real pseudo-terminal (for the spinner). */
function probeScript(): Prerequisite {
  if (process.platform !== "linux") return { available: false, reason: "needs Linux (util-linux script)", required };
  const probe = spawnSync("script", ["-qc", "true", "/dev/null"], { encoding: "utf8", timeout: 30_000 });
  if (probe.error || probe.status !== 0) return { available: false, reason: "needs util-linux script for a pseudo-terminal", required };
  return { available: true, reason: "", required };
}

export const multitool = probeMultitool();
export const pty = probeScript();
export const preCommit = probePreCommit();
