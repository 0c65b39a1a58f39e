/**
 * Per-document K/V caches kept between requests, so the next keystroke re-reads only what changed.
 *
 * Each entry remembers exactly the token ids whose K/V its state holds (memory + window, read from
 * position 0). A new request reuses the longest common prefix of ids; comparing ids (not text)
 * makes the reuse exact even though BPE merges change around an edit, and K/V depend only on the
 * ids and their positions, so where the window sits in the document does not matter.
 * A bounded LRU, bounded twice: by entries (each document and each of its panes has its own key),
 * and by bytes. A state's buffers are allocated for the whole context but zero-filled, so the
 * operating system makes a row resident only when it is written: an entry costs about
 * `rowBytes` (n_layer × 2 × n_embd floats) per token it holds. For GPT-2 XL a full context is
 * 629 MB, so the byte budget, not the count, is what bounds a writer's memory there.
 */
import type { Decoder, KvState } from './decoder';

export interface CacheEntry<S extends KvState = KvState> {
  ids: number[];
  state: S;
}

/** `S`: the cache type of the one decoder whose states it keeps. */
export class PrefixCache<S extends KvState = KvState> {
  private readonly entries = new Map<string, CacheEntry<S>>();
  /**
   * @param maxEntries at most this many states are kept
   * @param budget the bytes the kept states may hold together (`rowBytes` per cached token); the
   *   state in use is kept even when it alone is larger
   */
  constructor(
    private readonly maxEntries = 3,
    private readonly budget: { rowBytes: number; maxBytes: number } = { rowBytes: 0, maxBytes: Infinity },
  ) {}

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
      this.touch(key!, existing, ids.length);
      return { entry: existing, reused: common };
    }
    // Make room before allocating: the old states' rows are released first.
    if (key !== undefined) this.entries.delete(key);
    this.evict(ids.length, this.maxEntries - 1);
    const entry: CacheEntry<S> = { ids: [], state: decoder.newState(1, capacity) };
    if (key !== undefined) this.touch(key, entry, ids.length);
    return { entry, reused: 0 };
  }

  /** About how many bytes the kept states hold (their cached tokens × `rowBytes`). */
  get bytes(): number {
    let tokens = 0;
    for (const e of this.entries.values()) tokens += e.ids.length;
    return tokens * this.budget.rowBytes;
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

  /** `key` becomes the newest entry; the oldest others go until the count and the bytes fit. */
  private touch(key: string, entry: CacheEntry<S>, rows: number): void {
    this.entries.delete(key);
    this.evict(rows, this.maxEntries - 1);
    this.entries.set(key, entry);
  }

  /**
   * Drops the least recently used entries until at most `keep` remain and they fit in the byte
   * budget beside a state about to hold `rows` tokens.
   */
  private evict(rows: number, keep: number): void {
    const { rowBytes, maxBytes } = this.budget;
    let bytes = this.bytes + rows * rowBytes;
    for (const [oldest, e] of this.entries) {
      if (this.entries.size <= keep && bytes <= maxBytes) break;
      bytes -= e.ids.length * rowBytes;
      this.entries.delete(oldest);
    }
  }
}

/** Bytes of K/V per cached token: keys and values of every layer, as fp32. */
export function kvRowBytes(info: { nLayer: number; nEmbd: number }): number {
  return info.nLayer * 2 * info.nEmbd * 4;
}

/**
 * The prefix cache's byte budget: an eighth of the machine's memory, and never less than one full
 * context (so the document being written always keeps its state). 124M's three full states (226 MB)
 * fit on any machine; XL's (629 MB each) keep three on 16 GB, and one on 8 GB (plus part of another).
 */
export function prefixCacheBudget(
  info: { nLayer: number; nEmbd: number; contextLength: number },
  totalMemBytes: number,
): { rowBytes: number; maxBytes: number } {
  const rowBytes = kvRowBytes(info);
  return { rowBytes, maxBytes: Math.max(info.contextLength * rowBytes, Math.floor(totalMemBytes / 8)) };
}
