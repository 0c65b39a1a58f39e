/**
 * The document service: which documents are open (by docId), where they live on disk and in which
 * format, plus open / save / backup / restore. Plain Node; the backend maps API calls onto it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InklingError } from '../../api/errors';
import type { BackupInfo, BackupRequest, OpenedDocument, RestoredDocument, SavedDocument } from '../../api/types';
import { errno } from '../../common/fs';
import { BackupStore } from './backups';
import { RecentFiles } from './recent';
import {
  checkExtension,
  formatOf,
  ioError,
  normalizeDocumentPath,
  readTextFile,
  resolveSaveTarget,
  writeTextFile,
  type TextFile,
  type WriteFormat,
} from './textFile';

interface OpenDoc {
  path: string | null;
  format: WriteFormat;
  /** The client (window / connection) that has the document open. */
  owner: string;
  /** Hash of the text last written, with the file's mtime then: an unchanged autosave skips the disk. */
  saved?: { hash: string; path: string; mtimeMs: number };
}

const DEFAULT_FORMAT: WriteFormat = { lineEnding: '\n', bom: false };

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The document's own file (case-insensitive where the file system usually is). */
function samePath(a: string, b: string | null): boolean {
  if (b === null) return false;
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * Anything at `p` counts, a dangling link included: replacing it is the writer's call. A path that
 * cannot be looked at (a "folder" that is a file, no permission) is left to the write, which says why.
 */
async function exists(p: string): Promise<boolean> {
  return fsp.lstat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Copies the file at `p` to a new file beside it, "notes (other version 2026-12-03 23.41).md", and
 * returns its path. The copy is exclusive (never replaces anything) and byte for byte, whatever the
 * file now holds; a failure refuses the save that asked for it, so nothing is lost either way.
 */
async function keepOtherVersion(p: string, now = new Date()): Promise<string> {
  const ext = path.extname(p);
  const stem = path.basename(p, ext);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} ${pad(now.getHours())}.${pad(now.getMinutes())}`;
  for (let i = 1; i < 100; i++) {
    const copy = path.join(path.dirname(p), `${stem} (other version ${stamp}${i > 1 ? ` ${i}` : ''})${ext}`);
    try {
      await fsp.copyFile(p, copy, fsConstants.COPYFILE_EXCL);
      return copy;
    } catch (e) {
      if (errno(e) === 'EEXIST') continue;
      throw new InklingError(
        ioError('save', p, e).code,
        `Could not keep the other version of ${path.basename(p)} before saving yours (${errorText(e)}). Nothing was written; save yours under another name instead.`,
      );
    }
  }
  throw new InklingError('io_error', `Could not find a free name for the other version of ${path.basename(p)}.`);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function newDocId(): string {
  return randomBytes(12).toString('base64url');
}

export class DocumentService {
  readonly backups: BackupStore;
  readonly recent: RecentFiles;
  private readonly docs = new Map<string, OpenDoc>();

  constructor(dataDir: string) {
    this.backups = new BackupStore(dataDir);
    this.recent = new RecentFiles(dataDir);
  }

  async init(): Promise<void> {
    await this.backups.init();
  }

  newDocument(owner: string): { docId: string } {
    const docId = newDocId();
    this.docs.set(docId, { path: null, format: { ...DEFAULT_FORMAT }, owner });
    return { docId };
  }

  pathOf(docId: string): string | null {
    return this.docs.get(docId)?.path ?? null;
  }

  isOpen(docId: string): boolean {
    return this.docs.has(docId);
  }

  /** The clients (windows) that have the file at `filePath` open: a file opened again goes there. */
  ownersOf(filePath: string): string[] {
    let full: string;
    try {
      full = normalizeDocumentPath(filePath);
    } catch {
      return [];
    }
    const owners: string[] = [];
    for (const doc of this.docs.values())
      if (samePath(full, doc.path) && !owners.includes(doc.owner)) owners.push(doc.owner);
    return owners;
  }

  async open(filePath: string, owner: string): Promise<OpenedDocument> {
    const file = await readTextFile(filePath);
    const docId = newDocId();
    const opened = this.adopt(docId, file, owner);
    await this.recent.add(file.path).catch(() => undefined); // a recent-list failure must not block opening
    return opened;
  }

  /** `docId` is now `file` as read (its format, and what is saved for the changed-on-disk check). */
  private adopt(docId: string, file: TextFile, owner: string): OpenedDocument {
    this.docs.set(docId, {
      path: file.path,
      format: formatOf(file),
      owner,
      saved: { hash: hashText(file.text), path: file.path, mtimeMs: file.mtimeMs },
    });
    return {
      docId,
      path: file.path,
      name: path.basename(file.path),
      text: file.text,
      lineEnding: file.lineEnding,
      mtimeMs: file.mtimeMs,
    };
  }

  /**
   * Saves `text` for `docId` at `targetPath` (or the document's own path). Throws 'path_required'
   * when neither exists, 'file_exists' when `targetPath` is another existing file and the writer
   * did not confirm replacing it (`overwrite`), and 'file_changed' when another program changed the
   * document's own file and the writer did not choose to keep theirs (`replaceChanged`; see
   * guardChangedOnDisk). Unknown docIds (e.g. from a reloaded page) are adopted.
   */
  async save(
    docId: string,
    text: string,
    owner: string,
    targetPath?: string,
    opts: { overwrite?: boolean; baseMtimeMs?: number; replaceChanged?: boolean } = {},
  ): Promise<SavedDocument> {
    let doc = this.docs.get(docId);
    if (!doc) {
      doc = { path: null, format: { ...DEFAULT_FORMAT }, owner };
      this.docs.set(docId, doc);
    }
    const dest = targetPath !== undefined ? normalizeDocumentPath(targetPath) : doc.path;
    if (!dest) {
      throw new InklingError(
        'path_required',
        'This document has not been saved yet: choose where to save it (a full path ending in .md or .txt).',
      );
    }
    if (targetPath !== undefined && !opts.overwrite && !samePath(dest, doc.path)) {
      // What can never be saved over (another type, a FIFO, a link to a non-text file) is refused
      // before the writer is asked. Any name that is there (a link too, even a dangling one) is asked about.
      checkExtension(dest);
      await resolveSaveTarget(dest);
      if (await exists(dest)) {
        throw new InklingError(
          'file_exists',
          `“${path.basename(dest)}” already exists in ${path.dirname(dest)}. Replace it, or choose another name.`,
        );
      }
    }
    const hash = hashText(text);
    if (doc.saved && doc.saved.path === dest && doc.saved.hash === hash) {
      // Autosave of unchanged text: skip the write if the file is still the one we wrote.
      const stat = await fsp.stat(dest).catch(() => null);
      if (stat && stat.mtimeMs === doc.saved.mtimeMs) {
        doc.path = dest;
        return { docId, path: dest, name: path.basename(dest), mtimeMs: stat.mtimeMs, size: stat.size };
      }
    }
    const keptCopy =
      samePath(dest, doc.path) || (doc.path === null && opts.baseMtimeMs !== undefined)
        ? await this.guardChangedOnDisk(doc, dest, hash, opts)
        : undefined;
    // A document saved under a new name keeps its line-ending style; an existing target's style wins
    // only when the document had no file yet.
    if (!doc.path && dest) {
      const existing = await readTextFile(dest).catch(() => null);
      if (existing) doc.format = formatOf(existing);
    }
    const written = await writeTextFile(dest, text, doc.format);
    const firstSaveHere = doc.path !== written.path;
    doc.path = written.path;
    doc.saved = { hash, path: written.path, mtimeMs: written.mtimeMs };
    if (firstSaveHere) await this.recent.add(written.path).catch(() => undefined);
    // The backup only matters while it holds unsaved text.
    await this.backups.discardIfText(docId, text).catch(() => undefined);
    return {
      docId,
      path: written.path,
      name: path.basename(written.path),
      mtimeMs: written.mtimeMs,
      size: written.size,
      ...(keptCopy ? { keptCopy } : {}),
    };
  }

  /**
   * Before the document's own file is replaced: has another program changed it since it was opened
   * or last saved here? The file's modification time says whether to look; its text decides (a
   * program that only touched the file, or wrote what the writer is saving, changed nothing). A
   * change is refused with 'file_changed' unless the writer chose to keep theirs
   * (`replaceChanged`): then the other version is first copied beside the file, and its path returned.
   */
  private async guardChangedOnDisk(
    doc: OpenDoc,
    dest: string,
    hash: string,
    opts: { baseMtimeMs?: number; replaceChanged?: boolean },
  ): Promise<string | undefined> {
    const base = doc.saved && samePath(doc.saved.path, dest) ? doc.saved : undefined;
    const baseMtime = base?.mtimeMs ?? opts.baseMtimeMs;
    if (baseMtime === undefined) return undefined;
    const stat = await fsp.stat(dest).catch(() => null);
    // Gone (deleted or moved away): saving puts the writer's text back, as every editor does.
    if (!stat || stat.mtimeMs === baseMtime) return undefined;
    const disk = await readTextFile(dest).catch(() => null);
    if (disk) {
      const diskHash = hashText(disk.text);
      if (diskHash === hash || (base && diskHash === base.hash)) return undefined;
    }
    const name = path.basename(dest);
    if (!opts.replaceChanged) {
      throw new InklingError(
        'file_changed',
        `“${name}” was changed by another program since you last opened or saved it here. Keep your version (the other is kept as a copy), load theirs, or save yours under another name.`,
      );
    }
    return keepOtherVersion(dest);
  }

  /**
   * Whether another program changed the document's file since it was opened, saved or reloaded
   * here: its time moved and its text is not the recorded one ('changed'), or it is gone (deleted
   * or moved away: 'missing'; a save writes it again). A file only touched gets its new time
   * recorded (the next check is a stat again); one that cannot be looked at counts as 'same' (a
   * save says why it cannot write). A host that forgot the document (restarted) decides from
   * `knownPath` and the time the client last saw, `baseMtimeMs`.
   */
  async changedOnDisk(
    docId: string,
    knownPath?: string,
    baseMtimeMs?: number,
  ): Promise<'same' | 'changed' | 'missing'> {
    const doc = this.docs.get(docId);
    const saved = doc?.saved && doc.path && samePath(doc.saved.path, doc.path) ? doc.saved : undefined;
    const file = saved?.path ?? knownPath;
    const baseMtime = saved?.mtimeMs ?? baseMtimeMs;
    if (!file || baseMtime === undefined) return 'same';
    let stat;
    try {
      stat = await fsp.stat(file);
    } catch (e) {
      return errno(e) === 'ENOENT' ? 'missing' : 'same';
    }
    if (!stat.isFile() || stat.mtimeMs === baseMtime) return 'same';
    if (!saved) return 'changed';
    const disk = await readTextFile(file).catch(() => null);
    if (disk && hashText(disk.text) === saved.hash) {
      saved.mtimeMs = disk.mtimeMs;
      return 'same';
    }
    return 'changed';
  }

  /**
   * Reads the document's file again, after another program changed it: what is saved is now the
   * file as it is. `knownPath` names the file for a host that no longer remembers the document.
   */
  async reload(docId: string, owner: string, knownPath?: string): Promise<OpenedDocument> {
    const target = this.docs.get(docId)?.path ?? knownPath;
    if (!target) {
      throw new InklingError('bad_request', 'This document has no file to load again: it was never saved.');
    }
    const file = await readTextFile(target);
    return this.adopt(docId, file, this.docs.get(docId)?.owner ?? owner);
  }

  /** Forgets the document and deletes its backup (a clean close). */
  async close(docId: string): Promise<void> {
    this.docs.delete(docId);
    await this.backups.discard(docId);
  }

  /** A window / connection went away: its documents are no longer open (their backups stay). */
  release(owner: string): void {
    for (const [id, doc] of this.docs) if (doc.owner === owner) this.docs.delete(id);
  }

  async writeBackup(req: BackupRequest, owner: string): Promise<void> {
    if (!this.docs.has(req.docId)) this.docs.set(req.docId, { path: req.path, format: { ...DEFAULT_FORMAT }, owner });
    if (req.savedText !== undefined && req.savedText === req.text) {
      // Nothing unsaved: a backup would only offer the writer what the file already holds.
      await this.backups.discard(req.docId);
      return;
    }
    await this.backups.write({
      docId: req.docId,
      path: req.path,
      text: req.text,
      ...(req.savedText !== undefined ? { savedText: req.savedText } : {}),
    });
  }

  /** Backups of documents not open right now: what a crash or a killed host left behind. */
  async listBackups(): Promise<BackupInfo[]> {
    return (await this.backups.list()).filter((b) => !this.docs.has(b.docId));
  }

  async restoreBackup(id: string, owner: string): Promise<RestoredDocument> {
    const record = await this.backups.read(id);
    let format: WriteFormat = { ...DEFAULT_FORMAT };
    if (record.path) {
      const existing = await readTextFile(record.path).catch(() => null);
      if (existing) format = formatOf(existing);
    }
    this.docs.set(record.docId, { path: record.path, format, owner });
    return {
      docId: record.docId,
      path: record.path,
      name: record.path ? path.basename(record.path) : 'Untitled',
      text: record.text,
      savedText: record.savedText ?? null,
      lineEnding: format.lineEnding,
    };
  }

  async discardBackup(id: string): Promise<void> {
    await this.backups.discard(id);
  }
}
