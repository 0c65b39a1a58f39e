// The bandwidth ceiling of `npm run bench` (bench/bandwidth.ts): measured with onnxruntime's own
// kernels, every output checked, the rate computed as bytes ÷ best time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastLevelCache, measureBandwidth, parseCacheSize, rate } from '../../../electron/engine/bench/bandwidth';
import { ceilingFraction, fitsInCache } from '../../../electron/engine/bench/report';

describe('bandwidth ceiling', () => {
  it('measures a finite positive rate with every method, and the rate is bytes ÷ best time', async () => {
    // 1 MiB: tiny (it sits in cache), enough to check the plumbing and the arithmetic.
    const r = await measureBandwidth({ bufferMiB: 1, runs: 2, threads: 2 });
    expect(r.methods.map((m) => m.name)).toEqual([
      'ReduceSum, 2 threads',
      'ReduceSum, 1 thread',
      'MatMul [1, 16] × [16, 16384] (GEMV), 2 threads',
    ]);
    for (const m of r.methods) {
      expect(m.bytes).toBe(2 ** 20); // [16, 65536] / [16, 16384] floats: the whole buffer
      expect(Number.isFinite(m.bytesPerSecond) && m.bytesPerSecond > 0).toBe(true);
      expect(m.bestSeconds).toBeGreaterThan(0);
      expect(m.bytesPerSecond).toBeCloseTo(m.bytes / m.bestSeconds, 6);
    }
    expect(r.bytesPerSecond).toBe(Math.max(...r.methods.map((m) => m.bytesPerSecond)));
    expect(r.methods.find((m) => m.name === r.method)?.bytesPerSecond).toBe(r.bytesPerSecond);
  });

  it('divides bytes by seconds and refuses nonsense', () => {
    expect(rate(1e9, 0.5)).toBe(2e9);
    expect(rate(4096, 1e-6)).toBeCloseTo(4.096e9, 3);
    expect(() => rate(1e9, 0)).toThrow(/cannot compute a rate/);
    expect(() => rate(0, 1)).toThrow(/cannot compute a rate/);
  });

  it('reads cache sizes in sysfs and getconf spellings', () => {
    expect(parseCacheSize('32768K')).toBe(32 * 2 ** 20);
    expect(parseCacheSize('1M\n')).toBe(2 ** 20);
    expect(parseCacheSize('532676608')).toBe(532676608);
    expect(parseCacheSize('')).toBeNaN();
  });
});

describe('last-level cache', () => {
  let dir = '';
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the highest-level data or unified cache from sysfs', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-cache-'));
    const caches: Array<[string, string, string]> = [
      ['1', 'Data', '48K'],
      ['1', 'Instruction', '32K'],
      ['2', 'Unified', '1024K'],
      ['3', 'Unified', '32768K'],
    ];
    caches.forEach(([level, type, size], i) => {
      fs.mkdirSync(path.join(dir, `index${i}`));
      fs.writeFileSync(path.join(dir, `index${i}`, 'level'), `${level}\n`);
      fs.writeFileSync(path.join(dir, `index${i}`, 'type'), `${type}\n`);
      fs.writeFileSync(path.join(dir, `index${i}`, 'size'), `${size}\n`);
    });
    expect(lastLevelCache(dir)).toEqual({ bytes: 32 * 2 ** 20, level: 3, source: 'sysfs' });
  });
});

describe('"% of the ceiling"', () => {
  const bw = (llc: number | null) => ({
    bytesPerSecond: 20e9,
    method: 'ReduceSum, 2 threads',
    threads: 2,
    bufferBytes: 2 ** 30,
    runs: 8,
    methods: [],
    llc: llc === null ? null : { bytes: llc, level: 3, source: 'sysfs' },
  });

  it('is quoted only for models whose per-token reads are larger than the last-level cache', () => {
    // 1 GB per token at 10 tok/s = 10 GB/s of a 20 GB/s ceiling.
    expect(ceilingFraction({ decodeWeightBytes: 1e9 }, 10, bw(32 * 2 ** 20))).toBeCloseTo(0.5, 12);
    expect(fitsInCache({ decodeWeightBytes: 1e9 }, bw(32 * 2 ** 20))).toBe(false);
    // 495 MB fits in a 508 MiB L3: not bandwidth-bound, no figure.
    expect(ceilingFraction({ decodeWeightBytes: 495e6 }, 40, bw(532676608))).toBeUndefined();
    expect(fitsInCache({ decodeWeightBytes: 495e6 }, bw(532676608))).toBe(true);
    // Unknown cache size: no claim either way.
    expect(ceilingFraction({ decodeWeightBytes: 1e9 }, 10, bw(null))).toBeUndefined();
  });
});
