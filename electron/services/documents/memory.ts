/**
 * Each document's memory: text the model reads before the document's window on every request
 * (characters, setting, style — KoboldAI's name for it). It belongs to the writer's copy of the
 * app, not to the file: a memory is kept in the app's data folder (`<dataDir>/memory.json`), keyed
 * by the document's path once it has one, and by its document id while it is untitled. The
 * document file stays plain Markdown that other editors open unchanged, and a shared file never
 * carries someone's notes. Saving an untitled document moves its memory to the new path.
 */
import * as path from 'node:path';
import { InklingError } from '../../api/errors';
import { MAX_MEMORY_CHARS } from '../../api/check';
import { readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';

interface MemoryFile {
  version: 1;
  /** Saved documents: full path → memory. */
  byPath: Record<string, string>;
  /** Untitled documents: docId → memory. */
  byDoc: Record<string, string>;
}

export class MemoryStore {
  private readonly file: string;
  // Null-prototype maps: a document id may be any [A-Za-z0-9_-] string, "__proto__" included.
  private data: MemoryFile = { version: 1, byPath: dict(), byDoc: dict() };
  private readonly queue = new SerialQueue();
  /** Why the file was ignored at load (a warning for the log), if it was. */
  warning: string | null = null;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'memory.json');
  }

  async load(): Promise<void> {
    const r = await readJsonFile(this.file);
    if (r.kind === 'missing') return;
    if (r.kind === 'invalid') {
      this.warning = `${r.reason}; document memories start empty`;
      return;
    }
    const v = r.value as Partial<MemoryFile> | null;
    if (!v || typeof v !== 'object' || v.version !== 1) {
      this.warning = `${this.file} is not a memory file this version of Inkling knows; document memories start empty`;
      return;
    }
    this.data = { version: 1, byPath: strings(v.byPath), byDoc: strings(v.byDoc) };
  }

  get(docId: string, docPath: string | null): string {
    return (docPath !== null ? this.data.byPath[key(docPath)] : undefined) ?? this.data.byDoc[docId] ?? '';
  }

  async set(docId: string, docPath: string | null, memory: string): Promise<string> {
    if (memory.length > MAX_MEMORY_CHARS) {
      throw new InklingError(
        'bad_request',
        `The memory is ${memory.length} characters; keep it under ${MAX_MEMORY_CHARS} (the model reads it before every suggestion).`,
      );
    }
    const trimmed = memory.trim() === '' ? '' : memory;
    if (docPath !== null) {
      setOrDelete(this.data.byPath, key(docPath), trimmed);
      delete this.data.byDoc[docId];
    } else {
      setOrDelete(this.data.byDoc, docId, trimmed);
    }
    await this.persist();
    return trimmed;
  }

  /** An untitled document was saved (or a document saved under a new name): its memory follows. */
  async moved(docId: string, from: string | null, to: string): Promise<void> {
    const memory = this.get(docId, from);
    if (!memory || (from !== null && key(from) === key(to))) return;
    setOrDelete(this.data.byPath, key(to), memory);
    delete this.data.byDoc[docId];
    await this.persist();
  }

  /** A document closed cleanly: an untitled one's memory goes with it (a saved one's stays with its path). */
  async closed(docId: string): Promise<void> {
    if (!Object.hasOwn(this.data.byDoc, docId)) return;
    delete this.data.byDoc[docId];
    await this.persist();
  }

  private persist(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.data)) as MemoryFile;
    return this.queue.run(() => writeJsonFile(this.file, snapshot));
  }
}

function key(p: string): string {
  const full = path.resolve(p);
  return process.platform === 'win32' || process.platform === 'darwin' ? full.toLowerCase() : full;
}

function setOrDelete(map: Record<string, string>, k: string, v: string): void {
  if (v) map[k] = v;
  else delete map[k];
}

function dict(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

function strings(v: unknown): Record<string, string> {
  const out = dict();
  if (!v || typeof v !== 'object') return out;
  for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
    if (typeof s === 'string' && s.length <= MAX_MEMORY_CHARS) out[k] = s;
  }
  return out;
}
