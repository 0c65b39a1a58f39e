/**
 * One Inkling per data folder. Two processes on one folder overwrote each other's settings, and one
 * restored and deleted the other's live backup; so whatever writes there — the desktop app (after
 * Electron's single-instance lock), the web host, `inkling pull` — first takes `<dataDir>/inkling.lock`.
 *
 * The lock is a file created with O_EXCL holding the owner's pid, host name, kind and start time.
 * A lock whose process is gone (crash, SIGKILL, power cut) is stale and taken over at once, so a
 * host restarted after a crash starts without waiting. An mtime-based lock (proper-lockfile) would
 * make that restart wait out its staleness period and refresh the file every few seconds for nothing.
 *
 * The second process is refused with a message naming the first (see `DataDirBusyError`), rather than
 * run read-only: a read-only Inkling could not keep hot-exit backups, and "never lose a word" matters
 * more than a second window. The writer uses the one that runs, or gives `--data-dir` another folder.
 */
import { readFileSync, rmSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { atomicWriteFile, processAlive } from '../../common/fs';

export const DATA_DIR_LOCK_FILE = 'inkling.lock';

export interface DataDirHolder {
  pid: number;
  host: string;
  /** "desktop app", "web host", "inkling pull". */
  kind: string;
  since: string;
  /** The web host's address (without its key). */
  url?: string;
}

/** Code `busy`; carries the folder and who holds it (the desktop app focuses that holder's window). */
export class DataDirBusyError extends InklingError {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder | null,
  ) {
    super('busy', busyMessage(dataDir, holder));
    this.name = 'DataDirBusyError';
  }
}

export interface DataDirLock {
  readonly file: string;
  readonly holder: DataDirHolder;
  /** Records details learnt after taking the lock (the web host's address). */
  update(extra: Partial<Pick<DataDirHolder, 'url'>>): Promise<void>;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): Promise<void>;
}

/** A torn lock file (a crash between create and write) is stale after this long. */
const TORN_LOCK_STALE_MS = 10_000;

export function dataDirLockPath(dataDir: string): string {
  return path.join(dataDir, DATA_DIR_LOCK_FILE);
}

function busyMessage(dataDir: string, h: DataDirHolder | null): string {
  if (!h)
    return `Another Inkling is starting on the data folder ${dataDir} (lock file ${dataDirLockPath(dataDir)}). Try again in a few seconds.`;
  const who = `the ${h.kind}${h.url ? ` at ${h.url}` : ''} (process ${h.pid}${h.host !== os.hostname() ? ` on ${h.host}` : ''}, since ${h.since})`;
  const advice =
    h.kind === 'web host'
      ? 'Use that one (its Models page downloads models too), stop it (Ctrl+C where it runs)'
      : h.kind === 'desktop app'
        ? 'Use the desktop app (its Models page downloads models too), quit it'
        : 'Wait for it to finish, stop it';
  return `Another Inkling is using the data folder ${dataDir}: ${who}. Two at once would overwrite each other's settings and backups. ${advice}, or give this one another folder with --data-dir.`;
}

function parse(text: string): DataDirHolder | null {
  try {
    const v = JSON.parse(text) as Partial<DataDirHolder>;
    if (
      typeof v.pid === 'number' &&
      typeof v.host === 'string' &&
      typeof v.kind === 'string' &&
      typeof v.since === 'string'
    )
      return v as DataDirHolder;
  } catch {
    // torn or foreign
  }
  return null;
}

export async function readDataDirLock(dataDir: string): Promise<DataDirHolder | null> {
  try {
    return parse(await fsp.readFile(dataDirLockPath(dataDir), 'utf8'));
  } catch {
    return null;
  }
}

const sameHolder = (a: DataDirHolder | null, b: DataDirHolder | null): boolean =>
  a !== null && b !== null && a.pid === b.pid && a.host === b.host && a.since === b.since;

/**
 * Takes the data folder's lock or throws `DataDirBusyError` naming who holds it. The lock is also
 * removed when the process exits normally; after a crash the next taker finds it stale.
 */
export async function lockDataDir(dataDir: string, who: { kind: string; url?: string }): Promise<DataDirLock> {
  const file = dataDirLockPath(dataDir);
  await fsp.mkdir(dataDir, { recursive: true });
  let holder: DataDirHolder = {
    pid: process.pid,
    host: os.hostname(),
    kind: who.kind,
    since: new Date().toISOString(),
    ...(who.url ? { url: who.url } : {}),
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const fh = await fsp.open(file, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(holder));
        await fh.sync();
      } finally {
        await fh.close();
      }
      return ownLock(
        file,
        () => holder,
        (h) => (holder = h),
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = await readDataDirLock(dataDir);
    const stale = current
      ? current.host === os.hostname() && !processAlive(current.pid)
      : (await ageMs(file)) > TORN_LOCK_STALE_MS;
    if (!stale) throw new DataDirBusyError(dataDir, current);
    await takeOverStale(file, current);
  }
  throw new DataDirBusyError(dataDir, await readDataDirLock(dataDir));
}

/** A take-over guard left by a taker that crashed mid-take-over is ignored after this long. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes a stale lock so the caller can retry the O_EXCL create. Only one taker at a time may do
 * this: it first creates `<lock>.takeover` with O_EXCL, re-reads the lock and removes it only if it is
 * still the stale one it judged. Without the guard, a taker that judged the lock stale could remove
 * (or move aside) the live lock another taker had just created, and both would believe they held it.
 * Takers that find the guard taken wait for it to go and then look again.
 */
async function takeOverStale(file: string, judged: DataDirHolder | null): Promise<void> {
  const guard = `${file}.takeover`;
  let fh: Awaited<ReturnType<typeof fsp.open>>;
  try {
    fh = await fsp.open(guard, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if ((await ageMs(guard)) > TAKEOVER_STALE_MS) await fsp.rm(guard, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
    return; // look at the lock again
  }
  try {
    await fh.close();
    let text: string;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch {
      return; // gone already: retry the create
    }
    const now = parse(text);
    const unchanged = judged === null ? now === null : sameHolder(now, judged);
    if (unchanged) await fsp.rm(file, { force: true });
  } finally {
    await fsp.rm(guard, { force: true });
  }
}

function ownLock(file: string, get: () => DataDirHolder, set: (h: DataDirHolder) => void): DataDirLock {
  let released = false;
  const stillOurs = (): boolean => {
    try {
      return sameHolder(parse(readFileSync(file, 'utf8')), get());
    } catch {
      return false;
    }
  };
  // A normal exit (including process.exit after a signal) removes the lock synchronously.
  const onExit = () => {
    if (!released && stillOurs()) rmSync(file, { force: true });
  };
  process.on('exit', onExit);
  return {
    file,
    get holder() {
      return get();
    },
    async update(extra) {
      if (released || !stillOurs()) return;
      const next = { ...get(), ...extra };
      // Replaced atomically: a reader sees the old holder or the new one, never a torn file.
      await atomicWriteFile(file, JSON.stringify(next), { mode: 0o600 });
      set(next);
    },
    async release() {
      if (released) return;
      released = true;
      process.off('exit', onExit);
      if (stillOurs()) await fsp.rm(file, { force: true });
    },
  };
}

async function ageMs(file: string): Promise<number> {
  try {
    return Date.now() - (await fsp.stat(file)).mtimeMs;
  } catch {
    return Infinity;
  }
}
