/**
 * Block quantization on every core. A piece of a matrix (read from the checkpoint) is cut into
 * chunks of rows of N; the worker threads and the calling thread take chunks one at a time from a
 * shared counter until none are left, each transposing its chunk itself when the piece is stored
 * [K, N] (a Conv1D weight), and all write into one shared result. Rows never share a byte of the
 * result (each row has its own codes, scales and zero points), so no two threads write the same
 * memory. Taking chunks (rather than fixed shares) keeps every thread busy when one of them is
 * slowed by other programs, and lets the calling thread first read the next piece from the disk
 * while the workers start on this one (quantizeStreaming in params.ts).
 *
 * The workers run the very source of `quantizeInto`, `transposePiece` and `runChunks` (all
 * self-contained), so the bytes are the same as on one thread (tested), and the worker needs no
 * file of its own: the engine runs from TypeScript through tsx in development and from an esbuild
 * bundle in the app.
 *
 * Workers start on first use and stop after a second without work (they never keep the process
 * alive). One thread per physical core (runtime/threads.ts): hyper-threads would share the very
 * floating-point units this loop is bound by.
 */
import { Worker } from 'node:worker_threads';
import { automaticThreads } from '../runtime/threads';
import {
  allocateQuantized,
  quantizedSizes,
  quantizeInto,
  transposePiece,
  type BlockQuantized,
  type QuantBits,
} from './quantize';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const quantizeInto = (${quantizeInto.toString()});
const transposePiece = (${transposePiece.toString()});
const runChunks = (${runChunks.toString()});
parentPort.on('message', (m) => {
  try {
    const q = { bits: m.bits, blockSize: m.blockSize, rows: m.rows, cols: m.cols, codes: new Uint8Array(m.codes[0], m.codes[1], m.codes[2]), scales: new Float32Array(m.scales[0], m.scales[1], m.scales[2]), zeroPoints: new Uint8Array(m.zeroPoints[0], m.zeroPoints[1], m.zeroPoints[2]) };
    const src = new Float32Array(m.src, m.srcOffset, m.srcLength);
    runChunks(q, { ...m.piece, src }, new Int32Array(m.counter), m.chunkRows, quantizeInto, transposePiece);
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, message: String(e && e.message || e) });
  }
});
`;

/**
 * A piece of the matrix to quantize:
 *   'rows' – `src` holds rows [n0, n0 + nCount) of the [N, K] matrix, columns [k0, k0 + kLen), row
 *            n at src[(n - n0) · srcStride];
 *   'cols' – `src` holds rows [k0, k0 + kLen) of the stored [K, N] matrix (srcStride = N values
 *            each), and the chunks are its columns [n0, n0 + nCount).
 */
export interface QuantPiece {
  layout: 'rows' | 'cols';
  src: Float32Array;
  srcStride: number;
  n0: number;
  nCount: number;
  k0: number;
  kLen: number;
}

/** Rows of N per chunk: small enough to balance the threads, large enough that taking one costs nothing. */
export const CHUNK_ROWS = 32;

/**
 * Quantizes chunks of the piece taken from `counter` until none are left. Self-contained (the
 * functions it calls are parameters, no inner functions), so worker threads run its very source.
 */
export function runChunks(
  q: BlockQuantized,
  piece: QuantPiece,
  counter: Int32Array,
  chunkRows: number,
  quantize: typeof quantizeInto,
  transpose: typeof transposePiece,
): void {
  const { src, srcStride, n0, nCount, k0, kLen } = piece;
  const scratch = piece.layout === 'cols' ? new Float32Array(Math.min(chunkRows, nCount) * kLen) : null;
  const chunks = Math.ceil(nCount / chunkRows);
  for (;;) {
    const c = Atomics.add(counter, 0, 1);
    if (c >= chunks) return;
    const r0 = c * chunkRows;
    const count = Math.min(chunkRows, nCount - r0);
    if (scratch) {
      transpose(src, kLen, srcStride, scratch, n0 + r0, count);
      quantize(q, scratch, kLen, n0 + r0, count, k0, kLen);
    } else {
      quantize(q, src.subarray(r0 * srcStride), srcStride, n0 + r0, count, k0, kLen);
    }
  }
}

interface PoolWorker {
  worker: Worker;
}

let pool: PoolWorker[] = [];
let idleTimer: ReturnType<typeof setTimeout> | null = null;
/**
 * How long idle workers are kept, and how many threads quantize (0: one per physical core). Fields
 * so tests can make the idle time 0 and use several threads on any machine.
 */
export const QUANTIZE_POOL = { idleMs: 1000, threads: 0 };

/** Threads that quantize at once (the caller's included). */
export function quantizeThreads(): number {
  return QUANTIZE_POOL.threads || automaticThreads().threads;
}

function workers(n: number): PoolWorker[] {
  // No idle stop while a job runs (it would terminate a worker in the middle of its share).
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  while (pool.length < n) {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    pool.push({ worker });
  }
  return pool.slice(0, n);
}

function stopWhenIdle(): void {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(stopQuantizeWorkers, QUANTIZE_POOL.idleMs);
  idleTimer.unref();
}

/** Stops the workers now (they also stop by themselves when idle). */
export function stopQuantizeWorkers(): void {
  for (const w of pool) void w.worker.terminate();
  pool = [];
  scratch.clear();
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
}

/** A result whose arrays live in shared memory, so workers can fill it. */
export function allocateShared(rows: number, cols: number, bits: QuantBits, blockSize: number): BlockQuantized {
  const plain = allocateQuantized(rows, cols, bits, blockSize); // validates, gives the sizes
  return {
    ...plain,
    codes: new Uint8Array(new SharedArrayBuffer(plain.codes.byteLength)),
    scales: new Float32Array(new SharedArrayBuffer(plain.scales.byteLength)),
    zeroPoints: new Uint8Array(new SharedArrayBuffer(plain.zeroPoints.byteLength)),
  };
}

/*
 * Shared memory reused from one matrix to the next. A worker keeps every SharedArrayBuffer it was
 * sent alive until its own garbage collector runs, which in a thread that allocates almost nothing
 * is rarely: with fresh buffers for every piece and result, converting GPT-2 XL to int4 held ~3 GB.
 * So a streamed matrix's pieces and its result being filled live in a few buffers reused for every
 * matrix (grown when a larger one comes, dropped with the workers), and the finished result is
 * copied out to memory of its own.
 */
const scratch = new Map<string, SharedArrayBuffer>();
let scratchTurn: Promise<unknown> = Promise.resolve();

/** A reusable shared buffer of at least `bytes` (its contents are whatever the last user left). */
export type TakeScratch = (slot: string, bytes: number) => SharedArrayBuffer;

function takeScratch(slot: string, bytes: number): SharedArrayBuffer {
  let b = scratch.get(slot);
  if (!b || b.byteLength < bytes) {
    b = new SharedArrayBuffer(Math.ceil(bytes / 65536) * 65536);
    scratch.set(slot, b);
  }
  return b;
}

/** Runs `fn` with the reusable shared buffers to itself (one streamed matrix at a time). */
export function withSharedScratch<T>(fn: (take: TakeScratch) => Promise<T>): Promise<T> {
  const run = scratchTurn.then(() => fn(takeScratch));
  scratchTurn = run.catch(() => undefined);
  return run;
}

/** An all-zero result in the reusable shared buffers (see withSharedScratch); copy it out when done. */
export function scratchResult(
  take: TakeScratch,
  rows: number,
  cols: number,
  bits: QuantBits,
  blockSize: number,
): BlockQuantized {
  const size = quantizedSizes(rows, cols, bits, blockSize);
  const scalesAt = Math.ceil(size.codes / 4) * 4;
  const zpAt = scalesAt + size.scales;
  const buf = take('result', zpAt + size.zeroPoints);
  const q: BlockQuantized = {
    bits,
    blockSize,
    rows,
    cols,
    codes: new Uint8Array(buf, 0, size.codes),
    scales: new Float32Array(buf, scalesAt, size.scales / 4),
    zeroPoints: new Uint8Array(buf, zpAt, size.zeroPoints),
  };
  q.codes.fill(0);
  q.zeroPoints.fill(0);
  return q;
}

/**
 * Like `quantizeInto(q, src, srcStride, n0, nCount, k0, kLen)`, with the rows shared among the
 * threads. `q` must come from `allocateShared` and `src` must view a SharedArrayBuffer when
 * `threads` > 1 (otherwise the calling thread does it all).
 */
export function quantizeIntoParallel(
  q: BlockQuantized,
  src: Float32Array,
  srcStride: number,
  n0: number,
  nCount: number,
  k0: number,
  kLen: number,
  threads = quantizeThreads(),
): Promise<void> {
  return quantizePieceParallel(q, { layout: 'rows', src, srcStride, n0, nCount, k0, kLen }, { threads });
}

/**
 * Quantizes a piece on every thread. `meanwhile` runs on the calling thread once the workers have
 * started (the next piece's read); whatever it throws is thrown after every thread has finished
 * with this piece, so its buffers are never reused under a running thread.
 */
export async function quantizePieceParallel(
  q: BlockQuantized,
  piece: QuantPiece,
  { threads = quantizeThreads(), meanwhile }: { threads?: number; meanwhile?: () => void } = {},
): Promise<void> {
  const { src } = piece;
  const shared = src.buffer instanceof SharedArrayBuffer && q.codes.buffer instanceof SharedArrayBuffer;
  // Below a few hundred rows the hand-off costs more than it saves.
  const helpers = threads <= 1 || !shared || piece.nCount < 256 ? [] : workers(threads - 1);
  const counter = new Int32Array(helpers.length ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
  const jobs = helpers.map((h) => {
    const done = new Promise<void>((resolve, reject) => {
      const off = () => {
        h.worker.off('message', onMessage);
        h.worker.off('error', onError);
        h.worker.off('exit', onExit);
      };
      const onMessage = (m: { ok: boolean; message?: string }) => {
        off();
        if (m.ok) resolve();
        else reject(new Error(`quantization worker: ${m.message}`));
      };
      const onError = (e: Error) => {
        off();
        reject(e);
      };
      const onExit = (code: number) => {
        off();
        reject(new Error(`quantization worker stopped (exit code ${code}) before finishing its rows`));
      };
      h.worker.on('message', onMessage);
      h.worker.on('error', onError);
      h.worker.on('exit', onExit);
    });
    const { src: _src, ...rest } = piece;
    h.worker.postMessage({
      bits: q.bits,
      blockSize: q.blockSize,
      rows: q.rows,
      cols: q.cols,
      // Each array as [buffer, byte offset, length]: they may be views into one shared buffer.
      codes: [q.codes.buffer, q.codes.byteOffset, q.codes.length],
      scales: [q.scales.buffer, q.scales.byteOffset, q.scales.length],
      zeroPoints: [q.zeroPoints.buffer, q.zeroPoints.byteOffset, q.zeroPoints.length],
      src: src.buffer,
      srcOffset: src.byteOffset,
      srcLength: src.length,
      piece: rest,
      counter: counter.buffer,
      chunkRows: CHUNK_ROWS,
    });
    return done;
  });
  let mine: unknown = null;
  try {
    meanwhile?.();
  } catch (e) {
    mine = e;
  }
  // The calling thread takes chunks too (all of them when there are no workers).
  try {
    runChunks(q, piece, counter, CHUNK_ROWS, quantizeInto, transposePiece);
  } catch (e) {
    mine ??= e;
  }
  try {
    await Promise.allSettled(jobs).then((r) => {
      const failed = r.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
  } finally {
    if (helpers.length) stopWhenIdle();
  }
  if (mine) throw mine;
}
