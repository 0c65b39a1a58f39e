/**
 * The machine's memory read bandwidth — the ceiling on decode speed — measured with onnxruntime
 * itself, so the loads are the native-width (AVX2 / AVX-512 / NEON) kernels the model runs on:
 *
 *   reduce, all cores   ReduceSum over the rows of a ≥ 1 GiB float tensor [rows, cols] with one
 *                       intra-op thread per logical CPU: the plainest streaming read onnxruntime has
 *                       (every element read once, one add each), split across the threads by row.
 *   reduce, 1 thread    the same on one thread: a cross-check (one core rarely saturates memory).
 *   GEMV, all cores     MatMul of a [1, K] vector by a [K, N] matrix of ≥ 1 GiB: the shape of a
 *                       decode step, through onnxruntime's matrix kernels (MLAS).
 *
 * The ceiling is the best of the methods (any code that reached a rate shows the memory system can
 * deliver it). Each method: the tensor is written first (untouched pages would all map to the one
 * shared zero page and read from cache), one warm-up run, then the best of `runs` (interference from
 * other processes only ever makes a run slower). Every run's output is checked (the tensor holds
 * ones, so each sum is its length), which proves the whole tensor was read.
 *
 * Decode rates can legitimately exceed this ceiling for a model that fits in the last-level cache:
 * its weights then stay in the cache between tokens. The report quotes "% of ceiling" only for
 * models larger than the cache (see `lastLevelCache`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphBuilder } from '../graph/builder';
import { DataType } from '../graph/onnx';
import { floatTensor, ort, sessionOptions, type OrtSession, type OrtTensor } from '../runtime/ort';

export interface BandwidthMethod {
  name: string;
  threads: number;
  /** Bytes the measured operation reads (the big tensor). */
  bytes: number;
  /** Fastest run, seconds. */
  bestSeconds: number;
  bytesPerSecond: number;
  runs: number;
}

export interface CacheInfo {
  /** Size of the last-level cache in bytes, and its level (3 for L3). */
  bytes: number;
  level: number;
  /** Where the figure was read (sysfs, getconf, sysctl). */
  source: string;
}

export interface BandwidthResult {
  /** The ceiling: the best rate of all methods, bytes per second. */
  bytesPerSecond: number;
  /** The method that reached it. */
  method: string;
  threads: number;
  bufferBytes: number;
  runs: number;
  methods: BandwidthMethod[];
  /** The last-level cache, when the OS says (null: unknown). */
  llc: CacheInfo | null;
}

/** Bytes per second from bytes read and the time it took. */
export function rate(bytes: number, seconds: number): number {
  if (!(bytes > 0) || !(seconds > 0))
    throw new Error(`bandwidth: cannot compute a rate from ${bytes} bytes in ${seconds} s`);
  return bytes / seconds;
}

type Graph = 'reduce' | 'gemv';

/** Writes the tiny measuring graph with the project's own ONNX writer; returns its path. */
async function writeGraph(dir: string, kind: Graph, a: number, b: number): Promise<string> {
  const g = new GraphBuilder(`bandwidth-${kind}`);
  if (kind === 'reduce') {
    const x = g.input('x', DataType.FLOAT, [a, b]);
    const y = g.op('ReduceSum', [x, g.constI64([1])], { keepdims: 0 }, 'y');
    g.output(y, DataType.FLOAT, [a]);
  } else {
    const x = g.input('x', DataType.FLOAT, [1, a]);
    const w = g.input('w', DataType.FLOAT, [a, b]);
    const y = g.op('MatMul', [x, w], {}, 'y');
    g.output(y, DataType.FLOAT, [1, b]);
  }
  const file = path.join(dir, `${kind}.onnx`);
  await g.save(file);
  return file;
}

/** Splits `elements` into [a, b] with b a power of two near `b0`, a·b ≤ elements. */
function shape(elements: number, b0: number): [number, number] {
  const b = Math.min(b0, elements);
  return [Math.max(1, Math.floor(elements / b)), b];
}

async function timeRuns(
  session: OrtSession,
  feeds: Record<string, OrtTensor>,
  runs: number,
  expect: number,
): Promise<number> {
  let best = Infinity;
  for (let r = 0; r <= runs; r++) {
    const t0 = performance.now();
    const out = await session.run(feeds);
    const seconds = (performance.now() - t0) / 1000;
    const y = out.y.data as Float32Array;
    // Every output is a sum of ones over the reduced dimension: anything else means a partial read.
    for (let i = 0; i < y.length; i++)
      if (y[i] !== expect) throw new Error(`bandwidth: output ${i} is ${y[i]}, expected ${expect}`);
    if (r > 0) best = Math.min(best, seconds); // run 0 warms up (allocations, thread start)
  }
  return best;
}

export interface BandwidthOptions {
  /** Size of the tensor read, MiB (default 1024: far above any cache of today's CPUs). */
  bufferMiB?: number;
  runs?: number;
  /** Threads for the all-core methods (default: every CPU this process may use). */
  threads?: number;
  /** Which methods (default all three). */
  methods?: Array<'reduce' | 'reduce-1' | 'gemv'>;
}

export async function measureBandwidth(opts: BandwidthOptions = {}): Promise<BandwidthResult> {
  const elements = Math.floor(((opts.bufferMiB ?? 1024) * 2 ** 20) / 4);
  const runs = opts.runs ?? 8;
  const threads = opts.threads ?? os.availableParallelism?.() ?? os.cpus().length;
  const which = opts.methods ?? ['reduce', 'reduce-1', 'gemv'];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-bandwidth-'));
  const methods: BandwidthMethod[] = [];
  try {
    // One buffer of ones serves every method (the GEMV's vector is a separate small one).
    const data = new Float32Array(elements).fill(1);
    const rt = ort();
    const open = (file: string, n: number) =>
      rt.InferenceSession.create(file, {
        ...sessionOptions(['cpu'], { threads: n, spinning: true }),
        graphOptimizationLevel: 'disabled',
      });
    /** Times one method's session on `feeds` (each output checked against `expect`) and records it. */
    const measure = async (
      name: string,
      file: string,
      n: number,
      feeds: Record<string, OrtTensor>,
      bytes: number,
      expect: number,
    ) => {
      const session = await open(file, n);
      try {
        const best = await timeRuns(session, feeds, runs, expect);
        methods.push({ name, threads: n, bytes, bestSeconds: best, bytesPerSecond: rate(bytes, best), runs });
      } finally {
        await session.release();
      }
    };

    if (which.includes('reduce') || which.includes('reduce-1')) {
      const [rows, cols] = shape(elements, 1 << 16);
      const file = await writeGraph(dir, 'reduce', rows, cols);
      const feeds = { x: floatTensor(data.subarray(0, rows * cols), [rows, cols]) };
      const bytes = rows * cols * 4;
      for (const [name, n] of [
        ['reduce', threads],
        ['reduce-1', 1],
      ] as const) {
        if (which.includes(name))
          await measure(n === 1 ? 'ReduceSum, 1 thread' : `ReduceSum, ${n} threads`, file, n, feeds, bytes, cols);
      }
    }
    if (which.includes('gemv')) {
      const [k, n] = shape(elements, 1 << 14);
      const file = await writeGraph(dir, 'gemv', k, n);
      const feeds = {
        x: floatTensor(new Float32Array(k).fill(1), [1, k]),
        w: floatTensor(data.subarray(0, k * n), [k, n]),
      };
      const bytes = k * n * 4;
      await measure(`MatMul [1, ${k}] × [${k}, ${n}] (GEMV), ${threads} threads`, file, threads, feeds, bytes, k);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const top = methods.reduce((a, b) => (b.bytesPerSecond > a.bytesPerSecond ? b : a));
  return {
    bytesPerSecond: top.bytesPerSecond,
    method: top.name,
    threads: top.threads,
    bufferBytes: top.bytes,
    runs,
    methods,
    llc: lastLevelCache(),
  };
}

/** Two measurements as one: each method's best rate, runs added up (load only ever lowers a rate). */
export function bestOf(a: BandwidthResult, b: BandwidthResult): BandwidthResult {
  const methods = a.methods.map((m) => {
    const other = b.methods.find((x) => x.name === m.name);
    const best = other && other.bytesPerSecond > m.bytesPerSecond ? other : m;
    return { ...best, runs: m.runs + (other?.runs ?? 0) };
  });
  const top = methods.reduce((x, y) => (y.bytesPerSecond > x.bytesPerSecond ? y : x));
  return {
    ...a,
    bytesPerSecond: top.bytesPerSecond,
    method: top.name,
    threads: top.threads,
    bufferBytes: top.bytes,
    runs: a.runs + b.runs,
    methods,
  };
}

/** "32768K", "1M", "524288" → bytes (sysfs and getconf spellings); NaN if unreadable. */
export function parseCacheSize(text: string): number {
  const m = /^\s*(\d+)\s*([KMG]?)B?\s*$/i.exec(text);
  if (!m) return NaN;
  const unit = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

/**
 * The largest (last-level) data or unified cache cpu0 sees: Linux sysfs, else `getconf` (Linux),
 * `sysctl` (macOS). Virtual machines may report the host socket's whole L3 here.
 */
export function lastLevelCache(sysCache = '/sys/devices/system/cpu/cpu0/cache'): CacheInfo | null {
  try {
    let best: CacheInfo | null = null;
    for (const e of fs.readdirSync(sysCache).filter((f) => /^index\d+$/.test(f))) {
      const read = (f: string) => fs.readFileSync(path.join(sysCache, e, f), 'utf8').trim();
      if (read('type') === 'Instruction') continue;
      const level = Number(read('level'));
      const bytes = parseCacheSize(read('size'));
      if (Number.isFinite(bytes) && (!best || level > best.level)) best = { bytes, level, source: 'sysfs' };
    }
    if (best) return best;
  } catch {
    // no sysfs cache information (common in virtual machines): ask the C library
  }
  const probes: Array<[string, string[], number]> =
    process.platform === 'darwin'
      ? [
          ['sysctl', ['-n', 'hw.l3cachesize'], 3],
          ['sysctl', ['-n', 'hw.l2cachesize'], 2],
        ]
      : process.platform === 'linux'
        ? [
            ['getconf', ['LEVEL3_CACHE_SIZE'], 3],
            ['getconf', ['LEVEL2_CACHE_SIZE'], 2],
          ]
        : [];
  for (const [cmd, args, level] of probes) {
    try {
      const bytes = parseCacheSize(
        execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }),
      );
      if (bytes > 0) return { bytes, level, source: `${cmd} ${args.join(' ')}` };
    } catch {
      // try the next probe
    }
  }
  return null;
}
