// What the compiled line checker (assembly/common-lines.ts) exports and how a document goes into it, and what the line
// prefetch's worker thread (line-worker.ts) and the main thread (line-prefetch.ts) say to each other. The worker
// imports this file and nothing else of the code base, so it starts in a few milliseconds.

/** The few WebAssembly types used (TypeScript declares them only with the DOM library). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

export const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The compiled checker's exports. */
export interface CheckerExports {
  readonly memory: WasmMemory;
  readonly RECORD_FIELDS: { readonly value: number };
  textAt(): number;
  recordsAt(): number;
  /** Forgets the names of the previous document (their ids). */
  reset(): void;
  run(from: number, to: number): number;
  runStoppedAt(): number;
  runStoppedOnLine(): number;
}

const WASM_PAGE = 65536;

/** Copies a document's bytes into the checker's memory, at textAt(); throws when the memory cannot grow. */
export function copyIntoChecker(exports: CheckerExports, bytes: Uint8Array): void {
  exports.reset();
  const memory = exports.memory;
  const need = exports.textAt() + bytes.length;
  if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / WASM_PAGE));
  new Uint8Array(memory.buffer, exports.textAt(), bytes.length).set(bytes);
}

/** What the worker is started with. */
export interface LineWorkerData {
  /** The compiled checker's file. */
  readonly checker: string;
  /** The worker's end of the channel (the main thread reads its messages with receiveMessageOnPort). */
  readonly port: unknown;
  /** One Int32: messages the worker has sent so far. */
  readonly signal: SharedArrayBuffer;
}

/** The one message the main thread sends: a document's bytes, `length` of them from offset 0. */
export interface LineWorkerJob {
  readonly bytes: SharedArrayBuffer;
  readonly length: number;
}

export type LineWorkerMessage =
  /**
   * `count` records of `fields` Int32 each in `records`, in file order, for lines starting before `upTo` (and at or
   * after the previous message's upTo); `done` on the last.
   */
  | { readonly kind: "records"; readonly records: ArrayBuffer; readonly fields: number; readonly count: number; readonly upTo: number; readonly done: boolean }
  /** The checker could not be loaded or given the document: the main thread checks the lines itself. */
  | { readonly kind: "failed"; readonly reason: string };

/** Where bin/vpnlint.js (or startLinePrefetch) leaves the worker it started, for the first large document read. */
export const LINE_PREFETCH_KEY = Symbol.for("vpnlint.linePrefetch");

/** What is left under LINE_PREFETCH_KEY. */
export interface StartedPrefetch {
  /** The main thread's end of the channel: the job goes out on it, the worker's messages come back on it. */
  readonly port: unknown;
  readonly signal: SharedArrayBuffer;
  readonly worker: { terminate(): unknown };
  /** The longest wait for one message (default: line-prefetch.ts's). */
  readonly waitMs?: number;
}
