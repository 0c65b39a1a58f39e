/**
 * Atomic file replacement, the one place in Inkling that renames a temp file into place: write
 * `<name>.<random>.tmp` next to the target, fsync it, rename it over the target (retried on Windows,
 * where a scanner may hold the target open), then fsync the folder so the rename survives a power
 * cut. A reader (or a crash) sees either the old file or the new one, never a mix.
 *
 * - `atomicWriteFile` / `atomicWriteFileSync`: whole contents in memory (settings, manifests, JSON).
 * - `tempPathFor` + `commitTempFile`: large files written in a stream (ONNX data, safetensors, a
 *   verified download) go to a temp name first and are committed here.
 *
 * The original file's permission bits are kept; a symlinked target is written through the link (the
 * link stays, its target is replaced), unless `resolved` says the caller already chose the exact path.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  promises as fsp,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  chmodSync,
  writeFileSync,
} from 'node:fs';
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

/** A fresh temp name next to `target` (`<name>.<12 hex>.tmp`), the form the clean-up below removes. */
export function tempPathFor(target: string): string {
  const finalPath = path.resolve(target);
  return path.join(path.dirname(finalPath), `${path.basename(finalPath)}.${randomBytes(6).toString('hex')}.tmp`);
}

export async function atomicWriteFile(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const finalPath = options.resolved ? path.resolve(target) : await resolveLink(target);
  const dir = path.dirname(finalPath);
  const tmp = tempPathFor(finalPath);

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

/**
 * Moves a finished temp file (written by the caller, e.g. in a stream) over `target`: fsync the
 * data, rename, fsync the folder. On failure the target is untouched and the temp file is removed,
 * unless `keepOnFailure` (a verified download kept for the next attempt rather than fetched again).
 */
export async function commitTempFile(
  tmp: string,
  target: string,
  options: { keepOnFailure?: boolean } = {},
): Promise<void> {
  try {
    const handle = await fsp.open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await renameWithRetry(tmp, target);
  } catch (e) {
    if (!options.keepOnFailure) await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(path.dirname(path.resolve(target)));
}

/** `atomicWriteFile` for synchronous callers (the converter's small files, the benchmark's report). */
export function atomicWriteFileSync(
  target: string,
  data: string | Uint8Array,
  options: Pick<AtomicWriteOptions, 'mode'> = {},
): void {
  let finalPath: string;
  try {
    finalPath = realpathSync(target);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
    finalPath = path.resolve(target);
  }
  let existingMode: number | undefined;
  try {
    existingMode = statSync(finalPath).mode & 0o7777;
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
  const tmp = tempPathFor(finalPath);
  let renamed = false;
  try {
    const fd = openSync(tmp, 'wx', options.mode ?? 0o666);
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (existingMode !== undefined) chmodSync(tmp, existingMode);
    for (let attempt = 0; ; attempt++) {
      try {
        renameSync(tmp, finalPath);
        break;
      } catch (e) {
        if (process.platform !== 'win32' || attempt >= 5 || !RETRYABLE_RENAME.has(errno(e))) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 * (attempt + 1));
      }
    }
    renamed = true;
    syncDirSync(path.dirname(finalPath));
  } finally {
    if (!renamed) rmSync(tmp, { force: true });
  }
}

function syncDirSync(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the data itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Moves a file that could not be read (an unknown version, torn JSON) out of the way, to
 * `<name><suffix>`, so the app starts afresh while the writer can still recover it by hand.
 * Best effort: returns false when the file could not be moved.
 */
export async function moveAside(file: string, suffix = '.bad'): Promise<boolean> {
  try {
    await fsp.rename(file, `${file}${suffix}`);
    return true;
  } catch {
    return false;
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
  return e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : '';
}

/** The temp-file names atomicWriteFile creates for `base`: `<base>.<12 hex>.tmp`. */
function isTempOf(name: string, base: string): boolean {
  return (
    name.length === base.length + 17 && name.startsWith(base) && /^\.[0-9a-f]{12}\.tmp$/.test(name.slice(base.length))
  );
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
