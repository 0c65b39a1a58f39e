import { describe, expect, it } from 'vitest';
import { fitWindow } from '../../../electron/engine/generate/window';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('fitWindow', () => {
  it('keeps a prompt that fits unchanged', () => {
    const r = fitWindow(range(1000), 1024, 24, 256);
    expect(r).toEqual({ ids: range(1000), dropped: 0, budget: 1000, maxNewTokens: 24 });
  });

  it('drops from the front in multiples of the slide step', () => {
    expect(fitWindow(range(1001), 1024, 24, 256).dropped).toBe(256);
    expect(fitWindow(range(1256), 1024, 24, 256).dropped).toBe(256);
    expect(fitWindow(range(1257), 1024, 24, 256).dropped).toBe(512);
    const r = fitWindow(range(1100), 1024, 24, 256);
    expect(r.ids).toEqual(range(1100).slice(256));
    expect(r.ids.length).toBeLessThanOrEqual(1000);
  });

  it('keeps the same first token while a document grows within one step', () => {
    const starts = new Set<number>();
    for (let len = 1001; len <= 1256; len++) starts.add(fitWindow(range(len), 1024, 24, 256).ids[0]);
    expect([...starts]).toEqual([256]);
  });

  it('never fails for very long input and always fits', () => {
    const r = fitWindow(range(100_000), 1024, 100, 256);
    expect(r.ids.length).toBeLessThanOrEqual(924);
    expect(r.ids.length).toBeGreaterThan(924 - 256);
    expect(r.ids[r.ids.length - 1]).toBe(99_999);
    expect(r.dropped % 256).toBe(0);
  });

  it('clamps a too-large maxNewTokens: the prompt keeps a quarter of the context', () => {
    const r = fitWindow(range(2000), 1024, 1024, 64);
    expect(r.budget).toBe(256);
    expect(r.ids.length).toBeLessThanOrEqual(256);
    expect(r.maxNewTokens).toBe(1024 - r.ids.length);
    const short = fitWindow(range(10), 1024, 1024, 64);
    expect(short).toEqual({ ids: range(10), dropped: 0, budget: 256, maxNewTokens: 1014 });
  });

  it('caps the slide step at half the budget; step 0 drops exactly the excess', () => {
    const r = fitWindow(range(120), 100, 50, 256); // budget 50 → step 25, excess 70 → drop 75
    expect(r.dropped).toBe(75);
    expect(r.ids.length).toBe(45);
    expect(fitWindow(range(120), 100, 50, 0).dropped).toBe(70);
  });

  it('rejects nonsense sizes with a clear message', () => {
    expect(() => fitWindow([1], 0, 1, 1)).toThrow(/context length/);
    expect(() => fitWindow([1], 1024, 0, 1)).toThrow(/maxNewTokens/);
  });
});
