/**
 * Hot-exit backups: one file per open document under `<dataDir>/backups/<docId>.json`, rewritten
 * (atomically) about a second after typing stops and offered for restore after a crash.
 *
 * File format: one line of JSON `{docId, path, text, savedText?, updatedAt}`, then the end marker
 * line. A file without the end marker (or with bad JSON) is a torn write and is ignored.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InklingError } from '../../api/errors';
import type { BackupInfo } from '../../api/types';
import { atomicWriteFile, errno, removeStaleTempFiles } from '../../common/fs';
import { SerialQueue } from '../../common/fs';

export const BACKUP_END_MARKER = '--inkling-backup-end--';
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export interface BackupRecord {
  docId: string;
  path: string | null;
  text: string;
  savedText?: string;
  updatedAt: number;
}

export function serializeBackup(record: BackupRecord): string {
  // JSON.stringify escapes newlines inside strings, so the record is exactly one line.
  return `${JSON.stringify(record)}\n${BACKUP_END_MARKER}\n`;
}

/** Parses a backup file's contents; null when torn or malformed. */
export function parseBackup(raw: string): BackupRecord | null {
  const end = `\n${BACKUP_END_MARKER}\n`;
  if (!raw.endsWith(end)) return null;
  const body = raw.slice(0, raw.length - end.length);
  if (body.includes('\n')) return null;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const r = v as Record<string, unknown>;
  if (typeof r.docId !== 'string' || !ID_RE.test(r.docId)) return null;
  if (r.path !== null && typeof r.path !== 'string') return null;
  if (typeof r.text !== 'string' || typeof r.updatedAt !== 'number') return null;
  if (r.savedText !== undefined && typeof r.savedText !== 'string') return null;
  const out: BackupRecord = { docId: r.docId, path: r.path as string | null, text: r.text, updatedAt: r.updatedAt };
  if (typeof r.savedText === 'string') out.savedText = r.savedText;
  return out;
}

export function previewOf(text: string): string {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  return trimmed.length > 120 ? trimmed.slice(0, 119) + '…' : trimmed;
}

export class BackupStore {
  readonly dir: string;
  private readonly queues = new Map<string, SerialQueue>();
  private readonly now: () => number;

  constructor(dataDir: string, options: { now?: () => number } = {}) {
    this.dir = path.join(dataDir, 'backups');
    this.now = options.now ?? Date.now;
  }

  /** Creates the folder and clears temp files a crashed write left behind. */
  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await removeStaleTempFiles(this.dir);
  }

  private file(docId: string): string {
    if (!ID_RE.test(docId)) throw new InklingError('bad_request', `Invalid backup id ${JSON.stringify(docId)}.`);
    return path.join(this.dir, `${docId}.json`);
  }

  /** Writes for one document run in order, so an older text can never land after a newer one. */
  private queue(docId: string): SerialQueue {
    let q = this.queues.get(docId);
    if (!q) this.queues.set(docId, (q = new SerialQueue()));
    return q;
  }

  async write(record: Omit<BackupRecord, 'updatedAt'>): Promise<void> {
    const file = this.file(record.docId);
    const full: BackupRecord = { ...record, updatedAt: this.now() };
    await this.queue(record.docId).run(async () => {
      try {
        // Inside the try: a backup folder that cannot be made is an I/O error like any other.
        await fsp.mkdir(this.dir, { recursive: true });
        await atomicWriteFile(file, serializeBackup(full));
      } catch (e) {
        throw new InklingError(
          'io_error',
          `Could not write the backup of ${record.path ? path.basename(record.path) : 'an untitled document'} to ${this.dir}: ${(e as Error).message}`,
        );
      }
    });
  }

  async read(docId: string): Promise<BackupRecord> {
    const file = this.file(docId);
    let raw: string;
    try {
      raw = await fsp.readFile(file, 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT')
        throw new InklingError(
          'not_found',
          `There is no backup with id ${docId}; it may have been restored or discarded already.`,
        );
      throw new InklingError('io_error', `Could not read the backup ${file}: ${(e as Error).message}`);
    }
    const record = parseBackup(raw);
    if (!record || record.docId !== docId) {
      throw new InklingError(
        'not_found',
        `The backup ${docId} is incomplete (the write was interrupted) and cannot be restored.`,
      );
    }
    return record;
  }

  async list(): Promise<BackupInfo[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (e) {
      if (errno(e) === 'ENOENT') return [];
      throw new InklingError('io_error', `Could not list backups in ${this.dir}: ${(e as Error).message}`);
    }
    const out: BackupInfo[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -5);
      if (!ID_RE.test(id)) continue;
      let record: BackupRecord | null = null;
      try {
        record = parseBackup(await fsp.readFile(path.join(this.dir, name), 'utf8'));
      } catch {
        record = null;
      }
      if (!record || record.docId !== id) continue; // torn or foreign: ignored
      out.push({
        id,
        docId: record.docId,
        path: record.path,
        name: record.path ? path.basename(record.path) : 'Untitled',
        updatedAt: record.updatedAt,
        chars: record.text.length,
        preview: previewOf(record.text),
        dirty: record.savedText === undefined || record.savedText !== record.text,
      });
    }
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** Deletes the backup only if it still holds exactly `text` (a newer backup written meanwhile stays). */
  async discardIfText(docId: string, text: string): Promise<void> {
    const file = this.file(docId);
    await this.queue(docId).run(async () => {
      const raw = await fsp.readFile(file, 'utf8').catch(() => null);
      if (raw === null) return;
      const record = parseBackup(raw);
      if (!record || record.text === text) await fsp.rm(file, { force: true });
    });
  }

  async discard(docId: string): Promise<void> {
    const file = this.file(docId);
    await this.queue(docId).run(async () => {
      try {
        await fsp.rm(file, { force: true });
      } catch (e) {
        throw new InklingError('io_error', `Could not delete the backup ${file}: ${(e as Error).message}`);
      }
    });
  }
}
