// The BPE merge loop: turns the UTF-8 bytes of one pre-tokenized piece into token ids.
//
// GPT-2's rule: start from one token per byte; repeatedly take the adjacent pair whose merge has
// the lowest rank (line number in merges.txt), leftmost first on ties, and replace it by the merged
// token; stop when no adjacent pair is a merge. Short pieces (almost all of them) use a flat array
// and a linear scan; long ones (CJK sentences have no spaces, so one piece can be a whole
// paragraph; long runs of spaces or punctuation too) use a linked list and a min-heap so the cost
// stays O(n log n) instead of O(n^2).

/** Pieces up to this many bytes use the simple quadratic loop (faster for short input). */
const SHORT_PIECE = 48;

/**
 * Open-addressing hash table from an ordered token pair (left id, right id) to the merge's rank.
 * A JS Map keyed by left*vocabSize+right would need keys above 2^31 (not small integers in V8)
 * and is several times slower on this hot path.
 */
export class PairRanks {
  private readonly mask: number;
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly ranks: Int32Array;

  constructor(capacityHint: number) {
    let cap = 16;
    while (cap < capacityHint * 2) cap *= 2;
    this.mask = cap - 1;
    this.lefts = new Int32Array(cap).fill(-1);
    this.rights = new Int32Array(cap);
    this.ranks = new Int32Array(cap);
  }

  private static hash(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  }

  /** Inserts the pair unless present; returns false when it was already there (duplicate merge). */
  add(left: number, right: number, rank: number): boolean {
    let i = PairRanks.hash(left, right) & this.mask;
    while (this.lefts[i] !== -1) {
      if (this.lefts[i] === left && this.rights[i] === right) return false;
      i = (i + 1) & this.mask;
    }
    this.lefts[i] = left;
    this.rights[i] = right;
    this.ranks[i] = rank;
    return true;
  }

  /** The merge rank of (left, right), or -1 when the pair is not a merge. */
  get(left: number, right: number): number {
    let i = PairRanks.hash(left, right) & this.mask;
    for (;;) {
      const l = this.lefts[i];
      if (l === -1) return -1;
      if (l === left && this.rights[i] === right) return this.ranks[i];
      i = (i + 1) & this.mask;
    }
  }
}

export class BpeMerger {
  /**
   * @param byteToId  byte value -> id of its single-byte token (Int32Array[256])
   * @param pairs     (left id, right id) -> merge rank
   * @param mergeIds  merge rank -> id of the merged token
   */
  constructor(
    private readonly byteToId: Int32Array,
    private readonly pairs: PairRanks,
    private readonly mergeIds: Int32Array,
  ) {}

  /** The id of the single-byte token for byte `b`. */
  byteToIdOf(b: number): number {
    return this.byteToId[b];
  }

  /** Appends the ids for `bytes[0..n)` to `out`. */
  encodeBytes(bytes: ArrayLike<number>, n: number, out: number[]): void {
    if (n === 0) return;
    if (n === 1) {
      out.push(this.byteToId[bytes[0]]);
      return;
    }
    if (n <= SHORT_PIECE) this.mergeShort(bytes, n, out);
    else this.mergeLong(bytes, n, out);
  }

  private mergeShort(bytes: ArrayLike<number>, n: number, out: number[]): void {
    const ids: number[] = new Array(n);
    for (let i = 0; i < n; i++) ids[i] = this.byteToId[bytes[i]];
    // ranks[i] = rank of (ids[i], ids[i+1]), or -1 when that pair is not a merge.
    const ranks: number[] = new Array(n - 1);
    for (let i = 0; i < n - 1; i++) ranks[i] = this.pairs.get(ids[i], ids[i + 1]);
    let len = n;
    while (len > 1) {
      let best = -1;
      let bestRank = 0x7fffffff;
      for (let i = 0; i < len - 1; i++) {
        const r = ranks[i];
        if (r >= 0 && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      ids[best] = this.mergeIds[bestRank];
      ids.splice(best + 1, 1);
      ranks.splice(best, 1);
      len--;
      if (best > 0) ranks[best - 1] = this.pairs.get(ids[best - 1], ids[best]);
      if (best < len - 1) ranks[best] = this.pairs.get(ids[best], ids[best + 1]);
    }
    for (let i = 0; i < len; i++) out.push(ids[i]);
  }

  private mergeLong(bytes: ArrayLike<number>, n: number, out: number[]): void {
    // Doubly linked list over byte positions; a merge keeps the left node and unlinks the right.
    const ids = new Int32Array(n);
    const prev = new Int32Array(n);
    const next = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      ids[i] = this.byteToId[bytes[i]];
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // Heap entries pack (rank, left node) as rank * n + left: ordered by rank, then leftmost.
    // Entries go stale when a neighbour merges; they are checked (lazily) when popped.
    const heap = new MinHeap();
    for (let i = 0; i < n - 1; i++) {
      const r = this.pairs.get(ids[i], ids[i + 1]);
      if (r >= 0) heap.push(r * n + i);
    }
    while (heap.size > 0) {
      const key = heap.pop();
      const left = key % n;
      const rank = (key - left) / n;
      const right = next[left];
      // Still valid iff the node lives, has a right neighbour, and that pair is still this merge.
      if (!alive[left] || right < 0 || this.pairs.get(ids[left], ids[right]) !== rank) continue;
      ids[left] = this.mergeIds[rank];
      alive[right] = 0;
      const after = next[right];
      next[left] = after;
      if (after >= 0) prev[after] = left;
      const before = prev[left];
      if (before >= 0) {
        const r = this.pairs.get(ids[before], ids[left]);
        if (r >= 0) heap.push(r * n + before);
      }
      if (after >= 0) {
        const r = this.pairs.get(ids[left], ids[after]);
        if (r >= 0) heap.push(r * n + left);
      }
    }
    for (let i = 0; i >= 0; i = next[i]) out.push(ids[i]);
  }
}

/** Binary min-heap of non-negative integers (up to 2^53). */
class MinHeap {
  private items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  push(v: number): void {
    const a = this.items;
    let i = a.length;
    a.push(v);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.items;
    const top = a[0];
    const last = a.pop() as number;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
