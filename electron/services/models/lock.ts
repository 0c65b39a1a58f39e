/**
 * One lock file per model id, so two pulls (app + CLI, or two clicks) never write the same folder.
 * The lock is `<dataDir>/models/.locks/<id>.lock`, created with O_EXCL and holding the owner's pid
 * and host. A lock whose process is gone (crash, SIGKILL) is stale and taken over.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { processAlive } from '../../common/fs';
import { modelsRoot } from './manifest';

export interface LockInfo {
  pid: number;
  host: string;
  purpose: string;
  since: string;
}


export const lockPath = (dataDir: string, id: string): string => path.join(modelsRoot(dataDir), '.locks', `${id}.lock`);

export async function readLock(dataDir: string, id: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await fsp.readFile(lockPath(dataDir, id), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
}

/** Takes the lock or throws BUSY naming who holds it. Returns the release function. */
export async function acquireLock(dataDir: string, id: string, purpose: string): Promise<() => Promise<void>> {
  const file = lockPath(dataDir, id);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: os.hostname(), purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fsp.open(file, 'wx');
      await fh.writeFile(JSON.stringify(info));
      await fh.close();
      return async () => {
        // Only remove our own lock (a stale-lock takeover by another process replaces the file).
        const current = await readLock(dataDir, id);
        if (current && current.pid === info.pid && current.since === info.since) await fsp.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readLock(dataDir, id);
      // An unreadable lock is one being written this instant, or torn by a crash mid-write.
      const stale = holder ? holder.host === os.hostname() && !processAlive(holder.pid) : (await lockAgeMs(file)) > 10_000;
      if (stale) {
        await fsp.rm(file, { force: true });
        continue;
      }
      throw new InklingError(
        'busy',
        holder
          ? `Model "${id}" is busy: process ${holder.pid} on ${holder.host} is ${holder.purpose} it since ${holder.since}`
          : `Model "${id}" is busy (lock file ${file})`,
      );
    }
  }
  throw new InklingError('busy', `Model "${id}" is busy (could not take over the stale lock ${file})`);
}

async function lockAgeMs(file: string): Promise<number> {
  try {
    return Date.now() - (await fsp.stat(file)).mtimeMs;
  } catch {
    return Infinity;
  }
}

export async function withLock<T>(dataDir: string, id: string, purpose: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(dataDir, id, purpose);
  try {
    return await fn();
  } finally {
    await release();
  }
}
