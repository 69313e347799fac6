// A line prefetch (line-prefetch.ts, line-worker.ts) must be invisible too: a document whose records come from the
// worker thread reads as the JavaScript reader alone reads it, and a worker that fails or falls silent leaves the
// lines to this thread. The worker is the real one of dist/ (a real thread, the shipped checker), so `npm run build`
// comes first, as for native-lines.test.ts.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubeDump } from "../../../bench/generate.js";
import { parseSource } from "../../../src/formats/index.js";
import { LINE_PREFETCH_KEY } from "../../../src/formats/iptables/line-protocol.js";
import { PREFETCH_MINIMUM, readPrefetched, startLinePrefetch } from "../../../src/formats/iptables/line-prefetch.js";
import { stopNativeLines, useNativeLines } from "../../../src/formats/iptables/native-lines.js";
import { SourceFile } from "../../../src/model/source.js";
import { repoRoot } from "../../helpers/environment.js";
import { mulberry32 } from "../../helpers/random.js";
import { document, mutate, sampleLine } from "./generated-lines.js";
import { expectSameReading } from "./readings.js";

const CHECKER = join(repoRoot, "dist", "native", "common-lines.wasm");
const WORKER = join(repoRoot, "dist", "formats", "iptables", "line-worker.js");
/** The same worker linked into one CommonJS file (scripts/build-bundle.mjs), which bin/vpnlint.js starts. */
const LINKED_WORKER = join(repoRoot, "dist", "formats", "iptables", "line-worker.cjs");
const directory = mkdtempSync(join(tmpdir(), "vpnlint-prefetch-"));

afterAll(() => {
  stopNativeLines();
  delete (globalThis as Record<symbol, unknown>)[LINE_PREFETCH_KEY];
  rmSync(directory, { recursive: true, force: true });
});

/** Writes `text` to a file and reads it through a prefetch started by `start`; the source holds the bytes read. */
function prefetched(name: string, text: string, start: () => void = () => startLinePrefetch(CHECKER, WORKER)): SourceFile {
  const path = join(directory, name);
  writeFileSync(path, text, "latin1");
  start();
  const bytes = readPrefetched(path, 0);
  expect(bytes, name).toBeDefined();
  expect(bytes!.equals(readFileSync(path)), name).toBe(true);
  return new SourceFile(name, bytes!.toString("latin1"), bytes);
}

/** Reads `source` with records from the worker only: no checker on this thread, so every line taken came from it. */
function readWithWorkerOnly(source: SourceFile): () => ReturnType<typeof parseSource> {
  return () => {
    useNativeLines(() => undefined, 0);
    return parseSource(source);
  };
}

describe("a line prefetch", () => {
  it.each([
    ["its modules", WORKER],
    ["its single-file build", LINKED_WORKER],
  ])("gives the records of a kube-proxy dump, which read as the JavaScript reader reads it (worker: %s)", (_, worker) => {
    const text = kubeDump(10_000);
    const lines = text.split("\n").filter((line) => line.startsWith("-A ")).length;
    const source = prefetched("kube.rules", text, () => startLinePrefetch(CHECKER, worker));
    expect(expectSameReading("kube.rules", source, readWithWorkerOnly(source))).toBeGreaterThan(lines * 0.95);
  });

  it("gives records for the lines it takes among damaged, generated and mutated ones, with CRLF and without a final newline", () => {
    const random = mulberry32(71);
    const damaged = kubeDump(1_000)
      .split("\n")
      .map((line) => (line.startsWith("-A ") && random() < 0.2 ? mutate(line, random) : line));
    const generated: string[] = [];
    for (let n = 0; n < 2_000; n++) {
      const line = sampleLine(random);
      generated.push(line, mutate(line, random));
    }
    const documents = {
      "damaged.rules": damaged.join("\n"),
      "damaged-crlf.rules": damaged.join("\r\n").trimEnd(),
      "generated.rules": document(generated, "filter"),
      "generated-nat.rules": document(generated, "nat").trimEnd(),
    };
    for (const [name, text] of Object.entries(documents)) {
      const source = prefetched(name, text);
      expect(expectSameReading(name, source, readWithWorkerOnly(source)), name).toBeGreaterThan(100);
    }
  });

  it("leaves the lines to this thread's checker when the worker cannot load its own, and when it falls silent", () => {
    const text = kubeDump(600);
    const compiled = readFileSync(CHECKER);
    const readHere = (source: SourceFile) => () => {
      useNativeLines(() => compiled, 0);
      return parseSource(source);
    };
    const failing = prefetched("failing.rules", text, () => startLinePrefetch(join(directory, "no-such.wasm"), WORKER));
    expect(expectSameReading("failing.rules", failing, readHere(failing))).toBeGreaterThan(1_000);
    // A worker that never answers (it loads no checker and sends nothing): each wait ends after 100 ms.
    const silentWorker = join(directory, "silent.mjs");
    writeFileSync(silentWorker, "setTimeout(() => {}, 60_000);\n");
    const started = performance.now();
    const silent = prefetched("silent.rules", text, () => startLinePrefetch(CHECKER, silentWorker, 100));
    expect(expectSameReading("silent.rules", silent, readHere(silent))).toBeGreaterThan(1_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("is taken by the first large enough file only, and only when started", () => {
    const small = join(directory, "small.rules");
    writeFileSync(small, "*filter\nCOMMIT\n");
    delete (globalThis as Record<symbol, unknown>)[LINE_PREFETCH_KEY];
    expect(readPrefetched(small, 0)).toBeUndefined();
    startLinePrefetch(CHECKER, WORKER);
    expect(readPrefetched(small)).toBeUndefined();
    expect((globalThis as Record<symbol, unknown>)[LINE_PREFETCH_KEY]).toBeDefined();
    expect(readPrefetched(small, 0)?.toString("latin1")).toBe("*filter\nCOMMIT\n");
    expect((globalThis as Record<symbol, unknown>)[LINE_PREFETCH_KEY]).toBeUndefined();
    expect(readPrefetched(small, 0)).toBeUndefined();
    expect(PREFETCH_MINIMUM).toBeGreaterThan(1 << 20);
  });
});
