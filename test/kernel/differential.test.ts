// The engine against the Linux kernel: random rulesets loaded with iptables-legacy-restore, probes sent through veth
// links, and for every probe the kernel's rule counters compared with the engine's verdict and path.

import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analyze, type Analysis, type PacketQuery } from "../../src/engine/index.js";
import { parseSource } from "../../src/formats/index.js";
import type { Ruleset, TableName } from "../../src/model/firewall.js";
import { SourceFile } from "../../src/model/source.js";
import { describeWith, kernel } from "../helpers/environment.js";
import { generate } from "./generator.js";
import { cleanupLeftovers, TwoHostLab, type Counter, type Probe } from "./harness.js";

const RULESETS = Number(process.env.VPNLINT_KERNEL_RULESETS ?? 1000);
const FIRST_SEED = Number(process.env.VPNLINT_KERNEL_SEED ?? 1);
const LABS = 4;

const INTERFACE_OF: Readonly<Record<string, string>> = { vA: "eth0", vB: "eth1" };

function queryOf(probe: Probe): PacketQuery {
  return {
    hook: "input",
    proto: probe.proto,
    src: probe.src,
    dst: probe.dst,
    ...(probe.sport !== undefined ? { sport: probe.sport, dport: probe.dport! } : {}),
    in: INTERFACE_OF[probe.via]!,
    state: "new",
    ipsec: false,
  };
}

/** The counters the engine says the probe moves: every rule on its path, and each policy that applies. */
function expectedHits(analysis: Analysis): string[] {
  return analysis.parts
    .flatMap((p) => p.path)
    .map((s) => `${s.table}/${s.chain.name}#${s.rule ? s.rule.index : "policy"}`)
    .sort();
}

/**
 * The counters the kernel moved on the probe's way in. Replies leave through OUTPUT/POSTROUTING, and the policy of
 * an empty ACCEPT chain counts every packet without deciding anything (the engine leaves those out of paths).
 */
function kernelHits(delta: readonly Counter[], ruleset: Ruleset): string[] {
  const silent = (c: Counter) => {
    const chain = ruleset.tables.get(c.table as TableName)?.chains.get(c.chain);
    return c.index === 0 && chain !== undefined && chain.rules.length === 0 && chain.policy?.verdict === "accept";
  };
  return delta
    .filter((c) => !["OUTPUT", "FORWARD", "POSTROUTING"].includes(c.chain) && !silent(c))
    .flatMap((c) => Array.from({ length: c.packets }, () => `${c.table}/${c.chain}#${c.index === 0 ? "policy" : c.index}`))
    .sort();
}

function kernelVerdict(delta: readonly Counter[]): string {
  const way = delta.filter((c) => !["OUTPUT", "FORWARD", "POSTROUTING"].includes(c.chain));
  const policy = way.find((c) => c.table === "filter" && c.chain === "INPUT" && c.index === 0);
  if (policy) return /^:INPUT (\w+)/.exec(policy.line)![1]!.toLowerCase();
  const terminal = way
    .filter((c) => c.table === "filter" || (c.table === "mangle" && / -j DROP\b/.test(c.line)))
    .map((c) => / -j (ACCEPT|DROP|REJECT)\b/.exec(c.line)?.[1])
    .filter((v) => v !== undefined);
  return terminal.length === 1 ? terminal[0]!.toLowerCase() : `unclear (${way.map((c) => c.line).join(" | ")})`;
}

interface Tally {
  rulesets: number;
  probes: number;
  verdictsEqual: number;
  pathsEqual: number;
  engineMs: number;
  mismatches: string[];
}

async function runLab(lab: TwoHostLab, seeds: readonly number[], tally: Tally): Promise<void> {
  for (const seed of seeds) {
    const generated = generate(seed);
    const model = parseSource(new SourceFile(`generated-${seed}.ipv4.rules`, generated.text), "iptables");
    if (model.diagnostics.length > 0 || model.rulesets.length !== 1) {
      tally.mismatches.push(`seed ${seed}: the front end did not read the ruleset: ${model.diagnostics.map((d) => d.message).join("; ")}\n${generated.text}`);
      continue;
    }
    const ruleset: Ruleset = model.rulesets[0]!;
    await lab.load(generated.text);
    const deltas = await lab.probe(generated.probes);
    tally.rulesets++;
    generated.probes.forEach((probe, i) => {
      const started = performance.now();
      // Even seeds walk every chain through the destination index that long chains use.
      const analysis = analyze(ruleset, queryOf(probe), seed % 2 === 0 ? { indexChainsFrom: 0 } : {});
      tally.engineMs += performance.now() - started;
      tally.probes++;
      const kernelSays = kernelVerdict(deltas[i]!);
      const verdictOk = analysis.verdict === kernelSays;
      const pathOk = expectedHits(analysis).join(",") === kernelHits(deltas[i]!, ruleset).join(",");
      if (verdictOk) tally.verdictsEqual++;
      if (pathOk) tally.pathsEqual++;
      if (!verdictOk || !pathOk) {
        tally.mismatches.push(
          [
            `seed ${seed}, probe ${JSON.stringify(probe)}`,
            `engine: ${analysis.verdict} via ${expectedHits(analysis).join(",")}`,
            `kernel: ${kernelSays} via ${kernelHits(deltas[i]!, ruleset).join(",")}`,
            generated.text,
          ].join("\n"),
        );
      }
    });
  }
}

describeWith(kernel, "engine vs the Linux kernel on generated rulesets", () => {
  const labs: TwoHostLab[] = [];

  beforeAll(() => {
    cleanupLeftovers();
    for (let i = 0; i < LABS; i++) labs.push(new TwoHostLab());
  });

  afterAll(() => {
    for (const lab of labs) lab.close();
  });

  it(`agrees with the kernel on every probe of ${RULESETS} rulesets`, { timeout: 600_000 }, async () => {
    const tally: Tally = { rulesets: 0, probes: 0, verdictsEqual: 0, pathsEqual: 0, engineMs: 0, mismatches: [] };
    const started = performance.now();
    const seeds = Array.from({ length: RULESETS }, (_, i) => FIRST_SEED + i);
    await Promise.all(labs.map((lab, k) => runLab(lab, seeds.filter((_, i) => i % LABS === k), tally)));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `kernel agreement: ${tally.rulesets} rulesets, ${tally.probes} probes, verdicts equal ${tally.verdictsEqual} (${((100 * tally.verdictsEqual) / tally.probes).toFixed(2)}%), ` +
        `rule counters equal ${tally.pathsEqual}; ${seconds} s in all, engine ${tally.engineMs.toFixed(0)} ms`,
    );
    if (process.env.VPNLINT_KERNEL_REPORT) writeFileSync(process.env.VPNLINT_KERNEL_REPORT, tally.mismatches.join("\n\n"));
    expect(tally.mismatches.slice(0, 3).join("\n\n")).toBe("");
    expect(tally.rulesets).toBe(RULESETS);
    expect(tally.verdictsEqual).toBe(tally.probes);
  });
});
