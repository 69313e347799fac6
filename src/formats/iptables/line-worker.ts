// The worker thread of a line prefetch (line-prefetch.ts): runs the compiled line checker (assembly/common-lines.ts)
// over a whole large document on the second core, while the main thread goes on parsing it.
//
// Started by bin/vpnlint.js before the CLI's code is even compiled, it loads the checker and waits for its one job:
// the bytes the main thread read (shared, not copied). It sends back the records of the lines the checker takes, in
// chunks, in file order; a line it does not take simply has no record, and the main thread reads it itself, as it
// reads any line the checker leaves. After each message it counts one up in `signal` and wakes the main thread, which
// waits on that count (Atomics.wait) rather than on its event loop. Kept free of the rest of the code base so that it
// starts in a few milliseconds.

import { readFileSync } from "node:fs";
import { workerData, type MessagePort } from "node:worker_threads";
import { copyIntoChecker, WebAssemblyApi, type CheckerExports, type LineWorkerData, type LineWorkerJob, type LineWorkerMessage } from "./line-protocol.js";

/**
 * Records per message: a few milliseconds of the checker's work. The first message has fewer, and each next one four
 * times as many up to CHUNK_RECORDS, so that the main thread, which often reaches its first rule before the worker,
 * waits only for a few hundred lines.
 */
const CHUNK_RECORDS = 4096;
const FIRST_CHUNK_RECORDS = 256;
/** Records one run of the checker may write (MAX_RECORDS there). */
const RUN_RECORDS = 1024;

const { checker, port, signal } = workerData as LineWorkerData;
const channel = port as MessagePort;
const sent = new Int32Array(signal);

function send(message: LineWorkerMessage, transfer: ArrayBuffer[] = []): void {
  channel.postMessage(message, transfer);
  Atomics.add(sent, 0, 1);
  Atomics.notify(sent, 0);
}

/** Copies the document into the checker's memory and runs the checker over all of it, sending records as it goes. */
function checkAll(exports: CheckerExports, job: LineWorkerJob): void {
  const to = job.length;
  copyIntoChecker(exports, new Uint8Array(job.bytes, 0, to));
  const memory = exports.memory;
  const text = new Uint8Array(memory.buffer, exports.textAt(), to);
  const fields = exports.RECORD_FIELDS.value;
  let chunk = new Int32Array((CHUNK_RECORDS + RUN_RECORDS) * fields);
  let count = 0;
  let chunkRecords = FIRST_CHUNK_RECORDS;
  let start = 0;
  do {
    if (start < to) {
      const taken = exports.run(start, to);
      chunk.set(new Int32Array(memory.buffer, exports.recordsAt(), taken * fields), count * fields);
      count += taken;
      start = exports.runStoppedAt();
      if (exports.runStoppedOnLine() !== 0) {
        // A line the checker does not take: the main thread reads it; the run goes on at the next line.
        const newline = text.indexOf(10, start);
        start = newline === -1 ? to : newline + 1;
      }
    }
    if (count >= chunkRecords || start >= to) {
      const records = chunk.buffer as ArrayBuffer;
      send({ kind: "records", records, fields, count, upTo: start, done: start >= to }, [records]);
      chunk = new Int32Array((CHUNK_RECORDS + RUN_RECORDS) * fields);
      count = 0;
      chunkRecords = Math.min(CHUNK_RECORDS, chunkRecords * 4);
    }
  } while (start < to);
}

let exports: CheckerExports | undefined;
let failure = "";
try {
  exports = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(readFileSync(checker)), {}).exports as CheckerExports;
} catch (error) {
  failure = error instanceof Error ? error.message : String(error);
}

channel.once("message", (job: LineWorkerJob) => {
  try {
    if (exports === undefined) throw new Error(failure);
    checkAll(exports, job);
  } catch (error) {
    send({ kind: "failed", reason: error instanceof Error ? error.message : String(error) });
  }
  channel.close();
});
