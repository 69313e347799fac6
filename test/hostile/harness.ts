// Runs hostile cases through the compiled library in a worker with a time budget per case, and states what every
// run must satisfy: no exception, in time, findings positioned inside the file, VPN000 messages of a readable size.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ResolvedLocation } from "../../src/model/source.js";
import type { Build } from "./build.js";

export interface HostileCase {
  /** Replays the case: generator or mutation, seed, file. Printed on failure. */
  readonly label: string;
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Force a front end (`--input-format`); detection otherwise. */
  readonly format?: "iptables" | "vyatta";
  /** Input any loader refuses: at least one VPN000 is required. */
  readonly mustDiagnose?: boolean;
  /** Milliseconds the audit may take (measured inside the worker). */
  readonly budgetMs: number;
}

export interface WorkerFinding {
  readonly ruleId: string;
  readonly messageHead: string;
  readonly messageLength: number;
  readonly location: ResolvedLocation;
  readonly startLineLength: number;
  readonly endLineLength: number;
}

export interface Outcome {
  /** Wall time of the audit. */
  readonly ms: number;
  /** CPU time of the process meanwhile. */
  readonly cpuMs: number;
  readonly error?: string;
  /** Set by the pool: the worker was killed at the deadline, died, or ran out of heap. */
  readonly killed?: string;
  readonly findingCount: number;
  readonly findings: readonly WorkerFinding[];
  readonly lineCount: number;
  readonly prototypeChanged: boolean;
}

const workerFile = join(dirname(fileURLToPath(import.meta.url)), "audit-worker.mjs");

/**
 * One worker, one case at a time. A case that overruns its deadline gets the worker terminated (a synchronous loop
 * cannot be interrupted any other way) and a fresh worker takes the next case.
 */
export class AuditPool {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;
  /** Runs one case at a time even if a test that timed out still has its loop going. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly build: Build) {}

  private start(): Promise<void> {
    // About the main thread's stack (V8's default is just under 1 MB), so recursion that would kill the CLI fails here.
    const worker = new Worker(workerFile, { workerData: { distDir: this.build.distDir }, resourceLimits: { stackSizeMb: 1, maxOldGenerationSizeMb: 2048 } });
    this.worker = worker;
    this.ready = new Promise((resolveReady, rejectReady) => {
      const onMessage = (message: { ready?: boolean }): void => {
        if (message.ready) {
          worker.off("error", rejectReady);
          worker.off("message", onMessage);
          resolveReady();
        }
      };
      worker.on("message", onMessage);
      worker.once("error", rejectReady);
    });
    return this.ready;
  }

  run(hostile: HostileCase): Promise<Outcome> {
    const next = this.queue.then(() => this.runNow(hostile));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(hostile: HostileCase): Promise<Outcome> {
    if (!this.worker) await this.start();
    else await this.ready;
    const worker = this.worker!;
    const id = this.nextId++;
    // The deadline is generous (CI machines run many test files at once); the budget itself is checked against the
    // time measured in the worker.
    const deadlineMs = hostile.budgetMs * 5 + 5_000;
    return new Promise<Outcome>((resolveOutcome) => {
      const finish = (outcome: Outcome, kill: boolean): void => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        if (kill) {
          void worker.terminate();
          this.worker = undefined;
        }
        resolveOutcome(outcome);
      };
      const dead = (killed: string): Outcome => ({ ms: NaN, cpuMs: NaN, killed, findingCount: 0, findings: [], lineCount: 0, prototypeChanged: false });
      const onMessage = (message: Outcome & { id: number }): void => {
        if (message.id === id) finish(message, false);
      };
      const onError = (error: Error): void => finish(dead(`worker died: ${error.message.split("\n")[0]}`), true);
      const onExit = (code: number): void => finish(dead(`worker exited with code ${code}`), true);
      const timer = setTimeout(() => finish(dead(`no result after ${deadlineMs} ms (killed)`), true), deadlineMs);
      worker.on("message", onMessage);
      worker.once("error", onError);
      worker.once("exit", onExit);
      worker.postMessage({ id, path: hostile.path, bytes: hostile.bytes, format: hostile.format });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

export interface CheckOptions {
  /**
   * Longest acceptable VPN000 message. Messages quote input tokens, and a token may span lines (an unclosed Vyatta
   * quote) or carry control characters: the formatters escape those (cli.test.ts checks the output). A message the
   * size of a 10 MB line is a bug, though.
   */
  readonly maxMessageLength?: number;
}

/** Everything wrong with one outcome, as sentences naming the case; empty when the run behaved. */
export function problemsOf(hostile: HostileCase, outcome: Outcome, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const say = (text: string): number => problems.push(`${hostile.label}${hostile.format ? ` [--input-format ${hostile.format}]` : ""}: ${text}`);
  if (outcome.killed) {
    say(outcome.killed);
    return problems;
  }
  if (outcome.error) say(`threw ${outcome.error}`);
  // Wall time inflates on a loaded machine and CPU time with parallel GC threads; the smaller is the audit's cost.
  if (Math.min(outcome.ms, outcome.cpuMs) > hostile.budgetMs) {
    say(`took ${Math.round(outcome.ms)} ms, ${Math.round(outcome.cpuMs)} ms of CPU (budget ${hostile.budgetMs} ms)`);
  }
  if (outcome.prototypeChanged) say("Object.prototype was modified");
  if (hostile.mustDiagnose && !outcome.error && !outcome.findings.some((f) => f.ruleId === "VPN000")) say("no VPN000 for input no loader accepts");
  for (const finding of outcome.findings) {
    const where = checkLocation(finding, outcome.lineCount, hostile.path);
    if (where) say(`${finding.ruleId} "${finding.messageHead}" ${where}`);
    if (finding.ruleId === "VPN000" && options.maxMessageLength !== undefined && finding.messageLength > options.maxMessageLength) say(`VPN000 message is ${finding.messageLength} characters long: "${finding.messageHead}..."`);
  }
  return problems;
}

function checkLocation(finding: WorkerFinding, lineCount: number, path: string): string | undefined {
  const at = finding.location;
  const numbers = [at.startLine, at.startColumn, at.endLine, at.endColumn];
  if (at.file !== path) return `is reported in file "${at.file}"`;
  if (!numbers.every((n) => Number.isInteger(n) && n >= 1)) return `has position ${numbers.join(":")}`;
  if (at.startLine > lineCount || at.endLine > lineCount) return `is at line ${at.startLine}-${at.endLine} of a ${lineCount}-line file`;
  if (at.endLine < at.startLine || (at.endLine === at.startLine && at.endColumn <= at.startColumn)) return `has an empty or reversed range ${numbers.join(":")}`;
  // One past the end of the line is a valid place (a missing token); one more is the exclusive end of that.
  if (at.startColumn > finding.startLineLength + 1) return `starts at column ${at.startColumn} of a ${finding.startLineLength}-character line`;
  if (at.endColumn > finding.endLineLength + 2) return `ends at column ${at.endColumn} of a ${finding.endLineLength}-character line`;
  return undefined;
}

/**
 * Per-case deadlines bound a test's time, not vitest's default timeout: a loaded CI machine may take minutes for a
 * suite that normally needs seconds, and a test cut short would report nothing useful.
 */
export const POOL_TEST_TIMEOUT_MS = 900_000;

/** Runs cases in order through one pool; returns every problem found. */
export async function runCases(pool: AuditPool, cases: Iterable<HostileCase>, options: CheckOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  for (const hostile of cases) problems.push(...problemsOf(hostile, await pool.run(hostile), options));
  return problems;
}

/** The first problems and a count of the rest, so a broken front end does not flood the report. */
export function summarize(problems: readonly string[], shown = 25): string[] {
  return problems.length <= shown ? [...problems] : [...problems.slice(0, shown), `... and ${problems.length - shown} more`];
}
