// Gates for tests that need the real kernel (root, network namespaces, iptables-legacy) or the shared corpora.
// On a user's machine they skip with a one-line reason; with VPNLINT_REQUIRE_KERNEL=1 / VPNLINT_REQUIRE_CORPUS=1
// (set by .ci/run) a missing prerequisite fails instead, so CI never passes by skipping.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** ../shared/corpus beside the checkout (CI has it there too); VPNLINT_CORPUS overrides. */
export const corpusRoot = process.env.VPNLINT_CORPUS ?? resolve(repoRoot, "../shared/corpus");

export interface Prerequisite {
  readonly available: boolean;
  readonly reason: string;
  readonly required: boolean;
}

function probeKernel(): Prerequisite {
  const required = process.env.VPNLINT_REQUIRE_KERNEL === "1";
  if (process.platform !== "linux") return { available: false, reason: "needs Linux", required };
  if (process.getuid?.() !== 0) return { available: false, reason: "needs root for network namespaces", required };
  const restore = spawnSync("unshare", ["-rn", "iptables-legacy-restore", "--test"], {
    input: "*filter\n-A INPUT -p udp -m udp --dport 500 -j ACCEPT\nCOMMIT\n",
    timeout: 10_000,
    encoding: "utf8",
  });
  if (restore.error || restore.status !== 0) {
    return { available: false, reason: `iptables-legacy-restore in a network namespace failed (${restore.error?.message ?? restore.stderr.trim()})`, required };
  }
  const ip = spawnSync("ip", ["-V"], { timeout: 5_000 });
  if (ip.error || ip.status !== 0) return { available: false, reason: "needs iproute2 (ip)", required };
  return { available: true, reason: "", required };
}

function probeCorpus(): Prerequisite {
  const required = process.env.VPNLINT_REQUIRE_CORPUS === "1";
  const ok = existsSync(resolve(corpusRoot, "iptables")) && existsSync(resolve(corpusRoot, "vyatta"));
  return { available: ok, reason: ok ? "" : `corpus not found at ${corpusRoot}`, required };
}

export const kernel = probeKernel();
export const corpus = probeCorpus();

/**
 * `describe` that runs only when the prerequisite is there. Otherwise it skips with a one-line reason, or, when the
 * prerequisite is required (CI), registers one failing test that names what is missing.
 */
export function describeWith(prerequisite: Prerequisite, name: string, body: () => void): void {
  if (prerequisite.available) {
    describe(name, body);
  } else if (prerequisite.required) {
    describe(name, () => {
      it(`prerequisite is missing: ${prerequisite.reason}`, () => {
        throw new Error(`required by the environment but missing: ${prerequisite.reason}`);
      });
    });
  } else {
    // Vitest runs a skipped describe's body to collect it; the body may read the missing corpus, so never call it.
    describe(name, () => {
      it.skipIf(true)(`skipped: ${prerequisite.reason}`, () => undefined);
    });
  }
}
