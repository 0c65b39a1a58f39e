/**
 * Block quantization on every core: a piece of a matrix (rows of N, each with its K values) is cut
 * into row ranges, quantized at the same time by worker threads and by the calling thread, all
 * writing into one shared result. Rows never share a byte of the result (each row has its own
 * codes, scales and zero points), so no two threads write the same memory.
 *
 * The workers run the very source of `quantizeInto` (it is self-contained), so the bytes are the
 * same as on one thread (tested), and the worker needs no file of its own: the engine runs from
 * TypeScript through tsx in development and from an esbuild bundle in the app.
 *
 * Workers start on first use and stop after a second without work (they never keep the process
 * alive). One thread per physical core (runtime/threads.ts): hyper-threads would share the very
 * division units this loop is bound by.
 */
import { Worker } from 'node:worker_threads';
import { automaticThreads } from '../runtime/threads';
import { allocateQuantized, quantizeInto, type BlockQuantized, type QuantBits } from './quantize';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const quantizeInto = (${quantizeInto.toString()});
parentPort.on('message', (m) => {
  try {
    const q = { bits: m.bits, blockSize: m.blockSize, rows: m.rows, cols: m.cols, codes: new Uint8Array(m.codes), scales: new Float32Array(m.scales), zeroPoints: new Uint8Array(m.zeroPoints) };
    const src = new Float32Array(m.src, 0, m.srcLength);
    quantizeInto(q, src.subarray(m.first * m.srcStride), m.srcStride, m.n0 + m.first, m.count, m.k0, m.kLen);
    parentPort.postMessage({ ok: true });
  } catch (e) {
    parentPort.postMessage({ ok: false, message: String(e && e.message || e) });
  }
});
`;

interface PoolWorker {
  worker: Worker;
}

let pool: PoolWorker[] = [];
let idleTimer: ReturnType<typeof setTimeout> | null = null;
/** How long idle workers are kept (a field so tests can make it 0). */
export const QUANTIZE_POOL = { idleMs: 1000 };

/** Threads that quantize at once (the caller's included). */
export function quantizeThreads(): number {
  return automaticThreads().threads;
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

/**
 * Like `quantizeInto(q, src, srcStride, n0, nCount, k0, kLen)`, with the rows shared among the
 * threads. `q` must come from `allocateShared` and `src` must view a SharedArrayBuffer from its
 * start when `threads` > 1.
 */
export async function quantizeIntoParallel(
  q: BlockQuantized,
  src: Float32Array,
  srcStride: number,
  n0: number,
  nCount: number,
  k0: number,
  kLen: number,
  threads = quantizeThreads(),
): Promise<void> {
  const shared =
    src.buffer instanceof SharedArrayBuffer && src.byteOffset === 0 && q.codes.buffer instanceof SharedArrayBuffer;
  // Below a few hundred rows the hand-off costs more than it saves.
  if (threads <= 1 || !shared || nCount < 256) {
    quantizeInto(q, src, srcStride, n0, nCount, k0, kLen);
    return;
  }
  const share = Math.ceil(nCount / threads);
  const helpers = workers(threads - 1);
  const jobs = helpers.map((h, i) => {
    const first = (i + 1) * share;
    const count = Math.max(0, Math.min(share, nCount - first));
    if (count === 0) return Promise.resolve();
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
    h.worker.postMessage({
      bits: q.bits,
      blockSize: q.blockSize,
      rows: q.rows,
      cols: q.cols,
      codes: q.codes.buffer,
      scales: q.scales.buffer,
      zeroPoints: q.zeroPoints.buffer,
      src: src.buffer,
      srcLength: src.length,
      srcStride,
      n0,
      first,
      count,
      k0,
      kLen,
    });
    return done;
  });
  // The calling thread takes the first share meanwhile.
  let mine: unknown = null;
  try {
    quantizeInto(q, src, srcStride, n0, Math.min(share, nCount), k0, kLen);
  } catch (e) {
    mine = e;
  }
  try {
    await Promise.allSettled(jobs).then((r) => {
      const failed = r.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    });
  } finally {
    stopWhenIdle();
  }
  if (mine) throw mine;
}
