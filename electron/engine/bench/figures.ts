/**
 * What one benchmark child measures, the same way for Inkling and for the peer: greedy decoding at
 * batch 1 of the same token ids, timed from the outside of the generate call with a per-token
 * callback (Inkling's token events, transformers.js's streamer), so both include their own sampling
 * and bookkeeping.
 *   decode tok/s    = (N - 1) / (time of token N - time of token 1)   (steps after the first token)
 *   prefill tok/s   = prompt tokens / (time of token 1 - call)         (a fresh prompt, no cache)
 *   keystroke ms    = call → first token for the document plus one more word
 *   alternatives    = wall time of N tokens × 3 continuations ÷ the same with 1
 * Repetitions keep the best (interference from other processes only ever adds time); keystrokes
 * report the median of several edits.
 */
export interface RunPlan {
  kind: 'inkling' | 'peer';
  dir: string;
  label: string;
  /** New tokens per decode measurement. */
  newTokens: number;
  reps: number;
  /** Context lengths to measure decode at (prompt tokens). */
  contexts: number[];
  keystroke: boolean;
  alternatives: boolean;
  /**
   * Memory run only: load, read one document of the longest context into the cache, generate
   * newTokens, report the peak. Nothing else runs, so the peak is the model + one cache.
   */
  memoryOnly?: boolean;
  threads?: number;
  spinning?: boolean;
}

export interface RunFigures {
  label: string;
  loadMs: number;
  /** prompt tokens → decode tokens/s */
  decode: Record<string, number>;
  /** prompt tokens → prefill tokens/s (fresh prompt) */
  prefill: Record<string, number>;
  keystrokeMs?: number;
  /** Wall ms for newTokens × 1 and × 3 continuations, at the short and the long (cached) context. */
  alternatives?: { context: number; one: number; three: number }[];
  /** Peak resident set of the child, and its resident set before the model was loaded. */
  peakRssBytes: number;
  baseRssBytes: number;
  /** Fraction of the CPU other processes kept busy just before this run started (null: unknown). */
  busyBefore?: number | null;
}

export function best(xs: number[]): number {
  return Math.min(...xs);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Decode rate from per-token timestamps (ms): steps after the first token. */
export function decodeRate(stamps: number[]): number {
  if (stamps.length < 2) return 0;
  return ((stamps.length - 1) * 1000) / (stamps[stamps.length - 1] - stamps[0]);
}

/** Peak resident set of this process so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}
