// Seeded fuzzing of real inputs (the shared corpora and examples/): every mutation must audit in time, without an
// exception, with findings positioned inside the mutated file. A failure names mutation, seed and file to replay it.

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { corpus, corpusRoot, describeWith, repoRoot } from "../helpers/environment.js";
import { BUILD_TIMEOUT_MS, hostileBuild } from "./build.js";
import { mutations, seededRandom, seedOf, truncationPoints, utf8 } from "./generators.js";
import { AuditPool, POOL_TEST_TIMEOUT_MS, runCases, summarize, type HostileCase } from "./harness.js";

/** Change to explore other cases locally; a failure message carries the seed that replays it. */
const BASE_SEED = Number(process.env.VPNLINT_FUZZ_SEED ?? 20261121);
const SMALL_BUDGET_MS = 2_000;

interface InputFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (!entry.name.endsWith(".md")) out.push(path);
  }
  return out.sort();
}

/**
 * Corpus files to fuzz: all real-world dumps, scripts and configs, plus a seeded sample of the upstream extension
 * tests (180 short, similar files; all of them would triple the run time and add little).
 */
function corpusFiles(): InputFile[] {
  const all = filesUnder(corpusRoot);
  const extensionTests = all.filter((f) => f.includes("/upstream-extensions/"));
  const random = seededRandom(BASE_SEED);
  const sample = new Set<string>();
  while (sample.size < Math.min(30, extensionTests.length)) sample.add(random.pick(extensionTests));
  return all
    .filter((f) => !f.includes("/upstream-extensions/") || sample.has(f))
    .map((f) => ({ name: `corpus/${relative(corpusRoot, f)}`, bytes: new Uint8Array(readFileSync(f)) }));
}

function exampleFiles(): InputFile[] {
  return filesUnder(join(repoRoot, "examples")).map((f) => ({ name: relative(repoRoot, f), bytes: new Uint8Array(readFileSync(f)) }));
}

function* mutationCases(files: readonly InputFile[], mutationName: string): Generator<HostileCase> {
  const mutation = mutations.find((m) => m.name === mutationName)!;
  for (const file of files) {
    for (let round = 0; round < 2; round++) {
      const seed = seedOf(BASE_SEED, mutation.name, file.name, round);
      yield {
        label: `mutation ${mutation.name} seed ${seed} of ${file.name}`,
        path: file.name,
        bytes: mutation.apply(file.bytes, seededRandom(seed)),
        budgetMs: SMALL_BUDGET_MS,
      };
    }
  }
}

function* truncationCases(files: readonly InputFile[]): Generator<HostileCase> {
  for (const file of files) {
    const text = Buffer.from(file.bytes).toString("utf8");
    for (const { kind, offset } of truncationPoints(text)) {
      yield { label: `truncation inside/after a ${kind} token at offset ${offset} of ${file.name}`, path: file.name, bytes: utf8(text.slice(0, offset)), budgetMs: SMALL_BUDGET_MS };
    }
  }
}

/** Each file read by the other front end too: a Vyatta config is hostile input for the iptables parser and back. */
function* crossFormatCases(files: readonly InputFile[]): Generator<HostileCase> {
  for (const file of files) {
    for (const format of ["iptables", "vyatta"] as const) yield { label: `unmodified ${file.name}`, path: file.name, bytes: file.bytes, format, budgetMs: SMALL_BUDGET_MS };
  }
}

function fuzzSuite(load: () => InputFile[]): void {
  let pool: AuditPool;
  let files: InputFile[];
  beforeAll(() => {
    pool = new AuditPool(hostileBuild());
    files = load();
  }, BUILD_TIMEOUT_MS);
  afterAll(() => pool?.close());

  it("reads every file with either front end forced", async () => {
    expect(summarize(await runCases(pool, crossFormatCases(files)))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);
  it("survives truncation inside and after every kind of token", async () => {
    expect(summarize(await runCases(pool, truncationCases(files)))).toEqual([]);
  }, POOL_TEST_TIMEOUT_MS);
  for (const mutation of mutations) {
    it(`survives ${mutation.name}`, async () => {
      expect(summarize(await runCases(pool, mutationCases(files, mutation.name)))).toEqual([]);
    }, POOL_TEST_TIMEOUT_MS);
  }
}

describeWith(corpus, "hostile input: seeded fuzz over the shared corpora", () => fuzzSuite(corpusFiles));

describe("hostile input: seeded fuzz over examples/", () => fuzzSuite(exampleFiles));
