/**
 * Each document's generation history (what the model wrote into it, and the other tries at each
 * place), kept in the app's data folder like its memory (./memory.ts), never in the document file:
 * the file stays plain Markdown, and a shared file carries no one's drafts.
 *
 * One JSON file per document in `<dataDir>/generations/`: named after a hash of the document's
 * path once it has one, and after its document id while it is untitled. Saving an untitled
 * document moves its history to the path's file; closing an untitled document deletes it. A file
 * that cannot be read or is not valid is set aside (renamed `.bad`) and the history starts empty,
 * with a warning for the log: a history is a convenience, never a reason to refuse a document.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { generationHistory, type GenerationHistory, type StoredGeneration } from '../../api/generations';
import { docId as docIdCheck } from '../../api/check';
import { errno, moveAside, readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';

interface GenerationFile {
  version: 1;
  /** The document's path (null while untitled), so a person looking in the folder can tell. */
  path: string | null;
  generations: StoredGeneration[];
}

export class GenerationStore {
  private readonly dir: string;
  private readonly queue = new SerialQueue();
  /** Why a file was set aside, for the log. */
  readonly warnings: string[] = [];

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'generations');
  }

  /** The file of a document: by path once saved, else by id. */
  fileOf(docId: string, docPath: string | null): string {
    if (docPath === null) return path.join(this.dir, `doc-${docId}.json`);
    const hash = createHash('sha256').update(key(docPath)).digest('hex').slice(0, 32);
    return path.join(this.dir, `path-${hash}.json`);
  }

  async get(docId: string, docPath: string | null): Promise<GenerationHistory> {
    return this.queue.run(async () => ({ docId, generations: await this.read(this.fileOf(docId, docPath), docPath) }));
  }

  /** Replaces the document's history (already validated by the API) and resolves once it is on disk. */
  async set(docId: string, docPath: string | null, generations: StoredGeneration[]): Promise<void> {
    const file = this.fileOf(docId, docPath);
    await this.queue.run(async () => {
      if (generations.length === 0) await remove(file);
      else await writeJsonFile(file, { version: 1, path: docPath, generations } satisfies GenerationFile);
    });
  }

  /** The document was saved under a (new) path: its history follows it. */
  async moved(docId: string, from: string | null, to: string): Promise<void> {
    const source = this.fileOf(docId, from);
    const target = this.fileOf(docId, to);
    if (source === target) return;
    await this.queue.run(async () => {
      const generations = await this.read(source, from);
      if (generations.length === 0) return;
      await writeJsonFile(target, { version: 1, path: to, generations } satisfies GenerationFile);
      // A saved document's history stays with its old path too (the old file is still there on disk).
      if (from === null) await remove(source);
    });
  }

  /** A document closed cleanly: an untitled one's history goes with it. */
  async closed(docId: string, docPath: string | null): Promise<void> {
    if (docPath !== null) return;
    await this.queue.run(() => remove(this.fileOf(docId, null)));
  }

  private async read(file: string, docPath: string | null): Promise<StoredGeneration[]> {
    const r = await readJsonFile(file);
    if (r.kind === 'missing') return [];
    let problem: string;
    if (r.kind === 'invalid') {
      problem = r.reason;
    } else {
      const v = r.value as Partial<GenerationFile> | null;
      try {
        if (!v || typeof v !== 'object' || v.version !== 1)
          throw new Error('it is not a generation history this version of Inkling knows');
        return generationHistory(file, { docId: 'stored', generations: v.generations }, docIdCheck).generations;
      } catch (e) {
        problem = `${file}: ${(e as Error).message}`;
      }
    }
    this.warnings.push(
      `the generation history of ${docPath ?? 'an untitled document'} was set aside (${problem}); it starts empty`,
    );
    await moveAside(file);
    return [];
  }
}

function key(p: string): string {
  const full = path.resolve(p);
  return process.platform === 'win32' || process.platform === 'darwin' ? full.toLowerCase() : full;
}

async function remove(file: string): Promise<void> {
  try {
    await fsp.unlink(file);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
  }
}
