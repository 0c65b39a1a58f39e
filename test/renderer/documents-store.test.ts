/**
 * The documents store against an in-memory host (a stand-in for the API, which the web e2e tests
 * exercise for real): dirty tracking, saves (including typing during a save and a failing save),
 * hot-exit backups a second after typing stops, restore, close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InklingError, type BackupRequest, type InklingApi, type SaveRequest } from '../../electron/api';
import { createDocumentsStore, type DocumentTexts } from '../../renderer/src/stores/documents';

/** The editor's side: a map of texts. */
class Texts implements DocumentTexts {
  readonly map = new Map<string, string>();
  readonly names = new Map<string, string>();
  create(docId: string, text: string, name: string) {
    this.map.set(docId, text);
    this.names.set(docId, name);
  }
  text(docId: string) {
    return this.map.get(docId) ?? null;
  }
  length(docId: string) {
    return this.map.get(docId)?.length ?? null;
  }
  renamed(docId: string, name: string) {
    this.names.set(docId, name);
  }
  replace(docId: string, text: string) {
    this.map.set(docId, text);
  }
  drop(docId: string) {
    this.map.delete(docId);
  }
}

/** The host's side, in memory, recording what it was asked. */
function fakeHost() {
  let next = 1;
  const files = new Map<string, string>();
  const backups = new Map<string, BackupRequest>();
  const calls: string[] = [];
  const requests: SaveRequest[] = [];
  /** Files another program changed: path → their text. */
  const changedElsewhere = new Map<string, string>();
  /** The file each opened document came from. */
  const owned = new Map<string, string>();
  let failSave: InklingError | null = null;
  let saveGate: Promise<void> | null = null;
  const save = async (r: SaveRequest) => {
    calls.push(`save:${r.docId}:${r.path ?? ''}`);
    requests.push(r);
    if (saveGate) await saveGate;
    if (failSave) throw failSave;
    const path = r.path ?? owned.get(r.docId) ?? [...files.keys()].find((p) => p.includes(r.docId));
    if (!path) throw new InklingError('path_required', 'Choose where to save this document.');
    const theirs = changedElsewhere.get(path);
    if (theirs !== undefined && !r.replaceChanged)
      throw new InklingError('file_changed', `“${path}” was changed by another program.`);
    changedElsewhere.delete(path);
    files.set(path, r.text);
    return {
      docId: r.docId,
      path,
      name: path.split('/').pop()!,
      mtimeMs: 2,
      size: r.text.length,
      ...(theirs !== undefined ? { keptCopy: `${path} (other version)` } : {}),
    };
  };
  const api: Pick<
    InklingApi,
    | 'newDocument'
    | 'openDocument'
    | 'saveDocument'
    | 'saveDocumentAs'
    | 'reloadDocument'
    | 'checkDocument'
    | 'closeDocument'
    | 'writeBackup'
    | 'discardBackup'
    | 'restoreBackup'
  > = {
    newDocument: async () => ({ docId: `d${next++}` }),
    openDocument: async (path) => {
      if (!path || !files.has(path)) throw new InklingError('not_found', `No file at ${path}.`);
      const docId = `d${next++}`;
      owned.set(docId, path);
      return {
        docId,
        path,
        name: path.split('/').pop()!,
        text: files.get(path)!,
        lineEnding: '\n',
        mtimeMs: 1,
      };
    },
    saveDocument: save,
    saveDocumentAs: save,
    checkDocument: async ({ path }) => ({
      changed: path !== undefined && changedElsewhere.has(path),
      missing: path !== undefined && !files.has(path),
    }),
    reloadDocument: async ({ docId, path }) => {
      if (!path) throw new InklingError('bad_request', 'No file.');
      const text = changedElsewhere.get(path) ?? files.get(path);
      if (text === undefined) throw new InklingError('not_found', `No file at ${path}.`);
      changedElsewhere.delete(path);
      files.set(path, text);
      return { docId, path, name: path.split('/').pop()!, text, lineEnding: '\n', mtimeMs: 3 };
    },
    closeDocument: async (docId) => {
      calls.push(`close:${docId}`);
    },
    writeBackup: async (r) => {
      calls.push(`backup:${r.docId}`);
      backups.set(r.docId, r);
    },
    discardBackup: async (id) => {
      calls.push(`discard:${id}`);
      backups.delete(id);
    },
    restoreBackup: async (id) => {
      const b = backups.get(id);
      if (!b) throw new InklingError('not_found', `No backup ${id}.`);
      return {
        docId: b.docId,
        path: b.path,
        name: b.path?.split('/').pop() ?? 'Untitled',
        text: b.text,
        savedText: b.savedText ?? null,
        lineEnding: '\n',
      };
    },
  };
  return {
    api,
    files,
    backups,
    calls,
    requests,
    changedElsewhere,
    failNextSaves: (e: InklingError | null) => (failSave = e),
    holdSaves: () => {
      let release!: () => void;
      saveGate = new Promise<void>((r) => (release = r));
      return () => {
        saveGate = null;
        release();
      };
    },
  };
}

describe('documents store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(autosave = { enabled: false, delayMs: 1500 }) {
    const host = fakeHost();
    const texts = new Texts();
    const store = createDocumentsStore(host.api, texts, { backupDelayMs: 1000, autosave: () => autosave });
    const type = (docId: string, text: string) => {
      texts.map.set(docId, text);
      store.getState().edited(docId);
    };
    return { host, texts, store, type };
  }

  it('a new document is clean and active; an edit makes it dirty; undoing back to the saved text makes it clean', async () => {
    const { store, type } = setup();
    const id = (await store.getState().newDocument())!;
    expect(store.getState().activeId).toBe(id);
    expect(store.getState().docs[id]).toMatchObject({ dirty: false, saveState: 'saved', path: null, name: 'Untitled' });
    type(id, 'Hello');
    expect(store.getState().docs[id]).toMatchObject({ dirty: true, saveState: 'unsaved' });
    type(id, '');
    expect(store.getState().docs[id]).toMatchObject({ dirty: false, saveState: 'saved' });
  });

  it('writes a backup one second after typing stops, and only then', async () => {
    const { store, host, type } = setup();
    const id = (await store.getState().newDocument())!;
    type(id, 'a');
    await vi.advanceTimersByTimeAsync(600);
    type(id, 'ab');
    await vi.advanceTimersByTimeAsync(600);
    expect(host.backups.size).toBe(0); // still typing
    await vi.advanceTimersByTimeAsync(500);
    expect(host.backups.get(id)).toMatchObject({ docId: id, path: null, text: 'ab', savedText: '' });
    expect(store.getState().docs[id].backupVersion).toBe(store.getState().docs[id].version);
    expect(host.calls.filter((c) => c.startsWith('backup')).length).toBe(1);
  });

  it('discards the backup once the text is back to what was saved', async () => {
    const { store, host, type } = setup();
    const id = (await store.getState().newDocument())!;
    type(id, 'draft');
    await vi.advanceTimersByTimeAsync(1000);
    expect(host.backups.has(id)).toBe(true);
    type(id, '');
    await vi.advanceTimersByTimeAsync(1000);
    expect(host.backups.has(id)).toBe(false);
  });

  it('saving an untitled document reports path_required (web: ask for a path), then saves to the path given', async () => {
    const { store, host, texts, type } = setup();
    const id = (await store.getState().newDocument())!;
    type(id, '# Title');
    expect(await store.getState().save(id)).toBe('path_required');
    expect(store.getState().docs[id]).toMatchObject({ dirty: true, saveState: 'unsaved' });
    expect(await store.getState().save(id, { as: true, path: `/tmp/${id}-notes.md` })).toBe('saved');
    expect(host.files.get(`/tmp/${id}-notes.md`)).toBe('# Title');
    expect(store.getState().docs[id]).toMatchObject({
      dirty: false,
      saveState: 'saved',
      name: `${id}-notes.md`,
      path: `/tmp/${id}-notes.md`,
    });
    expect(texts.names.get(id)).toBe(`${id}-notes.md`); // the editor heard about the new name (language)
  });

  it('text typed while a save is in flight stays dirty after the save', async () => {
    const { store, host, type } = setup();
    const id = (await store.getState().newDocument())!;
    type(id, 'one');
    await store.getState().save(id, { path: `/tmp/${id}.txt` });
    type(id, 'one two');
    const release = host.holdSaves();
    const saving = store.getState().save(id);
    expect(store.getState().docs[id].saveState).toBe('saving');
    type(id, 'one two three');
    release();
    expect(await saving).toBe('saved');
    expect(host.files.get(`/tmp/${id}.txt`)).toBe('one two');
    expect(store.getState().docs[id]).toMatchObject({ dirty: true, saveState: 'unsaved', savedText: 'one two' });
  });

  it('a failed save keeps the document dirty and says why', async () => {
    const { store, host, type } = setup();
    const id = (await store.getState().newDocument())!;
    type(id, 'text');
    host.failNextSaves(new InklingError('io_error', 'The disk is full: could not write /tmp/x.txt.'));
    expect(await store.getState().save(id, { path: '/tmp/x.txt' })).toBe('failed');
    expect(store.getState().docs[id]).toMatchObject({
      dirty: true,
      saveState: 'error',
      error: 'The disk is full: could not write /tmp/x.txt.',
    });
  });

  it('autosaves named documents after the pause, and says so', async () => {
    const { store, host, type } = setup({ enabled: true, delayMs: 1500 });
    const id = (await store.getState().newDocument())!;
    type(id, 'v1');
    await store.getState().save(id, { path: `/tmp/${id}.md` });
    type(id, 'v2');
    await vi.advanceTimersByTimeAsync(1400);
    expect(host.files.get(`/tmp/${id}.md`)).toBe('v1');
    await vi.advanceTimersByTimeAsync(200);
    expect(host.files.get(`/tmp/${id}.md`)).toBe('v2');
    expect(store.getState().docs[id].saveState).toBe('autosaved');
  });

  it('does not autosave untitled documents (their backup covers them)', async () => {
    const { store, host, type } = setup({ enabled: true, delayMs: 100 });
    const id = (await store.getState().newDocument())!;
    type(id, 'x');
    await vi.advanceTimersByTimeAsync(2000);
    expect(host.calls.some((c) => c.startsWith('save'))).toBe(false);
    expect(host.backups.has(id)).toBe(true);
  });

  it('restores a backup as a dirty document with its text', async () => {
    const { store, host, texts } = setup();
    host.backups.set('old', { docId: 'old', path: null, text: 'lost words', savedText: '' });
    const id = await store.getState().restore('old');
    expect(id).toBe('old');
    expect(texts.map.get('old')).toBe('lost words');
    expect(store.getState().docs.old).toMatchObject({ dirty: true, saveState: 'unsaved', name: 'Untitled' });
  });

  it('opening an already open file activates its tab instead of opening it twice', async () => {
    const { store, host } = setup();
    host.files.set('/tmp/a.md', 'A');
    const a = await store.getState().open('/tmp/a.md');
    await store.getState().newDocument();
    expect(await store.getState().open('/tmp/a.md')).toBe(a);
    expect(store.getState().order.length).toBe(2);
    expect(store.getState().activeId).toBe(a);
    expect(await store.getState().open('/tmp/missing.md')).toBeNull();
    expect(store.getState().error).toBe('No file at /tmp/missing.md.');
  });

  it('closing a document forgets it, activates a neighbour and cancels its pending backup', async () => {
    const { store, host, texts, type } = setup();
    const a = (await store.getState().newDocument())!;
    const b = (await store.getState().newDocument())!;
    type(b, 'unsaved');
    await store.getState().close(b);
    expect(store.getState().order).toEqual([a]);
    expect(store.getState().activeId).toBe(a);
    expect(texts.map.has(b)).toBe(false);
    expect(host.calls).toContain(`close:${b}`);
    await vi.advanceTimersByTimeAsync(2000);
    expect(host.backups.has(b)).toBe(false);
  });

  it('flushBackups writes pending backups at once', async () => {
    const { store, host, type } = setup();
    const id = (await store.getState().newDocument())!;
    type(id, 'quick');
    await store.getState().flushBackups();
    expect(host.backups.get(id)?.text).toBe('quick');
  });

  describe('a file another program changed', () => {
    async function opened(autosave = { enabled: false, delayMs: 1500 }) {
      const env = setup(autosave);
      env.host.files.set('/docs/notes.md', 'first');
      const id = (await env.store.getState().open('/docs/notes.md'))!;
      return { ...env, id };
    }

    it('a save is refused as "changed": the text stays, unsaved, and the store marks the conflict', async () => {
      const { host, store, type, id } = await opened();
      type(id, 'mine');
      host.changedElsewhere.set('/docs/notes.md', 'theirs');
      expect(await store.getState().save(id)).toBe('changed');
      expect(host.requests.at(-1)).toMatchObject({ docId: id, baseMtimeMs: 1 });
      expect(host.requests.at(-1)?.replaceChanged).toBeUndefined();
      expect(store.getState().docs[id]).toMatchObject({
        dirty: true,
        conflict: true,
        saveState: 'error',
        error: expect.stringContaining('changed by another program'),
      });
      expect(host.files.get('/docs/notes.md')).toBe('first');
    });

    it('autosave stops while the conflict waits for the writer', async () => {
      const { host, store, type, id } = await opened({ enabled: true, delayMs: 1500 });
      host.changedElsewhere.set('/docs/notes.md', 'theirs');
      type(id, 'mine');
      await vi.advanceTimersByTimeAsync(1600);
      expect(store.getState().docs[id]?.conflict).toBe(true);
      const saves = host.calls.filter((c) => c.startsWith('save:')).length;
      type(id, 'mine, more');
      await vi.advanceTimersByTimeAsync(5000);
      expect(host.calls.filter((c) => c.startsWith('save:')).length).toBe(saves);
    });

    it('"keep mine" saves with replaceChanged and reports where the other version was kept', async () => {
      const { host, store, type, id } = await opened();
      type(id, 'mine');
      host.changedElsewhere.set('/docs/notes.md', 'theirs');
      await store.getState().save(id);
      expect(await store.getState().save(id, { replaceChanged: true })).toBe('saved');
      expect(host.files.get('/docs/notes.md')).toBe('mine');
      expect(store.getState().docs[id]).toMatchObject({
        dirty: false,
        conflict: false,
        mtimeMs: 2,
        keptCopy: '/docs/notes.md (other version)',
      });
      // The next save compares with the time of this save.
      type(id, 'mine again');
      await store.getState().save(id);
      expect(host.requests.at(-1)).toMatchObject({ baseMtimeMs: 2 });
    });

    it('"load theirs" replaces the text with the file\'s and the document is clean', async () => {
      const { host, store, texts, type, id } = await opened();
      type(id, 'mine');
      host.changedElsewhere.set('/docs/notes.md', 'theirs');
      await store.getState().save(id);
      expect(await store.getState().reload(id)).toBe(true);
      expect(texts.text(id)).toBe('theirs');
      expect(store.getState().docs[id]).toMatchObject({
        savedText: 'theirs',
        dirty: false,
        conflict: false,
        saveState: 'saved',
        mtimeMs: 3,
        error: null,
      });
    });

    it('back in the window: a clean document is loaded again, one with unsaved changes is marked', async () => {
      const { host, store, texts, type } = setup();
      host.files.set('/docs/clean.md', 'clean text');
      host.files.set('/docs/dirty.md', 'dirty text');
      host.files.set('/docs/same.md', 'same text');
      const clean = (await store.getState().open('/docs/clean.md'))!;
      const dirty = (await store.getState().open('/docs/dirty.md'))!;
      const same = (await store.getState().open('/docs/same.md'))!;
      type(dirty, 'dirty text, edited here');
      host.changedElsewhere.set('/docs/clean.md', 'clean text, changed elsewhere');
      host.changedElsewhere.set('/docs/dirty.md', 'dirty text, changed elsewhere');
      expect(await store.getState().checkOnDisk()).toEqual({ reloaded: ['clean.md'], missing: [] });
      expect(texts.text(clean)).toBe('clean text, changed elsewhere');
      expect(store.getState().docs[clean]).toMatchObject({ dirty: false, conflict: false, saveState: 'saved' });
      expect(texts.text(dirty)).toBe('dirty text, edited here');
      expect(store.getState().docs[dirty]).toMatchObject({ dirty: true, conflict: true, saveState: 'error' });
      expect(texts.text(same)).toBe('same text');
      expect(store.getState().docs[same]).toMatchObject({ dirty: false, conflict: false });
      // Asked again, nothing more happens (the clean one is now the file's; the dirty one waits for the writer).
      expect(await store.getState().checkOnDisk()).toEqual({ reloaded: [], missing: [] });
      // A file deleted or moved away: said once, again only after it came back and went again.
      host.files.delete('/docs/same.md');
      expect(await store.getState().checkOnDisk()).toEqual({ reloaded: [], missing: ['same.md'] });
      expect(await store.getState().checkOnDisk()).toEqual({ reloaded: [], missing: [] });
      expect(texts.text(same)).toBe('same text'); // the text stays
      host.files.set('/docs/same.md', 'same text');
      expect(await store.getState().checkOnDisk()).toEqual({ reloaded: [], missing: [] });
      host.files.delete('/docs/same.md');
      expect(await store.getState().checkOnDisk()).toEqual({ reloaded: [], missing: ['same.md'] });
    });

    it('a save under another name carries no time (it is not the file the page saw)', async () => {
      const { host, store, id } = await opened();
      await store.getState().save(id, { as: true, path: '/docs/copy.md' });
      expect(host.requests.at(-1)?.baseMtimeMs).toBeUndefined();
    });
  });
});
