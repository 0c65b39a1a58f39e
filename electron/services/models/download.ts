/**
 * Downloads one file from a Hugging Face–style server, safely:
 *
 *   HEAD (size, sha256, commit) → rehash any `<file>.incomplete` left by an earlier run → check free
 *   space → GET with `Range: bytes=N-` → append to `.incomplete` while hashing → on a cut, retry with
 *   exponential backoff and resume from the bytes actually on disk → verify size + sha256 → rename.
 *
 * The hash is only ever fed bytes that were written to the file, so after any failure (or a
 * SIGKILL, after which the next run rehashes the file) the hash state and the file agree.
 * Cancelling keeps the `.incomplete` so the next call resumes. A file that fails verification is
 * deleted, never renamed into place.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InklingError } from '../../common/errors';
import { RetryableError, abortedError } from './errors';
import { headFile, request, resolveUrl, statusError, type RemoteFileMeta } from './http';
import { commitTempFile, hashInto } from '../../common/fs';
import { ensureFreeSpace, fileSize, type StatFs } from './files';
import { SpeedMeter, etaSeconds, throttle, type DownloadProgress } from './progress';

export interface RetryOptions {
  /** Consecutive failed attempts (without any byte of progress) before giving up. Default 6. */
  maxAttempts?: number;
  /** First backoff delay; doubles per consecutive failure up to `retryMaxMs`. Default 500 ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Socket idle timeout. Default 30 s. */
  idleTimeoutMs?: number;
}

export interface DownloadOptions extends RetryOptions {
  url: string;
  /** Final path; the partial file is `${dest}.incomplete`. */
  dest: string;
  /** Name used in messages and progress; defaults to the file name. */
  label?: string;
  /** The result of an earlier HEAD; skips our own. */
  meta?: RemoteFileMeta;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  statfs?: StatFs;
  /** Skip the free-space check (the caller already checked the whole set of files). */
  skipSpaceCheck?: boolean;
}

export interface DownloadResult {
  path: string;
  size: number;
  /** sha256 we computed over the bytes on disk. */
  sha256: string;
  /**
   * 'sha256' = matched the sha256 the server published (LFS files); 'git-sha1' = matched the git
   * blob SHA-1 the Hub publishes as the ETag of a small (non-LFS) file; 'size' = the server published
   * neither, so only the size was checked.
   */
  verifiedBy: 'sha256' | 'git-sha1' | 'size';
  commit: string | null;
  etag: string | null;
  /** Bytes reused from an earlier partial file (0 = started from scratch). */
  resumedFrom: number;
  /** True when the final file was already there and verified; nothing was downloaded. */
  alreadyPresent: boolean;
}

const delay = (ms: number, signal: AbortSignal | undefined, label: string): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(label));
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortedError(label));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function backoffMs(failures: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, failures - 1));
}

/** Runs `fn`, retrying RetryableErrors with exponential backoff. */
export async function withRetry<T>(label: string, fn: () => Promise<T>, opts: RetryOptions & { signal?: AbortSignal }): Promise<T> {
  const max = opts.maxAttempts ?? 6;
  for (let failures = 1; ; failures++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      if (failures >= max) {
        throw new InklingError('network', `${err.message} (gave up after ${max} attempts)`, { cause: err });
      }
      await delay(backoffMs(failures, opts.retryBaseMs ?? 500, opts.retryMaxMs ?? 15_000), opts.signal, label);
    }
  }
}

function verifiedResult(meta: RemoteFileMeta, dest: string, size: number, sha256: string, resumedFrom: number, alreadyPresent: boolean): DownloadResult {
  return {
    path: dest,
    size,
    sha256,
    verifiedBy: meta.sha256 ? 'sha256' : meta.gitSha1 ? 'git-sha1' : 'size',
    commit: meta.commit,
    etag: meta.etag,
    resumedFrom,
    alreadyPresent,
  };
}

/** Parses `Content-Range: bytes a-b/total` → a (or null). */
function rangeStart(res: IncomingMessage): number | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
  return m ? Number(m[1]) : null;
}

/** git's object hash of a blob of `size` bytes: sha1("blob <size>\0" + content); feed it the content. */
function gitBlobHash(size: number): Hash {
  return createHash('sha1').update(`blob ${size}\0`);
}

export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const { url, dest, signal } = opts;
  const label = opts.label ?? path.basename(dest);
  const retry = { ...opts, signal };
  const meta = opts.meta ?? (await withRetry(label, () => headFile(url, label, { signal, headers: opts.headers, idleTimeoutMs: opts.idleTimeoutMs }), retry));
  const total = meta.size;
  await fsp.mkdir(path.dirname(dest), { recursive: true });

  const meter = new SpeedMeter();
  const emit = throttle<DownloadProgress>((p) => opts.onProgress?.(p));
  const report = (stage: DownloadProgress['stage'], done: number, force = false): void => {
    if (!opts.onProgress) return;
    const bps = stage === 'downloading' ? meter.sample(done) : meter.bytesPerSecond;
    emit({ file: label, stage, bytesDone: done, bytesTotal: total, bytesPerSecond: bps, etaSeconds: etaSeconds(done, total, bps) }, force);
  };

  // A final file from an earlier run: trust it only if it still verifies.
  if ((await fileSize(dest)) === total) {
    const h = createHash('sha256');
    const g = gitBlobHash(total);
    await hashInto([h, g], dest, { signal, abortError: () => abortedError(label), onBytes: (n) => report('checking', n) });
    const sha = h.digest('hex');
    const blob = g.digest('hex');
    if ((!meta.sha256 || sha === meta.sha256) && (!meta.gitSha1 || blob === meta.gitSha1)) {
      report('verifying', total, true);
      return verifiedResult(meta, dest, total, sha, 0, true);
    }
  }
  await fsp.rm(dest, { force: true });

  // Resume: rehash what an earlier run (maybe killed) left in the partial file.
  const partial = `${dest}.incomplete`;
  let hash: Hash = createHash('sha256');
  let blobHash: Hash = gitBlobHash(total);
  let offset = 0;
  const existing = await fileSize(partial);
  if (existing !== null && existing > 0 && existing <= total) {
    report('checking', 0, true);
    offset = await hashInto([hash, blobHash], partial, { length: existing, signal, abortError: () => abortedError(label), onBytes: (n) => report('checking', n) });
  }
  const resumedFrom = offset;
  if (!opts.skipSpaceCheck) await ensureFreeSpace(path.dirname(dest), total - offset, label, opts.statfs);

  const fh = await fsp.open(partial, existing === null ? 'w+' : 'r+');
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  try {
    await fh.truncate(offset); // drops anything past what we hashed (or a partial larger than the file)
    const restart = async (): Promise<void> => {
      await fh.truncate(0);
      hash = createHash('sha256');
      blobHash = gitBlobHash(total);
      offset = 0;
    };
    const maxAttempts = opts.maxAttempts ?? 6;
    let failures = 0;
    meter.reset(offset);
    report('downloading', offset, true);
    while (offset < total) {
      const startOffset = offset;
      try {
        const headers: Record<string, string> = { ...(opts.headers ?? {}) };
        if (offset > 0) headers.Range = `bytes=${offset}-`;
        const { res } = await request(url, { method: 'GET', headers, signal, label, idleTimeoutMs: opts.idleTimeoutMs });
        const status = res.statusCode ?? 0;
        if (status === 200 && offset > 0) {
          await restart(); // the server ignored Range: the body is the whole file
        } else if (status === 206) {
          if (rangeStart(res) !== offset) {
            res.resume();
            await restart();
            throw new RetryableError(`${label}: the server sent a different range (${res.headers['content-range']}) than asked for (bytes=${startOffset}-)`);
          }
        } else if (status === 416) {
          res.resume();
          await restart();
          throw new RetryableError(`${label}: the server refused to resume at byte ${startOffset}; starting over`);
        } else if (status !== 200) {
          res.resume();
          throw statusError(label, url, status);
        }
        const bodyStart = offset;
        const announced = Number(res.headers['content-length'] ?? NaN);
        // Sequential reads + awaited writes = backpressure; hash only what reached the file.
        for await (const chunk of res as AsyncIterable<Buffer>) {
          if (offset + chunk.length > total) {
            throw new InklingError('verify_failed', `${label}: the server sent more than the ${total} bytes it announced; the download was discarded`);
          }
          await fh.write(chunk, 0, chunk.length, offset);
          hash.update(chunk);
          blobHash.update(chunk);
          offset += chunk.length;
          report('downloading', offset);
        }
        if (Number.isFinite(announced) && offset - bodyStart < announced) {
          throw new RetryableError(`${label}: the connection closed after ${offset - bodyStart} of ${announced} bytes`);
        }
        if (offset < total) throw new RetryableError(`${label}: the response ended at byte ${offset} of ${total}`);
      } catch (err) {
        if (signal?.aborted) throw abortedError(label);
        if (err instanceof InklingError) throw err;
        const retryable = err instanceof RetryableError ? err : new RetryableError(`${label}: ${(err as Error).message}`, { cause: err });
        failures = offset > startOffset ? 1 : failures + 1;
        if (failures >= maxAttempts) {
          throw new InklingError('network', `${retryable.message} (gave up after ${maxAttempts} attempts; the partial download is kept and will resume)`, { cause: err });
        }
        await delay(backoffMs(failures, opts.retryBaseMs ?? 500, opts.retryMaxMs ?? 15_000), signal, label);
        meter.reset(offset);
      }
    }

    report('verifying', offset, true);
    const sha = hash.digest('hex');
    if (meta.sha256 && sha !== meta.sha256) {
      await close();
      await fsp.rm(partial, { force: true });
      throw new InklingError('verify_failed', `${label}: sha256 mismatch: expected ${meta.sha256}, got ${sha}; the download was discarded`);
    }
    const blob = blobHash.digest('hex');
    if (meta.gitSha1 && blob !== meta.gitSha1) {
      await close();
      await fsp.rm(partial, { force: true });
      throw new InklingError('verify_failed', `${label}: the content does not match the server's checksum (git blob SHA-1 ${meta.gitSha1}, got ${blob}); the download was discarded`);
    }
    await close();
    // A rename that fails keeps the verified bytes: the next attempt resumes from them, not from zero.
    await commitTempFile(partial, dest, { keepOnFailure: true });
    return verifiedResult(meta, dest, total, sha, resumedFrom, false);
  } catch (err) {
    if (err instanceof InklingError && err.code === 'verify_failed') {
      await close();
      await fsp.rm(partial, { force: true });
    }
    throw err;
  } finally {
    await close();
  }
}

export interface HubFileOptions extends Omit<DownloadOptions, 'url' | 'dest' | 'label'> {
  repo: string;
  file: string;
  revision?: string;
  /** Defaults to `HF_ENDPOINT`, then https://huggingface.co. */
  endpoint?: string;
  /** Folder the file is saved into (as `<dir>/<file>`). */
  dir: string;
}

/** `downloadFile` for `${endpoint}/${repo}/resolve/${revision}/${file}`. */
export function downloadHubFile(opts: HubFileOptions): Promise<DownloadResult> {
  const url = resolveUrl(opts.endpoint ?? '', opts.repo, opts.revision ?? 'main', opts.file);
  return downloadFile({ ...opts, url, dest: path.join(opts.dir, opts.file), label: opts.file });
}
