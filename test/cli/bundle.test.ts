// The single-file build that bin/vpnlint.js runs (scripts/build-bundle.mjs) behaves as the per-module build does, with
// and without its code cache.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeDump } from "../../bench/generate.js";
import { PREFETCH_MINIMUM } from "../../src/formats/iptables/line-prefetch.js";
import { repoRoot } from "../helpers/environment.js";
import { BUNDLED_BUILD_TIMEOUT_MS, bundledBuild, type BundledBuild } from "./bundled-build.js";
import { relativeFixture } from "./harness.js";

let build: BundledBuild;
beforeAll(() => {
  build = bundledBuild();
}, BUNDLED_BUILD_TIMEOUT_MS);
afterAll(() => build?.remove());

function run(entry: string, args: readonly string[], input = "") {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: repoRoot, input, encoding: "utf8", env, timeout: 60_000 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dumps = new Map<number, { path: string; dump: string }>();

/** A kube-proxy dump of `chains` service chains (bench/generate.js), written once. */
function dumpOf(chains: number): { path: string; dump: string } {
  let written = dumps.get(chains);
  if (written === undefined) {
    const dump = kubeDump(chains);
    written = { path: join(build.root, `kube-${chains}.rules`), dump };
    writeFileSync(written.path, dump);
    dumps.set(chains, written);
  }
  return written;
}

/** A 4.7 MB dump: large enough for V8 to optimize the hot loops. */
const largeDump = () => dumpOf(2_400);

/** A 25 MB dump, large enough for the line prefetch. */
function prefetchDump(): { path: string; dump: string } {
  const written = dumpOf(13_000);
  expect(written.dump.length).toBeGreaterThan(PREFETCH_MINIMUM);
  return written;
}

const cacheFiles = () => readdirSync(join(build.distDir, "cli")).filter((name) => name.endsWith(".cache"));

/** Plain audits (the fast path), every output format, yargs' commands, help, and the failures users see. */
const COMMAND_LINES: readonly (readonly string[])[] = [
  ["audit", "examples/l2tp-ipsec-broken.rules"],
  ["audit", "--format", "json", "examples/nat-gateway.rules", "examples/vyos-1.5-l2tp-server.set"],
  ["audit", "--format", "sarif", "examples/edgeos-l2tp-server-broken.boot"],
  ["audit", "--format", "github", relativeFixture("syntax-error.rules")],
  ["audit", "--role", "endpoint", "--external-interface", "eth0", "examples/l2tp-ipsec-server.rules"],
  ["rules"],
  ["explain", "VPN004"],
  ["trace", "examples/l2tp-ipsec-server.rules", "--packet", "proto=udp dport=1701 in=eth0 state=new ipsec=no"],
  ["--help"],
  ["--version"],
  ["audit", "--frobnicate"],
  ["audit", "missing.rules"],
  ["adit", "x.rules"],
];

describe("the single-file build", () => {
  it("is what bin/vpnlint.js runs, and warms its code cache when built", () => {
    expect(readFileSync(join(build.distDir, "cli/vpnlint.cjs"), "utf8")).toMatch(/^\/\/ vpnlint [0-9a-f]{16}: /);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("prints what the per-module build prints, with the same exit codes", () => {
    for (const args of COMMAND_LINES) {
      const bundled = run(build.cli, args);
      expect({ args, ...bundled }).toEqual({ args, ...run(join(build.distDir, "cli/main.js"), args) });
    }
  }, 120_000);

  it("reads standard input", () => {
    const input = readFileSync(join(repoRoot, relativeFixture("syntax-error.rules")), "utf8");
    const bundled = run(build.cli, ["audit", "-", "--stdin-filename", "live.rules", "-f", "json"], input);
    expect(bundled.code).toBe(1);
    expect(JSON.parse(bundled.stdout).findings[0].location).toMatchObject({ file: "live.rules", startLine: 4, startColumn: 4 });
  });

  it("audits a dump large enough for the line prefetch (a worker thread) as it audits the same bytes from standard input", () => {
    const { path, dump } = prefetchDump();
    const prefetched = run(build.cli, ["audit", "--format", "json", path]);
    expect(prefetched.code).toBe(1);
    expect(prefetched).toEqual(run(build.cli, ["audit", "--format", "json", "-", "--stdin-filename", path], dump));
  }, 60_000);

  it("runs with V8 tuned for a short run: a fraction of the optimizing compilations V8's defaults make", () => {
    // --trace-opt prints a line per finished TurboFan compilation (stdout, beside the report). The per-module build,
    // started without bin/vpnlint.js, runs under V8's default interrupt budget.
    const compilations = (entry: string) => {
      const result = spawnSync(process.execPath, ["--trace-opt", entry, "audit", "--format", "json", largeDump().path], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 });
      expect(result.status).toBe(1);
      return result.stdout.split("\n").filter((line) => line.includes("completed compiling")).length;
    };
    const tuned = compilations(build.cli);
    const defaults = compilations(join(build.distDir, "cli/main.js"));
    expect(tuned).toBeGreaterThan(0);
    expect(tuned).toBeLessThan(defaults / 2);
  }, 60_000);

  it("writes a missing code cache after a run and gives the same output from it", () => {
    for (const name of cacheFiles()) rmSync(join(build.distDir, "cli", name));
    const args = ["audit", "--format", "json", "examples/l2tp-ipsec-broken.rules"];
    const first = run(build.cli, args);
    expect(cacheFiles()).toHaveLength(1);
    expect(run(build.cli, args)).toEqual(first);
    expect(first.code).toBe(1);
  });

  it("leaves --debug to the per-module build, whose stack traces name the real modules", () => {
    for (const name of cacheFiles()) rmSync(join(build.distDir, "cli", name));
    expect(run(build.cli, ["audit", "--debug", relativeFixture("clean.rules")])).toEqual({ code: 0, stdout: "no problems in 1 file\n", stderr: "" });
    expect(cacheFiles()).toEqual([]);
    run(build.cli, ["audit", relativeFixture("clean.rules")]);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("leaves a dist/ that tsc rebuilt after linking to the per-module build", () => {
    const bundle = join(build.distDir, "cli/vpnlint.cjs");
    const linked = statSync(bundle).mtime;
    for (const name of cacheFiles()) rmSync(join(build.distDir, "cli", name));
    try {
      utimesSync(join(build.distDir, "cli/main.js"), new Date(), new Date(linked.getTime() + 60_000));
      expect(run(build.cli, ["audit", relativeFixture("clean.rules")])).toEqual({ code: 0, stdout: "no problems in 1 file\n", stderr: "" });
      expect(cacheFiles()).toEqual([]);
    } finally {
      utimesSync(bundle, new Date(), new Date(linked.getTime() + 120_000));
    }
    run(build.cli, ["audit", relativeFixture("clean.rules")]);
    expect(cacheFiles()).toHaveLength(1);
  });

  it("runs unchanged from a code cache V8 rejects", () => {
    const args = ["audit", "examples/l2tp-ipsec-broken.rules"];
    const expected = run(build.cli, args);
    const [cache] = cacheFiles();
    writeFileSync(join(build.distDir, "cli", cache!), Buffer.alloc(4096, 0x5a));
    expect(run(build.cli, args)).toEqual(expected);
    expect(readFileSync(join(build.distDir, "cli", cache!))).toEqual(Buffer.alloc(4096, 0x5a));
  });
});
