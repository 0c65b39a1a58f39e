/**
 * Real file-system faults for the save tests, whichever user runs them:
 *   - a read-only folder: chmod 0555 for a normal user; as root (where chmod does not stop writes) a
 *     tmpfs mounted read-only, if this process may mount (root with CAP_SYS_ADMIN, e.g. this machine);
 *   - a full disk: a tiny tmpfs filled up (root only).
 * When neither is possible the helpers return null and the tests fall back to injecting the error
 * into the write (and say so in their names).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let mountable: boolean | null = null;

/** True when this process can mount a tmpfs (tried once, on a throwaway folder). */
export function canMountTmpfs(scratch: string): boolean {
  if (mountable !== null) return mountable;
  mountable = false;
  if (process.platform !== 'linux' || !isRoot) return false;
  const probe = fs.mkdtempSync(path.join(scratch, 'mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    mountable = true;
  } catch {
    mountable = false;
  }
  fs.rmSync(probe, { recursive: true, force: true });
  return mountable;
}

export interface FaultyFolder {
  dir: string;
  /** How the fault is made, for test names and messages. */
  how: string;
  cleanup(): void;
}

function mountTmpfs(dir: string, sizeKb: number): () => void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0777`, 'tmpfs', dir], { stdio: 'ignore' });
  return () => {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' }); // busy: detach lazily
    }
  };
}

/** A folder holding `files`, which then cannot be written to; null when this user cannot make one. */
export function readOnlyFolder(parent: string, files: Record<string, string>): FaultyFolder | null {
  const dir = path.join(parent, 'read-only');
  if (!isRoot && process.platform !== 'win32') {
    fs.mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    fs.chmodSync(dir, 0o555);
    return { dir, how: 'chmod 0555', cleanup: () => fs.chmodSync(dir, 0o755) };
  }
  if (!canMountTmpfs(parent)) return null;
  const unmount = mountTmpfs(dir, 1024);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
  return { dir, how: 'tmpfs mounted read-only', cleanup: unmount };
}

/** A folder holding `files` on a tmpfs of `sizeKb`, filled up so that `freeBytes` at most remain. */
export function fullDisk(
  parent: string,
  sizeKb: number,
  files: Record<string, string>,
  freeBytes: number,
): (FaultyFolder & { free(): void }) | null {
  if (!canMountTmpfs(parent)) return null;
  const dir = path.join(parent, 'full-disk');
  const unmount = mountTmpfs(dir, sizeKb);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const filler = path.join(dir, 'filler.bin');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch {
    // ENOSPC: the disk is full now.
  }
  fs.closeSync(fd);
  // Leave a little room so small writes (metadata, the temp file's creation) still succeed.
  const size = fs.statSync(filler).size;
  fs.truncateSync(filler, Math.max(0, size - freeBytes));
  return { dir, how: `a ${sizeKb} KB tmpfs, full`, cleanup: unmount, free: () => fs.rmSync(filler) };
}
