// The main thread's side of a line prefetch: the compiled line checker run over a large dump on the second core
// (line-worker.ts) while this thread parses it, so that parsing finds most lines already checked and only keeps them
// as rows (native-lines.ts).
//
// bin/vpnlint.js starts the worker before the CLI's code is even compiled (starting one takes ~25-35 ms), when the
// audit's arguments name a regular file of PREFETCH_MINIMUM bytes or more, and leaves it under LINE_PREFETCH_KEY.
// The first such document read (readInput) is read into shared memory and given to it, so the records are of exactly
// the bytes parsed. Nothing here waits on the event loop: the worker's messages are read with receiveMessageOnPort
// and waited for with Atomics.wait on its message count, each wait bounded; a worker that fails or stops answering
// leaves the rest of the lines to this thread, as if there had been no prefetch.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { MessagePort } from "node:worker_threads";
import { LINE_PREFETCH_KEY, type LineWorkerJob, type LineWorkerMessage, type StartedPrefetch } from "./line-protocol.js";
import { RECORD_FIELDS, START } from "./row-layout.js";

/**
 * Files smaller than this are left to the main thread alone. With the main thread keeping a record in well under a
 * microsecond, the worker pays for its start, its copy of the dump and the second core it takes from V8's compiler
 * threads only on large files: kube-proxy dumps audited both ways (alternating runs, 2 cores) took 287 vs 333 ms at
 * 4.7 MB, 367 vs 369 ms at 12.6 MB, 580 vs 576 ms at 25 MB and 903 vs 802 ms at 50 MB (without vs with the worker).
 */
export const PREFETCH_MINIMUM = 24 << 20;

/** How long to wait for each message of the worker before going on without it. */
const WAIT_MS = 5_000;

/** Results of PrefetchedRecords.find besides a record's index. */
export const LINE_NOT_TAKEN = -1;
export const WORKER_STOPPED = -2;

/** node:worker_threads, loaded only when there is a worker (loading it costs a small audit ~5 ms). */
function workerThreads(): typeof import("node:worker_threads") {
  return process.getBuiltinModule("node:worker_threads");
}


const prefetchedRecords = new WeakMap<Buffer, PrefetchedRecords>();

/**
 * Starts a worker with the compiled checker in the file `checker`, for the next large document read with
 * readPrefetched (bin/vpnlint.js does the same before the code base is loaded); `waitMs` bounds each wait for it.
 */
export function startLinePrefetch(checker: string, workerFile: URL | string = new URL("./line-worker.js", import.meta.url), waitMs = WAIT_MS): void {
  const { MessageChannel, Worker } = workerThreads();
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const worker = new Worker(workerFile, { workerData: { checker, port: port2, signal }, transferList: [port2], stdout: true, stderr: true });
  worker.unref();
  worker.on("error", () => {});
  const started: StartedPrefetch = { port: port1, signal, worker, waitMs };
  (globalThis as Record<symbol, unknown>)[LINE_PREFETCH_KEY] = started;
}

/**
 * The bytes of the file `path` when a prefetch worker is waiting and the file is large enough: read into shared
 * memory and handed to the worker, whose records prefetchedRecordsOf then gives. Undefined otherwise (the caller reads
 * the file as usual); throws what reading throws.
 */
export function readPrefetched(path: string, minimum = PREFETCH_MINIMUM): Buffer | undefined {
  const global = globalThis as Record<symbol, unknown>;
  const started = global[LINE_PREFETCH_KEY] as StartedPrefetch | undefined;
  if (started === undefined) return undefined;
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < minimum) return undefined;
    // One byte more than the size: a file that grew since is noticed (and read as usual).
    const shared = new SharedArrayBuffer(size + 1);
    const bytes = Buffer.from(shared, 0, size);
    let length = 0;
    for (;;) {
      const read = readSync(fd, new Uint8Array(shared, length, size + 1 - length));
      if (read === 0) break;
      length += read;
      if (length > size) return undefined;
    }
    if (length !== size) return undefined;
    delete global[LINE_PREFETCH_KEY];
    const job: LineWorkerJob = { bytes: shared, length: size };
    (started.port as MessagePort).postMessage(job);
    prefetchedRecords.set(bytes, new PrefetchedRecords(started));
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** The records a prefetch is making of `bytes` (as readPrefetched returned them). */
export function prefetchedRecordsOf(bytes: Buffer): PrefetchedRecords | undefined {
  return prefetchedRecords.get(bytes);
}

/**
 * The next message of the worker, or undefined when none came in time. Timed with Date.now: the global `performance`
 * loads node:perf_hooks when first read (~3 ms).
 */
function receive(started: StartedPrefetch): LineWorkerMessage | undefined {
  const count = new Int32Array(started.signal);
  const deadline = Date.now() + (started.waitMs ?? WAIT_MS);
  for (;;) {
    const seen = Atomics.load(count, 0);
    const received = workerThreads().receiveMessageOnPort(started.port as MessagePort);
    if (received !== undefined) return received.message as LineWorkerMessage;
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(count, 0, seen, left) === "timed-out") return undefined;
  }
}

/** The records of one document as the worker sends them, read forward from its first line to its last. */
export class PrefetchedRecords {
  /** The chunk being read: its records, RECORD_FIELDS values each, up to `recordsEnd`. */
  records = new Int32Array(0);
  private count = 0;
  private next = 0;
  /** Every line starting before this offset has been checked (its record, if any, is in this chunk or before). */
  private upTo = 0;
  private done = false;

  constructor(private readonly started: StartedPrefetch) {}

  get recordsEnd(): number {
    return this.count * RECORD_FIELDS;
  }

  /** Goes past `count` records from the one find last gave (the caller kept their lines). */
  pass(count: number): void {
    this.next += count;
  }

  /**
   * The index in `records` of the record of the line starting at `start`; LINE_NOT_TAKEN when the checker did not
   * take that line; WORKER_STOPPED when the worker failed or stopped answering. Lines are asked in file order.
   */
  find(start: number): number {
    for (;;) {
      while (this.next < this.count) {
        const at = this.next * RECORD_FIELDS;
        const recordStart = this.records[at + START]!;
        if (recordStart === start) return at;
        if (recordStart > start) return LINE_NOT_TAKEN;
        this.next++;
      }
      if (start < this.upTo || this.done) return LINE_NOT_TAKEN;
      if (!this.receiveChunk()) return WORKER_STOPPED;
    }
  }

  private receiveChunk(): boolean {
    const message = receive(this.started);
    // Records of another layout (a checker built from other sources) are not used either.
    if (message?.kind !== "records" || message.fields !== RECORD_FIELDS) {
      void this.started.worker.terminate();
      return false;
    }
    this.records = new Int32Array(message.records, 0, message.count * RECORD_FIELDS);
    this.count = message.count;
    this.next = 0;
    this.upTo = message.upTo;
    this.done = message.done;
    return true;
  }
}
