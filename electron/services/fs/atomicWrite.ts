/**
 * Atomic file replacement: write `<name>.<random>.tmp` next to the target, fsync it, then rename it
 * over the target. A reader (or a crash) sees either the old file or the new one, never a mix.
 * The original file's permission bits are kept; a symlinked target is written through the link (the
 * link stays, its target is replaced), unless `resolved` says the caller already chose the exact path.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

export interface AtomicWriteOptions {
  /** Mode for a new file (an existing file keeps its own). Default 0o666 minus umask. */
  mode?: number;
  /**
   * The caller resolved links itself (and checked the file it found): write exactly `target`, never
   * through a link that appeared there since.
   */
  resolved?: boolean;
  /**
   * Test seam: runs after the temp file is written and synced, just before the rename. A throw here
   * simulates a crash or failure between write and rename.
   */
  beforeRename?: (tmpPath: string) => void | Promise<void>;
}

const RETRYABLE_RENAME = new Set(['EPERM', 'EACCES', 'EBUSY']);

export async function atomicWriteFile(target: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const finalPath = options.resolved ? path.resolve(target) : await resolveLink(target);
  const dir = path.dirname(finalPath);
  const tmp = path.join(dir, `${path.basename(finalPath)}.${randomBytes(6).toString('hex')}.tmp`);

  let existingMode: number | undefined;
  try {
    existingMode = (await (options.resolved ? fsp.lstat(finalPath) : fsp.stat(finalPath))).mode & 0o7777;
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }

  // 'wx': never reuse a file that happens to exist under the random name.
  const handle = await fsp.open(tmp, 'wx', options.mode ?? 0o666);
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is filtered by the umask; chmod sets the original file's bits exactly.
    if (existingMode !== undefined) await fsp.chmod(tmp, existingMode);
    if (options.beforeRename) await options.beforeRename(tmp);
    await renameWithRetry(tmp, finalPath);
    renamed = true;
    await syncDir(dir);
  } finally {
    if (!renamed) await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Follows a symlink chain so the rename replaces the real file, not the link. */
async function resolveLink(target: string): Promise<string> {
  try {
    return await fsp.realpath(target);
  } catch (e) {
    if (errno(e) === 'ENOENT') return path.resolve(target);
    throw e;
  }
}

async function renameWithRetry(from: string, to: string): Promise<void> {
  // On Windows a rename over a file that another program (antivirus, indexer) holds open fails
  // briefly with EPERM/EBUSY; a few short retries ride that out.
  for (let attempt = 0; ; attempt++) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (e) {
      if (process.platform !== 'win32' || attempt >= 5 || !RETRYABLE_RENAME.has(errno(e))) throw e;
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
    }
  }
}

/** fsync the directory so the rename itself survives a power cut (no-op where unsupported). */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: Awaited<ReturnType<typeof fsp.open>> | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export function errno(e: unknown): string {
  return e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : '';
}

/** The temp-file names atomicWriteFile creates for `base`: `<base>.<12 hex>.tmp`. */
function isTempOf(name: string, base: string): boolean {
  return name.length === base.length + 17 && name.startsWith(base) && /^\.[0-9a-f]{12}\.tmp$/.test(name.slice(base.length));
}

/**
 * After a successful save of `target`: removes the `<name>.<12 hex>.tmp` files that earlier writes of
 * this same file left next to it when the app was killed between write and rename. Only files older
 * than `minAgeMs` go, so a write of the same file still in progress (another window or process) keeps
 * its temp file. Best effort: returns how many were removed, never throws.
 */
export async function removeLeftoverTempsOf(target: string, minAgeMs = 60_000, now = Date.now()): Promise<number> {
  let removed = 0;
  try {
    const finalPath = await resolveLink(target);
    const dir = path.dirname(finalPath);
    const base = path.basename(finalPath);
    for (const name of await fsp.readdir(dir)) {
      if (!isTempOf(name, base)) continue;
      const file = path.join(dir, name);
      const stat = await fsp.lstat(file).catch(() => null);
      if (!stat?.isFile() || now - stat.mtimeMs < minAgeMs) continue;
      await fsp.rm(file, { force: true });
      removed++;
    }
  } catch {
    // A folder we cannot list or a file we cannot remove: the save itself already succeeded.
  }
  return removed;
}

/** Removes `*.tmp` files a crashed write left in `dir` (only names this module creates). */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (/\.[0-9a-f]{12}\.tmp$/.test(name)) {
      await fsp.rm(path.join(dir, name), { force: true }).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}
