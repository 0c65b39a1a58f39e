/**
 * The prefix cache's two bounds (entries and bytes), with a decoder that only counts: which states
 * are kept shows in `reused`, the tokens a later request finds already read.
 */
import { describe, expect, it } from 'vitest';
import type { Decoder, KvState } from '../../../electron/engine/runtime/decoder';
import { PrefixCache, kvRowBytes, prefixCacheBudget } from '../../../electron/engine/runtime/prefixCache';

interface CountingKv extends KvState {
  length: number;
}

const decoder = {
  newState: (batch: number, capacity: number): CountingKv => ({ batch, capacity, length: 0 }),
  truncate(state: CountingKv, length: number) {
    state.length = length;
  },
} as unknown as Decoder<CountingKv>; // only the two methods the cache calls

const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** A request under `key` for `n` tokens, fed as the engine feeds them; returns the tokens reused. */
function read(cache: PrefixCache<CountingKv>, key: string, n: number): number {
  const want = ids(n);
  const { entry, reused } = cache.acquire(decoder, key, want, 1024);
  entry.ids.push(...want.slice(reused));
  entry.state.length = entry.ids.length;
  return reused;
}

describe('PrefixCache', () => {
  it('keeps at most maxEntries states, dropping the least recently used', () => {
    const cache = new PrefixCache<CountingKv>(3);
    for (const k of ['a', 'b', 'c']) read(cache, k, 50);
    expect(read(cache, 'a', 60)).toBe(50); // a is now the newest
    read(cache, 'd', 50); // b, the oldest, goes
    expect(cache.size).toBe(3);
    expect(read(cache, 'c', 50)).toBe(49); // one token is always left to feed
    expect(read(cache, 'b', 50)).toBe(0);
  });

  it('keeps the cached tokens within the byte budget, oldest first', () => {
    const cache = new PrefixCache<CountingKv>(3, { rowBytes: 10, maxBytes: 2500 });
    read(cache, 'a', 100);
    read(cache, 'b', 100);
    expect(cache.bytes).toBe(2000);
    read(cache, 'c', 100); // 3000 bytes would not fit: a goes before c's state is made
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBe(2000);
    expect(read(cache, 'b', 100)).toBe(99);
    expect(read(cache, 'a', 100)).toBe(0); // made again; c (now oldest) went for it
    expect(read(cache, 'b', 100)).toBe(99);
  });

  it('a state that grows past the budget pushes the others out, but is itself kept', () => {
    const cache = new PrefixCache<CountingKv>(3, { rowBytes: 10, maxBytes: 2500 });
    read(cache, 'a', 100);
    read(cache, 'b', 100);
    expect(read(cache, 'b', 400)).toBe(100);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(4000);
    expect(read(cache, 'b', 401)).toBe(400);
  });

  it('forgetWhere drops what matches and frees its bytes', () => {
    const cache = new PrefixCache<CountingKv>(3, { rowBytes: 10, maxBytes: 1e9 });
    read(cache, 'doc1', 10);
    read(cache, 'doc1~translate', 20);
    read(cache, 'doc2', 30);
    expect(cache.forgetWhere((k) => k.startsWith('doc1'))).toBe(2);
    expect(cache.bytes).toBe(300);
  });
});

describe('prefixCacheBudget', () => {
  it('is an eighth of the memory, and never less than one full context', () => {
    const small = { nLayer: 12, nEmbd: 768, contextLength: 1024 };
    const xl = { nLayer: 48, nEmbd: 1600, contextLength: 1024 };
    expect(kvRowBytes(small)).toBe(73_728);
    expect(kvRowBytes(xl)).toBe(614_400);
    const GiB = 2 ** 30;
    expect(prefixCacheBudget(small, 8 * GiB)).toEqual({ rowBytes: 73_728, maxBytes: GiB });
    // XL on 4 GiB: an eighth (512 MiB) is less than one full context (629 MB), which wins.
    expect(prefixCacheBudget(xl, 4 * GiB).maxBytes).toBe(629_145_600);
    expect(prefixCacheBudget(xl, 16 * GiB).maxBytes).toBe(2 * GiB);
  });
});
