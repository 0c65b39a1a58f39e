/** File helpers of the downloader and the library: sizes and free space (hashes and atomic writes: common/fs). */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { formatBytes } from './errors';

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
    throw new InklingError(
      'disk_space',
      `Not enough free disk space in ${dir} for ${what}: need ${formatBytes(needed)} (plus ${formatBytes(margin)} spare), ` +
        `only ${formatBytes(free)} available. Free some space or choose another data folder.`,
    );
  }
}
