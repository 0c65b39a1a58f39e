/**
 * Per-document K/V caches kept between requests, so the next keystroke re-reads only what changed.
 *
 * Each entry remembers exactly the token ids whose K/V its state holds (memory + window, read from
 * position 0). A new request reuses the longest common prefix of ids; comparing ids (not text)
 * makes the reuse exact even though BPE merges change around an edit, and K/V depend only on the
 * ids and their positions, so where the window sits in the document does not matter.
 * A bounded LRU: each entry costs n_layer × 2 × capacity × n_embd floats.
 */
import type { Decoder, KvState } from './decoder';

export interface CacheEntry<S extends KvState = KvState> {
  ids: number[];
  state: S;
}

/** `S`: the cache type of the one decoder whose states it keeps. */
export class PrefixCache<S extends KvState = KvState> {
  private readonly entries = new Map<string, CacheEntry<S>>();
  constructor(private readonly maxEntries = 3) {}

  /**
   * A state holding a prefix of `ids`, truncated to that prefix, and how many
   * tokens of `ids` it already holds. At least one token is always left to feed, because the step
   * that feeds it produces the logits the caller needs.
   */
  acquire(
    decoder: Decoder<S>,
    key: string | undefined,
    ids: readonly number[],
    capacity: number,
  ): { entry: CacheEntry<S>; reused: number } {
    const existing = key === undefined ? undefined : this.entries.get(key);
    if (existing && existing.state.capacity >= capacity) {
      let common = 0;
      const limit = Math.min(existing.ids.length, ids.length - 1);
      while (common < limit && existing.ids[common] === ids[common]) common++;
      decoder.truncate(existing.state, common);
      existing.ids.length = common;
      this.touch(key!, existing);
      return { entry: existing, reused: common };
    }
    const entry: CacheEntry<S> = { ids: [], state: decoder.newState(1, capacity) };
    if (key !== undefined) this.touch(key, entry);
    return { entry, reused: 0 };
  }

  /** Drops the entries whose key matches; returns how many. */
  forgetWhere(match: (key: string) => boolean): number {
    let n = 0;
    for (const key of [...this.entries.keys()]) if (match(key) && this.entries.delete(key)) n++;
    return n;
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private touch(key: string, entry: CacheEntry<S>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
