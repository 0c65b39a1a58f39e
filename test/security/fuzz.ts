/**
 * Small helpers for the fuzz tests: a seeded random source (every run feeds the same inputs, so a
 * failure names an input you can reproduce), random JSON values, a safetensors file builder that
 * writes whatever header it is given, and an outcome log that turns "anything but a clean error" into
 * a precise list of cases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** mulberry32: a tiny seeded PRNG, good enough to pick mutations reproducibly. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      return items[int(items.length)];
    },
    bytes(n: number): Buffer {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    },
  };
}
export type Rng = ReturnType<typeof rng>;

/** A random JSON-ish value: the awkward ones (NaN, -0, 2^53+1, huge, deep, __proto__ keys) on purpose. */
export function randomJson(r: Rng, depth = 0): unknown {
  const leaves: unknown[] = [
    null,
    true,
    false,
    0,
    -0,
    1,
    -1,
    1.5,
    2 ** 31,
    2 ** 53 + 1,
    1e308,
    -1e308,
    NaN,
    Infinity,
    '',
    'gpt2',
    '1',
    'x'.repeat(300),
    '\u0000',
    '\ud800',
  ];
  if (depth > 3 || r.next() < 0.5) return r.pick(leaves);
  if (r.next() < 0.5) return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
  const obj: Record<string, unknown> = {};
  const keys = [
    'model_type',
    'vocab_size',
    'n_embd',
    'n_layer',
    'n_head',
    'n_positions',
    'n_ctx',
    'dtype',
    'shape',
    'data_offsets',
    '__proto__',
    'constructor',
    'a',
  ];
  for (let i = r.int(5); i > 0; i--)
    Object.defineProperty(obj, r.pick(keys), {
      value: randomJson(r, depth + 1),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  return obj;
}

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `inkling-fuzz-${label}-`));
}

/** Writes [u64 LE header length][header text][data bytes] — valid or not, as told. */
export function writeRawSafetensors(
  file: string,
  header: string | Buffer,
  data: Buffer | number = 0,
  declaredLength?: bigint,
): string {
  const hb = typeof header === 'string' ? Buffer.from(header, 'utf8') : header;
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(declaredLength ?? BigInt(hb.length));
  fs.writeFileSync(file, Buffer.concat([prefix, hb, typeof data === 'number' ? Buffer.alloc(data) : data]));
  return file;
}

/** The outcome of feeding one input: 'ok', a clean error of the expected class, or a problem. */
export interface Problem {
  input: string;
  problem: string;
}

/**
 * Collects problems across many inputs, so one test reports all of them at once, each with the input
 * that caused it. `clean(err)` says whether an error is the kind the reader promises.
 */
export class OutcomeLog {
  readonly problems: Problem[] = [];
  readonly counts = { ok: 0, cleanError: 0 };
  readonly messages: Array<{ input: string; message: string }> = [];

  constructor(private readonly clean: (err: unknown, input: string) => string | null) {}

  /** Runs `fn`; returns its value, or undefined when it threw. */
  run<T>(input: string, fn: () => T): T | undefined {
    try {
      const value = fn();
      this.counts.ok++;
      return value;
    } catch (err) {
      this.record(input, err);
      return undefined;
    }
  }

  async runAsync<T>(input: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await fn();
      this.counts.ok++;
      return value;
    } catch (err) {
      this.record(input, err);
      return undefined;
    }
  }

  /** Marks a successful result that should not have succeeded (or is wrong). */
  fail(input: string, problem: string): void {
    this.problems.push({ input, problem });
  }

  private record(input: string, err: unknown): void {
    const why = this.clean(err, input);
    if (why) {
      const e = err as Error;
      this.problems.push({
        input,
        problem: `${why}: ${e?.name ?? typeof err}: ${String(e?.message ?? err).slice(0, 300)}`,
      });
      return;
    }
    this.counts.cleanError++;
    this.messages.push({ input, message: (err as Error).message });
  }

  /** Human-readable list for an assertion message. */
  report(): string[] {
    return this.problems.map((p) => `${p.input} → ${p.problem}`);
  }
}

/** Longest error message a writer should ever be shown (values from the file are quoted, not dumped). */
export const MAX_MESSAGE_CHARS = 1000;
