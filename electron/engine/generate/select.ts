/**
 * Partial selection over a vocabulary-sized score array (50257 for GPT-2) without sorting it.
 *
 * The order used everywhere in generate/: higher score first; equal scores → lower token id first,
 * so ties are broken the same way on every run. NaN counts as -Infinity.
 */

// Heap scratch, grown on demand and reused: the decode loop calls this on every step.
let heapIds = new Int32Array(64);
let heapVals = new Float64Array(64);

/** True when entry a (value va, id ia) ranks below entry b. */
function below(va: number, ia: number, vb: number, ib: number): boolean {
  return va < vb || (va === vb && ia > ib);
}

function siftDown(pos: number, size: number): void {
  const id = heapIds[pos];
  const v = heapVals[pos];
  for (;;) {
    let child = 2 * pos + 1;
    if (child >= size) break;
    // Pick the lower-ranked child: the heap keeps the worst kept entry at the root.
    if (child + 1 < size && below(heapVals[child + 1], heapIds[child + 1], heapVals[child], heapIds[child])) child++;
    if (!below(heapVals[child], heapIds[child], v, id)) break;
    heapIds[pos] = heapIds[child];
    heapVals[pos] = heapVals[child];
    pos = child;
  }
  heapIds[pos] = id;
  heapVals[pos] = v;
}

/**
 * The ids of the k best entries of `scores`, best first: O(n log k) with a size-k min-heap.
 * Returns min(k, n) ids.
 */
export function selectTop(scores: ArrayLike<number>, k: number): Int32Array {
  const n = scores.length;
  const size = Math.max(0, Math.min(Math.floor(k), n));
  if (heapIds.length < size) {
    heapIds = new Int32Array(size);
    heapVals = new Float64Array(size);
  }
  for (let i = 0; i < size; i++) {
    const v = scores[i];
    heapIds[i] = i;
    heapVals[i] = v === v ? v : -Infinity;
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i, size);
  if (size > 0) {
    for (let i = size; i < n; i++) {
      const v = scores[i];
      // Later ids lose ties, so only a strictly higher score displaces the worst kept entry.
      if (v > heapVals[0]) {
        heapIds[0] = i;
        heapVals[0] = v;
        siftDown(0, size);
      }
    }
  }
  const out = new Int32Array(size);
  for (let left = size; left > 0; left--) {
    out[left - 1] = heapIds[0];
    heapIds[0] = heapIds[left - 1];
    heapVals[0] = heapVals[left - 1];
    siftDown(0, left - 1);
  }
  return out;
}

/** Index of the best entry (lowest id on ties), or -1 when every entry is -Infinity or NaN. */
export function argmax(scores: ArrayLike<number>): number {
  let best = -1;
  let bestV = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i];
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}
