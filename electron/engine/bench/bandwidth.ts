/**
 * The machine's memory read bandwidth, measured in-process: every core streams its share of a
 * 512 MiB buffer (bigger than any cache) through 128-bit SIMD loads and adds, at the same time.
 *
 * Why this way: decoding one token reads each weight once, so the ceiling on tokens/s is
 * bandwidth ÷ weight bytes. A fair ceiling must come from a plain streaming read that does as
 * little work per byte as possible, on all cores (one core cannot saturate the memory system),
 * and must not depend on the code being measured (onnxruntime) — hence a tiny WebAssembly kernel
 * run in worker threads over one shared buffer. The buffer is written first so that its pages are
 * real memory (untouched pages would all map to one shared zero page and read from cache).
 * Best of several runs: interference from other processes only ever makes a run slower.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';

/**
 * (module (import "env" "mem" (memory 1 65536 shared))
 *   (func (export "sum") (param $p i32) (param $end i32) (result i32)
 *     (local v128 v128 v128 v128)
 *     (loop  ;; four independent accumulators, 64 bytes per iteration
 *       acc_k = i32x4.add(acc_k, v128.load offset=16k ($p))  for k = 0..3
 *       $p += 64
 *       (br_if 0 (i32.lt_u $p $end)))
 *     (i32x4.extract_lane 0 (acc_0 + acc_1 + acc_2 + acc_3))))
 */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  const body: number[] = [0x01, 0x04, 0x7b, 0x03, 0x40];
  for (let k = 0; k < 4; k++) {
    body.push(0x20, 2 + k, 0x20, 0x00, 0xfd, 0x00, 0x04, 16 * k, 0xfd, 0xae, 0x01, 0x21, 2 + k);
  }
  body.push(0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x22, 0x00, 0x20, 0x01, 0x49, 0x0d, 0x00, 0x0b);
  body.push(0x20, 0x02, 0x20, 0x03, 0xfd, 0xae, 0x01, 0x20, 0x04, 0xfd, 0xae, 0x01, 0x20, 0x05, 0xfd, 0xae, 0x01, 0xfd, 0x1b, 0x00, 0x0b);
  const code = [0x01, body.length, ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, // type: (i32, i32) -> i32
    0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x03, 0x01, 0x80, 0x80, 0x04, // import env.mem, shared 1..65536 pages
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x07, 0x07, 0x01, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x00, // export "sum"
    0x0a, code.length, ...code,
  ]);
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, start, end } = workerData;
const { sum } = new WebAssembly.Instance(module, { env: { mem: memory } }).exports;
parentPort.on('message', (m) => {
  if (m === 'stop') return process.exit(0);
  const t0 = performance.timeOrigin + performance.now();
  const check = sum(start, end);
  const t1 = performance.timeOrigin + performance.now();
  parentPort.postMessage({ t0, t1, check });
});
parentPort.postMessage('ready');
`;

export interface BandwidthResult {
  /** Best observed read bandwidth, bytes per second. */
  bytesPerSecond: number;
  threads: number;
  bufferBytes: number;
  runs: number;
}

export async function measureBandwidth(opts: { threads?: number; bufferMiB?: number; runs?: number } = {}): Promise<BandwidthResult> {
  const threads = opts.threads ?? os.availableParallelism();
  const bytes = (opts.bufferMiB ?? 512) * 1024 * 1024;
  const runs = opts.runs ?? 8;
  const pages = bytes / 65536;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true });
  new Uint32Array(memory.buffer).fill(1); // fault every page in (see the header)
  const module = await WebAssembly.compile(kernelBytes());
  const share = Math.floor(bytes / threads / 64) * 64;
  const workers = Array.from({ length: threads }, (_, i) => new Worker(WORKER, { eval: true, workerData: { module, memory, start: i * share, end: (i + 1) * share } }));
  try {
    await Promise.all(workers.map((w) => new Promise<void>((res, rej) => { w.once('message', () => res()); w.once('error', rej); })));
    let best = Infinity;
    for (let r = 0; r < runs; r++) {
      const done = workers.map((w) => new Promise<{ t0: number; t1: number; check: number }>((res) => w.once('message', res)));
      for (const w of workers) w.postMessage('run');
      const times = await Promise.all(done);
      // Each worker read `share` bytes of ones: the sum of its lane 0 proves the loop ran over all of it.
      for (const t of times) if (t.check !== share / 16) throw new Error(`bandwidth kernel read ${t.check * 16} of ${share} bytes`);
      const span = Math.max(...times.map((t) => t.t1)) - Math.min(...times.map((t) => t.t0));
      best = Math.min(best, span);
    }
    return { bytesPerSecond: (share * threads) / (best / 1000), threads, bufferBytes: share * threads, runs };
  } finally {
    for (const w of workers) w.postMessage('stop');
  }
}
