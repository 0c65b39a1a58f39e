import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKUP_END_MARKER,
  BackupStore,
  DocumentService,
  parseBackup,
  serializeBackup,
} from '../../electron/services/documents';

let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-backups-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('backup format', () => {
  it('round-trips text with newlines and unicode, and ends with the marker line', () => {
    const rec = { docId: 'd1', path: null, text: 'line 1\nline 2\r\n“quoted” 🎉', savedText: 'x', updatedAt: 5 };
    const raw = serializeBackup(rec);
    expect(raw.endsWith(`\n${BACKUP_END_MARKER}\n`)).toBe(true);
    expect(raw.split('\n')).toHaveLength(3);
    expect(parseBackup(raw)).toEqual(rec);
  });

  it('rejects torn writes: any prefix of a backup is ignored', () => {
    const raw = serializeBackup({ docId: 'd1', path: '/x/a.md', text: 'hello world', updatedAt: 1 });
    for (let cut = 0; cut < raw.length; cut++) expect(parseBackup(raw.slice(0, cut))).toBeNull();
    expect(parseBackup(raw)).not.toBeNull();
  });
});

describe('BackupStore', () => {
  it('writes, lists, reads and discards backups', async () => {
    const store = new BackupStore(dataDir, { now: () => 1000 });
    await store.init();
    await store.write({ docId: 'doc-a', path: null, text: 'unsaved words' });
    await store.write({ docId: 'doc-b', path: path.join(dataDir, 'b.md'), text: 'same', savedText: 'same' });
    const list = await store.list();
    expect(list.map((b) => b.id).sort()).toEqual(['doc-a', 'doc-b']);
    const a = list.find((b) => b.id === 'doc-a')!;
    expect(a).toMatchObject({ name: 'Untitled', chars: 13, preview: 'unsaved words', dirty: true, updatedAt: 1000 });
    expect(list.find((b) => b.id === 'doc-b')!.dirty).toBe(false);
    expect((await store.read('doc-a')).text).toBe('unsaved words');
    await store.discard('doc-a');
    expect((await store.list()).map((b) => b.id)).toEqual(['doc-b']);
    await expect(store.read('doc-a')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('ignores a torn backup file (no end marker) in list and refuses to restore it', async () => {
    const store = new BackupStore(dataDir);
    await store.init();
    await store.write({ docId: 'good', path: null, text: 'kept' });
    const torn = serializeBackup({ docId: 'torn', path: null, text: 'half', updatedAt: 1 });
    fs.writeFileSync(path.join(store.dir, 'torn.json'), torn.slice(0, torn.length - 5));
    expect((await store.list()).map((b) => b.id)).toEqual(['good']);
    await expect(store.read('torn')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps the last of many concurrent writes for one document', async () => {
    const store = new BackupStore(dataDir);
    await store.init();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write({ docId: 'd', path: null, text: `v${i}` })));
    expect((await store.read('d')).text).toBe('v19');
    expect(fs.readdirSync(store.dir)).toEqual(['d.json']);
  });

  it('rejects ids that could escape the backups folder', async () => {
    const store = new BackupStore(dataDir);
    await expect(store.write({ docId: '../evil', path: null, text: 'x' })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});

describe('DocumentService backups', () => {
  it('a backup survives a "crash" (new service instance) and restores with its path', async () => {
    const file = path.join(dataDir, 'notes.md');
    fs.writeFileSync(file, 'saved\n');
    const first = new DocumentService(dataDir);
    await first.init();
    const doc = await first.open(file, 'window-1');
    await first.writeBackup(
      { docId: doc.docId, path: file, text: 'saved\nplus unsaved', savedText: 'saved\n' },
      'window-1',
    );
    // While the document is open in this session it is not offered for restore.
    expect(await first.listBackups()).toEqual([]);

    const second = new DocumentService(dataDir);
    await second.init();
    const offered = await second.listBackups();
    expect(offered).toHaveLength(1);
    expect(offered[0]).toMatchObject({ id: doc.docId, path: file, name: 'notes.md', dirty: true });
    const restored = await second.restoreBackup(doc.docId, 'window-2');
    expect(restored).toMatchObject({ docId: doc.docId, path: file, text: 'saved\nplus unsaved', savedText: 'saved\n' });
    // Saving the restored text writes the file and drops the now-redundant backup.
    await second.save(restored.docId, restored.text, 'window-2');
    expect(fs.readFileSync(file, 'utf8')).toBe('saved\nplus unsaved');
    expect(await second.backups.list()).toEqual([]);
  });

  it('a backup whose text equals the saved text is discarded, and close discards it', async () => {
    const svc = new DocumentService(dataDir);
    await svc.init();
    const { docId } = svc.newDocument('w');
    await svc.writeBackup({ docId, path: null, text: 'draft' }, 'w');
    expect((await svc.backups.list()).length).toBe(1);
    await svc.writeBackup({ docId, path: null, text: 'draft', savedText: 'draft' }, 'w');
    expect((await svc.backups.list()).length).toBe(0);
    await svc.writeBackup({ docId, path: null, text: 'draft 2' }, 'w');
    await svc.close(docId);
    expect((await svc.backups.list()).length).toBe(0);
  });

  it('releasing a client offers its documents for restore', async () => {
    const svc = new DocumentService(dataDir);
    await svc.init();
    const { docId } = svc.newDocument('conn-1');
    await svc.writeBackup({ docId, path: null, text: 'typed before the page reloaded' }, 'conn-1');
    expect(await svc.listBackups()).toEqual([]);
    svc.release('conn-1');
    expect((await svc.listBackups()).map((b) => b.id)).toEqual([docId]);
  });

  it('discardBackup removes the file', async () => {
    const svc = new DocumentService(dataDir);
    await svc.init();
    await svc.writeBackup({ docId: 'x1', path: null, text: 'a' }, 'w');
    svc.release('w');
    await svc.discardBackup('x1');
    expect(await svc.listBackups()).toEqual([]);
  });
});
