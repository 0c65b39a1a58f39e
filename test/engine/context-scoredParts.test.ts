// The heat map's part cache (electron/engine/context/scoredParts.ts): packed losslessly, bounded by bytes.
import { describe, expect, it } from 'vitest';
import { ScoredPartCache, packTokens, unpackTokens } from '../../electron/engine/context/scoredParts';
import type { ScoredToken } from '../../electron/engine/host/protocol';

function part(n: number, seed: number): ScoredToken[] {
  return Array.from({ length: n }, (_, i) => ({
    id: seed * 1000 + i,
    text: i % 7 === 0 ? ' café 😀' : ` w${seed}_${i}`,
    logprob: i === 0 ? null : -i / 10,
    rank: i === 0 ? null : i % 3 === 0 ? null : i,
    top:
      i === 0
        ? []
        : Array.from({ length: 5 }, (_, k) => ({ id: k, text: k === 2 ? '' : ` alt${k}é`, logprob: -k - 0.25 })),
  }));
}

describe('ScoredPartCache', () => {
  it('gives back exactly what was stored (texts, nulls, empty and non-BMP texts, alternatives)', () => {
    const tokens = part(50, 3);
    expect(unpackTokens(packTokens(tokens))).toEqual(tokens);
    expect(unpackTokens(packTokens([]))).toEqual([]);
    const cache = new ScoredPartCache();
    cache.set('a', tokens);
    expect(cache.get('a')).toEqual(tokens);
    expect(cache.get('b')).toBeNull();
  });

  it('a hit is confirmed by the ids it was computed from', () => {
    const cache = new ScoredPartCache();
    cache.set('k', part(4, 1), [7, 8, 9]);
    expect(cache.get('k', { ids: [0, 7, 8, 9], from: 1, to: 4 })).toEqual(part(4, 1));
    expect(cache.get('k', { ids: [0, 7, 8, 10], from: 1, to: 4 })).toBeNull(); // same hash, other ids
  });

  it('keeps what its byte budget holds, dropping the least recently used first', () => {
    const one = packTokens(part(400, 1)).bytes;
    const cache = new ScoredPartCache(one * 3.5);
    for (const k of ['p1', 'p2', 'p3']) cache.set(k, part(400, Number(k[1])));
    expect(cache.size).toBe(3);
    expect(cache.get('p1')).not.toBeNull(); // p1 is now the most recent
    cache.set('p4', part(400, 4));
    expect(cache.size).toBe(3);
    expect(cache.get('p2')).toBeNull(); // the least recent went
    expect(cache.get('p1')).not.toBeNull();
    expect(cache.bytes).toBeLessThanOrEqual(one * 3.5);
    // A part larger than the whole budget is still kept (the one just scored is always returned).
    const tiny = new ScoredPartCache(10);
    tiny.set('big', part(10, 5));
    expect(tiny.get('big')).toEqual(part(10, 5));
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('packs a 400-token part with 5 alternatives a token into well under 100 kB', () => {
    // The default budget (96 MB) then holds ~1,000 such parts: a 300,000-word manuscript.
    expect(packTokens(part(400, 9)).bytes).toBeLessThan(100_000);
  });
});
