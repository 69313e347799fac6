// `npm run bench`: vpnlint's full audit against `iptables-legacy-restore --test` on the same kube-proxy-sized dump,
// the 10x scaling and a large Vyatta config. A report: it exits 0 whether or not the targets are met.

import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { kubeDump, vyattaConfig } from "./generate.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const referenceScript = resolve(repoRoot, "../shared/bench/kube-dump.py");
let cli = join(repoRoot, "bin/vpnlint.js");

const TARGETS = { ratio: 0.5, ratioAim: 0.25, rssMb: 256, scaling: 11, vyattaSeconds: 0.5 };

const usage = `usage: npm run bench -- [--runs N] [--reference] [--keep] [--cli PATH]
  --runs N       measured runs of each command after one warm-up (default 5)
  --cli PATH     measure this vpnlint entry point instead of bin/vpnlint.js (e.g. a build of another commit)
  --reference    generate the dumps with ${referenceScript} instead of bench/generate.js
  --keep         keep the generated inputs and outputs (the directory is printed)`;

function parseArgs(argv) {
  const options = { runs: 5, reference: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--reference") options.reference = true;
    else if (arg === "--keep") options.keep = true;
    else if (arg === "--runs" && /^[1-9]\d*$/.test(argv[i + 1] ?? "")) options.runs = Number(argv[++i]);
    else if (arg === "--cli" && argv[i + 1]) options.cli = resolve(argv[++i]);
    else {
      process.stderr.write(`${arg === "--help" || arg === "-h" ? "" : `unknown argument: ${arg}\n`}${usage}\n`);
      process.exit(arg === "--help" || arg === "-h" ? 0 : 2);
    }
  }
  return options;
}

/** bin/vpnlint.js runs this single-file build of dist/ (scripts/build-bundle.mjs, the last step of `npm run build`). */
const bundlePath = join(repoRoot, "dist/cli/vpnlint.cjs");

/** The newest .ts under src/ that is newer than the build, if any: measuring a stale dist/ would mislead. */
function staleSource() {
  const built = statSync(bundlePath).mtimeMs;
  const pending = [join(repoRoot, "src")];
  while (pending.length > 0) {
    const dir = pending.pop();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.name.endsWith(".ts") && statSync(path).mtimeMs > built) return path;
    }
  }
  return undefined;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * One run of a command under /usr/bin/time (for the peak RSS, which includes the children it waited for) with stdin
 * and stdout from/to files. Wall time is measured here, around the whole process, so node's start-up counts.
 */
function measure(argv, { stdinPath, stdoutPath, workDir }) {
  const rssPath = join(workDir, "rss.txt");
  const stdin = stdinPath ? openSync(stdinPath, "r") : "ignore";
  const stdout = stdoutPath ? openSync(stdoutPath, "w") : "ignore";
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync("/usr/bin/time", ["-f", "%M", "-o", rssPath, ...argv], {
      stdio: [stdin, stdout, "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rssText = existsSync(rssPath) ? readFileSync(rssPath, "utf8") : "";
    // /usr/bin/time prefixes "Command exited with non-zero status N" when the command fails.
    const rssKb = Number(rssText.trim().split("\n").pop());
    return { seconds, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : NaN, status: result.status, signal: result.signal, stderr: result.stderr?.toString("utf8") ?? "" };
  } finally {
    if (typeof stdin === "number") closeSync(stdin);
    if (typeof stdout === "number") closeSync(stdout);
  }
}

/** vpnlint's exit 1 means findings, which a dump this size has; 2 or a signal is a failure of the tool. */
function vpnlintRun(file, workDir) {
  const outPath = join(workDir, "vpnlint-out.json");
  const run = measure([process.execPath, cli, "audit", "--format", "json", file], { stdoutPath: outPath, workDir });
  run.ok = run.status === 0 || run.status === 1;
  run.outPath = outPath;
  return run;
}

function iptablesArgv(mode) {
  return mode === "unshare" ? ["unshare", "-rn", "iptables-legacy-restore", "--test"] : ["iptables-legacy-restore", "--test"];
}

function iptablesRun(file, mode, workDir) {
  const run = measure(iptablesArgv(mode), { stdinPath: file, workDir });
  run.ok = run.status === 0;
  return run;
}

/** Where iptables-legacy-restore can run: directly as root, and/or inside a new user+network namespace. */
function iptablesModes(workDir) {
  const probe = join(workDir, "probe.rules");
  writeFileSync(probe, "*filter\n-A INPUT -p udp -m udp --dport 500 -j ACCEPT\nCOMMIT\n");
  const modes = [];
  for (const mode of ["unshare", "direct"]) {
    if (mode === "direct" && process.getuid?.() !== 0) continue;
    if (iptablesRun(probe, mode, workDir).ok) modes.push(mode);
  }
  return modes;
}

function describeFailure(run) {
  const firstLine = run.stderr.trim().split("\n")[0] ?? "";
  return `${run.signal ? `killed by ${run.signal}` : `exit ${run.status}`}${firstLine ? `: ${firstLine.slice(0, 200)}` : ""}`;
}

/** Warm-up once each, then `runs` alternating rounds. A command that fails is reported and left out of later rounds. */
function alternate(commands, runs) {
  for (const command of commands) command.run();
  const results = Object.fromEntries(commands.map((c) => [c.name, []]));
  const failures = {};
  for (let i = 0; i < runs; i++) {
    for (const command of commands) {
      if (failures[command.name]) continue;
      const run = command.run();
      if (run.ok) results[command.name].push(run);
      else failures[command.name] = run;
    }
  }
  return { results, failures };
}

const fmtS = (s) => (Number.isFinite(s) ? `${s.toFixed(3)} s` : "n/a");
const fmtMb = (mb) => (Number.isFinite(mb) ? `${mb.toFixed(0)} MB` : "n/a");
const verdict = (met) => (met ? "MET" : "NOT MET");

function machine() {
  const cpu = cpus();
  const iptables = spawnSync("iptables-legacy-restore", ["--version"], { encoding: "utf8" });
  return [
    `${cpu[0]?.model.trim() ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `Linux ${release()}, Node ${process.versions.node}, ${(iptables.stdout || iptables.stderr || "iptables-legacy-restore: not found").trim()}`,
    // Other work on the machine slows both tools; a load above the core count makes the absolute times meaningless.
    `load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} (1, 5, 15 min)`,
  ];
}

function generate(workDir, reference) {
  const files = { big: join(workDir, "kube-100k.rules"), small: join(workDir, "kube-10k.rules"), vyatta: join(workDir, "config.boot") };
  if (reference) {
    for (const [file, chains] of [[files.big, 6400], [files.small, 640]]) {
      const result = spawnSync("python3", [referenceScript, file, String(chains)], { stdio: ["ignore", "ignore", "inherit"] });
      if (result.status !== 0) throw new Error(`${referenceScript} failed`);
    }
  } else {
    writeFileSync(files.big, kubeDump(6400));
    writeFileSync(files.small, kubeDump(640));
  }
  writeFileSync(files.vyatta, vyattaConfig(10000));
  return files;
}

function describeFile(path) {
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n").length - 1;
  const rules = text.split("\n").filter((line) => line.startsWith("-A ")).length;
  const chains = text.split("\n").filter((line) => line.startsWith(":")).length;
  const size = `${(statSync(path).size / 1e6).toFixed(1)} MB`;
  return { lines, rules, chains, size };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.reference && !existsSync(referenceScript)) {
    process.stderr.write(`--reference: ${referenceScript} not found\n`);
    process.exit(2);
  }
  if (options.cli) {
    cli = options.cli;
  } else if (!existsSync(bundlePath)) {
    process.stderr.write('dist/cli/vpnlint.cjs is missing: run "npm run build" (or npm install) first\n');
    process.exit(2);
  } else {
    const stale = staleSource();
    if (stale) process.stderr.write(`warning: ${stale} is newer than dist/: run "npm run build" to measure the current sources\n`);
  }
  const workDir = mkdtempSync(join(tmpdir(), "vpnlint-bench-"));
  let failed = false;
  try {
    const files = generate(workDir, options.reference);
    const big = describeFile(files.big);
    const small = describeFile(files.small);
    const vyattaLines = readFileSync(files.vyatta, "utf8").split("\n").length - 1;
    const print = (line = "") => process.stdout.write(`${line}\n`);

    print("vpnlint benchmark");
    for (const line of machine()) print(`  machine: ${line}`);
    print(`  inputs (${options.reference ? "../shared/bench/kube-dump.py" : "bench/generate.js"}): 100k dump ${big.rules} rules / ${big.chains} chains / ${big.lines} lines / ${big.size}; 10k dump ${small.rules} rules / ${small.chains} chains / ${small.size}; Vyatta config.boot ${vyattaLines} lines`);
    print(`  vpnlint: ${cli}`);
    print(`  runs: 1 warm-up + ${options.runs} measured, alternating; medians of wall time (process start to exit)`);

    const modes = iptablesModes(workDir);
    if (modes.length === 0) {
      print("  iptables-legacy-restore --test does not run here (neither directly as root nor in unshare -rn): no reference timing");
    }
    // The reference runs in a fresh namespace: same empty kernel tables on every machine, no root needed.
    const mode = modes.includes("unshare") ? "unshare" : modes[0];
    if (modes.length === 2) {
      const direct = [];
      const namespaced = [];
      for (let i = 0; i < 4; i++) {
        direct.push(iptablesRun(files.big, "direct", workDir).seconds);
        namespaced.push(iptablesRun(files.big, "unshare", workDir).seconds);
      }
      print(`  iptables-legacy-restore --test on the 100k dump: ${fmtS(median(namespaced))} inside unshare -rn, ${fmtS(median(direct))} directly as root (the timing below uses unshare -rn)`);
    }
    print();

    const round = (file) => {
      const commands = [{ name: "vpnlint", run: () => vpnlintRun(file, workDir) }];
      if (mode) commands.push({ name: "iptables", run: () => iptablesRun(file, mode, workDir) });
      return alternate(commands, options.runs);
    };

    const report = (label, outcome) => {
      for (const [name, run] of Object.entries(outcome.failures)) {
        print(`  ${label}: ${name} FAILED (${describeFailure(run)})`);
        failed ||= name === "vpnlint";
      }
      const v = outcome.results.vpnlint;
      const i = outcome.results.iptables ?? [];
      const iptablesText = i.length ? `${fmtS(median(i.map((r) => r.seconds)))} (peak RSS ${fmtMb(Math.max(...i.map((r) => r.rssMb)))})` : "n/a";
      if (outcome.failures.vpnlint) {
        if (i.length) print(`  ${label}: iptables-legacy-restore --test ${iptablesText}`);
        return undefined;
      }
      const summary = {
        vpnlint: median(v.map((r) => r.seconds)),
        vpnlintRss: Math.max(...v.map((r) => r.rssMb)),
        iptables: i.length ? median(i.map((r) => r.seconds)) : NaN,
        exit: v[0].status,
      };
      const versus = i.length ? `, iptables-legacy-restore --test ${iptablesText}` : "";
      print(`  ${label}: vpnlint ${fmtS(summary.vpnlint)} (peak RSS ${fmtMb(summary.vpnlintRss)}, exit ${summary.exit})${versus}`);
      print(`      vpnlint runs: ${v.map((r) => r.seconds.toFixed(3)).join(" ")}${i.length ? `; iptables runs: ${i.map((r) => r.seconds.toFixed(3)).join(" ")}` : ""}`);
      return summary;
    };

    const bigSummary = report("100k dump", round(files.big));
    if (bigSummary) checkJson(workDir, print);
    const smallSummary = report("10k dump ", round(files.small));
    const vyattaOutcome = alternate([{ name: "vpnlint", run: () => vpnlintRun(files.vyatta, workDir) }], options.runs);
    const vyattaSummary = report("Vyatta   ", vyattaOutcome);
    // Fixed costs, to tell start-up from work: a bare node, and vpnlint on a three-line file.
    const tiny = join(workDir, "tiny.rules");
    writeFileSync(tiny, "*filter\n-A INPUT -p udp -m udp --dport 500 -j ACCEPT\nCOMMIT\n");
    const bare = alternate([{ name: "node", run: () => ({ ...measure([process.execPath, "-e", ""], { workDir }), ok: true }) }], options.runs);
    const startup = alternate([{ name: "vpnlint", run: () => vpnlintRun(tiny, workDir) }], options.runs);
    const startupText = startup.failures.vpnlint ? `FAILED (${describeFailure(startup.failures.vpnlint)})` : fmtS(median(startup.results.vpnlint.map((r) => r.seconds)));
    print(`  start-up : vpnlint on a 3-line file ${startupText}; node -e "" ${fmtS(median(bare.results.node.map((r) => r.seconds)))}`);

    print();
    print("targets");
    const rows = [];
    if (bigSummary && Number.isFinite(bigSummary.iptables)) {
      const ratio = bigSummary.vpnlint / bigSummary.iptables;
      rows.push([`vpnlint / iptables time, 100k dump`, ratio.toFixed(2), `<= ${TARGETS.ratio} (aim ${TARGETS.ratioAim})`, ratio <= TARGETS.ratio, ratio <= TARGETS.ratioAim ? " (aim reached)" : ""]);
    } else {
      rows.push(["vpnlint / iptables time, 100k dump", "n/a", `<= ${TARGETS.ratio} (aim ${TARGETS.ratioAim})`, false, ""]);
    }
    rows.push(["vpnlint peak RSS, 100k dump", bigSummary ? fmtMb(bigSummary.vpnlintRss) : "n/a", `<= ${TARGETS.rssMb} MB`, !!bigSummary && bigSummary.vpnlintRss <= TARGETS.rssMb, ""]);
    if (bigSummary && smallSummary) {
      const scaling = bigSummary.vpnlint / smallSummary.vpnlint;
      const iptablesScaling = bigSummary.iptables / smallSummary.iptables;
      rows.push(["vpnlint time 100k / 10k", `${scaling.toFixed(1)}x`, `<= ${TARGETS.scaling}x`, scaling <= TARGETS.scaling, Number.isFinite(iptablesScaling) ? ` (iptables: ${iptablesScaling.toFixed(1)}x)` : ""]);
    } else {
      rows.push(["vpnlint time 100k / 10k", "n/a", `<= ${TARGETS.scaling}x`, false, ""]);
    }
    rows.push([`vpnlint on the ${vyattaLines}-line Vyatta config`, vyattaSummary ? fmtS(vyattaSummary.vpnlint) : "n/a", `< ${TARGETS.vyattaSeconds} s`, !!vyattaSummary && vyattaSummary.vpnlint < TARGETS.vyattaSeconds, ""]);
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [name, value, target, met, note] of rows) print(`  ${name.padEnd(width)}  ${value.padStart(8)}  target ${target.padEnd(18)} ${verdict(met)}${note}`);
    const metCount = rows.filter((r) => r[3]).length;
    print(`  ${metCount} of ${rows.length} targets met`);
    if (options.keep) print(`  inputs and outputs kept in ${workDir}`);
  } finally {
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
  // Targets are reported, not enforced; only a crash or exit 2 of vpnlint makes the bench itself fail.
  process.exit(failed ? 1 : 0);
}

/** The JSON report of the last 100k run must parse: a fast tool that prints garbage does not count. */
function checkJson(workDir, print) {
  const path = join(workDir, "vpnlint-out.json");
  try {
    JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    print(`      warning: vpnlint --format json output is not valid JSON (${error.message.split("\n")[0]})`);
  }
}

main();
