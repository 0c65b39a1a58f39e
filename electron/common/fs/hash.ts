/** Streaming file hashes: the one `hashInto` and `sha256File` of the engine, services and CLI. */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';

export interface HashOptions {
  /** Hash only the first `length` bytes. */
  length?: number;
  signal?: AbortSignal;
  /** The error thrown when `signal` aborts (default: the signal's reason). */
  abortError?: () => Error;
  /** Bytes read so far, after each chunk (progress bars). */
  onBytes?: (n: number) => void;
}

/** Feeds a file (or its first `length` bytes) through `hash` (or each of several), streaming; returns the bytes read. */
export async function hashInto(hash: Hash | readonly Hash[], file: string, opts: HashOptions = {}): Promise<number> {
  if (opts.length === 0) return 0;
  const stream = fs.createReadStream(file, {
    end: opts.length === undefined ? undefined : opts.length - 1,
    highWaterMark: 1 << 20,
  });
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (opts.signal?.aborted) {
      stream.destroy();
      throw opts.abortError ? opts.abortError() : opts.signal.reason;
    }
    for (const h of Array.isArray(hash) ? hash : [hash]) h.update(chunk);
    n += chunk.length;
    opts.onBytes?.(n);
  }
  return n;
}

/** The SHA-256 (hex) and size of a file, read in a stream. */
export async function sha256File(file: string, opts: HashOptions = {}): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  const size = await hashInto(h, file, opts);
  return { sha256: h.digest('hex'), size };
}
