/** File helpers shared by the downloader and the library: streaming hashes, atomic writes, sizes. */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { ModelLibraryError, abortedError, formatBytes } from './errors';

/** Feeds a file (or its first `length` bytes) through `hash` (or each of several), streaming; returns the bytes read. */
export async function hashInto(
  hash: Hash | readonly Hash[],
  file: string,
  opts: { length?: number; signal?: AbortSignal; onBytes?: (n: number) => void } = {},
): Promise<number> {
  const stream = fs.createReadStream(file, {
    end: opts.length === undefined ? undefined : opts.length - 1,
    highWaterMark: 1 << 20,
  });
  let n = 0;
  if (opts.length === 0) {
    stream.destroy();
    return 0;
  }
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (opts.signal?.aborted) {
      stream.destroy();
      throw abortedError(path.basename(file));
    }
    for (const h of Array.isArray(hash) ? hash : [hash]) h.update(chunk);
    n += chunk.length;
    opts.onBytes?.(n);
  }
  return n;
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  const size = await hashInto(h, file, { signal });
  return { sha256: h.digest('hex'), size };
}

/** Writes a file so readers see the old content or the new, never a torn one: tmp + fsync + rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** Total size of the regular files under `dir` (0 if it does not exist). */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) total += (await fsp.stat(p)).size;
  }
  return total;
}

export async function fileSize(file: string): Promise<number | null> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return null;
  }
}

/** Free-space probe; injectable so tests can pretend the disk is full. */
export type StatFs = (dir: string) => Promise<{ bavail: number | bigint; bsize: number | bigint }>;

export const defaultStatFs: StatFs = (dir) => fsp.statfs(dir);

/**
 * Throws a DISK_SPACE error when `dir`'s file system has less than `needed` bytes available to this
 * user (plus a 64 MiB margin so the disk is never filled to the last byte).
 */
export async function ensureFreeSpace(dir: string, needed: number, what: string, statfs: StatFs = defaultStatFs): Promise<void> {
  if (needed <= 0) return;
  const s = await statfs(dir);
  const free = Number(s.bavail) * Number(s.bsize);
  const margin = 64 * 1024 * 1024;
  if (free < needed + margin) {
    throw new ModelLibraryError(
      'DISK_SPACE',
      `Not enough free disk space in ${dir} for ${what}: need ${formatBytes(needed)} (plus ${formatBytes(margin)} spare), ` +
        `only ${formatBytes(free)} available. Free some space or choose another data folder.`,
    );
  }
}
