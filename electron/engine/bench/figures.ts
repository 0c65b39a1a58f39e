/**
 * What the benchmark measures, the same way for Inkling and for the peer: greedy decoding of the
 * same token ids, timed from outside the generate call with a per-token callback (Inkling's token
 * events, transformers.js's streamer), so both include their own sampling and bookkeeping.
 *   decode tok/s    = steps after the first token: the fastest run of DECODE_WINDOW consecutive
 *                     steps (other processes on a shared machine pause us in bursts; a window of
 *                     steps between bursts is what the engine itself costs)
 *   prefill tok/s   = prompt tokens / (time of token 1 - call)         (a fresh prompt, no cache)
 *   keystroke ms    = call → first token for the document plus one more word
 *   alternatives    = wall time of N tokens × 3 continuations ÷ the same with 1
 * Speed runs put every configuration in one process and take turns, repetition by repetition, so
 * load from other processes falls on all of them alike; each figure keeps its best repetition.
 * Load time and peak memory come from a fresh process per configuration.
 */
import fs from 'node:fs';

export interface SubjectSpec {
  kind: 'inkling' | 'peer';
  dir: string;
  label: string;
  /** Contexts to measure decode at (a subset of the plan's). */
  contexts: number[];
  keystroke: boolean;
  alternatives: boolean;
  /** Session settings of this subject only (the threads comparison); the plan's otherwise. */
  session?: { threads?: number; spinning?: boolean; onnxruntimeThreads?: boolean };
}

export interface SpeedPlan {
  mode: 'speed';
  subjects: SubjectSpec[];
  /** New tokens per decode measurement. */
  newTokens: number;
  reps: number;
  threads?: number;
  spinning?: boolean;
}

/**
 * Memory run: load, read one document of `context` tokens into the cache, generate newTokens,
 * report the load time and the peak. Nothing else runs, so the peak is the model + one cache.
 */
export interface MemoryPlan {
  mode: 'memory';
  subject: SubjectSpec;
  context: number;
  newTokens: number;
  threads?: number;
  spinning?: boolean;
}

export type RunPlan = SpeedPlan | MemoryPlan;

export interface SpeedFigures {
  /** prompt tokens → decode tokens/s */
  decode: Record<string, number>;
  /** prompt tokens → prefill tokens/s (fresh prompt) */
  prefill: Record<string, number>;
  keystrokeMs?: number;
  /** Wall ms for newTokens × 1 and × 3 continuations, per prompt length (cached prompt for Inkling). */
  alternatives?: { context: number; one: number; three: number }[];
  /** Inkling: threads and spinning as the engine chose them at load (ModelInfo.cpuNote). */
  cpuNote?: string;
}

export interface MemoryFigures {
  loadMs: number;
  /** Peak resident set of the process, and its resident set before the model was loaded. */
  peakRssBytes: number;
  baseRssBytes: number;
}

/** One token-by-token generation, timed from the caller's side. */
export interface Timed {
  /** call → first token, ms */
  ttft: number;
  /** timestamps of each token (of the first continuation) */
  stamps: number[];
  /** call → end, ms */
  total: number;
}

/** A model under test, as the speed and memory runs drive it. */
export interface Subject {
  readonly spec: SubjectSpec;
  /** Loads the model; returns the wall time it took. */
  load(): Promise<number>;
  /** After load: how the engine runs it on the CPU (Inkling only). */
  readonly cpuNote?: string;
  /** `newTokens` greedy tokens after the first `context` benchmark tokens (no cache). */
  generate(context: number, newTokens: number): Promise<Timed>;
  /** call → first token after the `context`-token document grew by word number `k`. */
  keystroke(context: number, k: number): Promise<number>;
  /** Wall ms of `newTokens` tokens × `n` continuations of the first `context` tokens. */
  alternatives(context: number, newTokens: number, n: number): Promise<number>;
  dispose(): Promise<void>;
}

export const DECODE_WINDOW = 8;

/** Decode rate from per-token timestamps (ms): the fastest window of consecutive steps after the first token. */
export function decodeRate(stamps: number[], window = DECODE_WINDOW): number {
  const steps = stamps.length - 1;
  if (steps < 1) return 0;
  const w = Math.min(window, steps);
  let fastest = Infinity;
  // Step j takes stamps[j] - stamps[j - 1]; the window of steps i..i+w-1 takes stamps[i+w-1] - stamps[i-1].
  for (let i = 1; i + w - 1 <= steps; i++) fastest = Math.min(fastest, stamps[i + w - 1] - stamps[i - 1]);
  return (w * 1000) / fastest;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Peak resident set of this process so far, in bytes. On Linux the high-water mark of this
 * process's own memory (VmHWM): getrusage's maxrss would also count the parent's resident set at
 * fork, which Linux carries across exec. Elsewhere, maxrss (children are spawned from a small
 * parent there too, but conversions in the parent can inflate it).
 */
export function peakRss(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
