/**
 * The generation history on disk, through the real dispatcher (web-like platform: no dialogs):
 * per document in the data folder, never in the document file; it follows a save to a path and
 * survives a new Backend (a restart); an untitled document's history goes when it is closed; bad
 * input is refused with a message; a damaged file is set aside instead of failing the document.
 * Export: refused in browser mode; on the desktop the file is written where the dialog said.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventChannel, InklingEvents, StoredGeneration } from '../../electron/api';
import { Backend, type Client, type PlatformHooks } from '../../electron/services/backend';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-generations-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const client: Client = { id: 'c1', emit: <C extends EventChannel>(_c: C, _p: InklingEvents[C]) => undefined };

async function backend(platform: Partial<PlatformHooks> = {}, logs: string[] = []) {
  return Backend.create({
    dataDir: path.join(dir, 'data'),
    version: '1.0.0',
    platform: { mode: 'web', trustRendererPaths: true, ...platform },
    log: (m) => void logs.push(m),
    createEngine: () => {
      throw new Error('no engine in this test');
    },
  });
}

async function call<T>(b: Backend, method: string, ...args: unknown[]): Promise<T> {
  const r = await b.call(method, args, client);
  if (!r.ok) throw new Error(`[${r.error.code}] ${r.error.message}`);
  return r.value as T;
}

const place: StoredGeneration = {
  id: 'g1',
  from: 6,
  text: ' went on.',
  before: 'Night',
  after: '',
  tries: [
    { text: ' went on.', source: 'suggestion', at: 10 },
    { text: ' fell.', source: 'alternative', at: 10 },
  ],
  at: 10,
};

describe('generation history storage', () => {
  it("keeps an untitled document's history, moves it with the save, and reads it after a restart", async () => {
    const b = await backend();
    b.addClient(client);
    const { docId } = await call<{ docId: string }>(b, 'newDocument');
    await call(b, 'setGenerationHistory', { docId, generations: [place] });
    expect((await call<{ generations: StoredGeneration[] }>(b, 'getGenerationHistory', docId)).generations).toEqual([
      place,
    ]);

    const file = path.join(dir, 'story.md');
    await call(b, 'saveDocument', { docId, text: 'Night went on.', path: file });
    expect(fs.readFileSync(file, 'utf8')).toBe('Night went on.'); // nothing of the history in the document
    const folder = path.join(dir, 'data', 'generations');
    expect(fs.readdirSync(folder).filter((f) => f.startsWith('doc-'))).toEqual([]);
    await b.dispose();

    // A restart: a new backend, the file opened again under a new document id.
    const again = await backend();
    again.addClient(client);
    const opened = await call<{ docId: string }>(again, 'openDocument', file);
    expect(
      (await call<{ generations: StoredGeneration[] }>(again, 'getGenerationHistory', opened.docId)).generations,
    ).toEqual([place]);
    await again.dispose();
  });

  it('closing an untitled document deletes its history', async () => {
    const b = await backend();
    b.addClient(client);
    const { docId } = await call<{ docId: string }>(b, 'newDocument');
    await call(b, 'setGenerationHistory', { docId, generations: [place] });
    await call(b, 'closeDocument', docId);
    expect((await call<{ generations: StoredGeneration[] }>(b, 'getGenerationHistory', docId)).generations).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'data', 'generations'))).toEqual([]);
    await b.dispose();
  });

  it('refuses a malformed history with a message that names the field', async () => {
    const b = await backend();
    b.addClient(client);
    const { docId } = await call<{ docId: string }>(b, 'newDocument');
    await expect(
      call(b, 'setGenerationHistory', {
        docId,
        generations: [{ ...place, tries: [{ text: 'x', source: 'magic', at: 1 }] }],
      }),
    ).rejects.toThrow(
      /\[bad_request\] setGenerationHistory: history.generations\[0\].tries\[0\].source must be one of suggestion/,
    );
    await expect(
      call(b, 'setGenerationHistory', { docId, generations: [{ ...place, before: 'x'.repeat(5000) }] }),
    ).rejects.toThrow(/before is too long \(5000 characters; the limit is 200\)/);
    // A history is notes, not a second manuscript: 300 places of 20,000 characters are refused as a whole.
    const big = Array.from({ length: 300 }, (_, i) => ({ ...place, id: `g${i}`, text: 'x'.repeat(20_000), tries: [] }));
    await expect(call(b, 'setGenerationHistory', { docId, generations: big })).rejects.toThrow(
      /holds 6000000 characters of text; the limit is 4000000/,
    );
    await b.dispose();
  });

  it('sets a damaged history file aside and starts empty, saying so in the log', async () => {
    const logs: string[] = [];
    const b = await backend({}, logs);
    b.addClient(client);
    const file = path.join(dir, 'tale.md');
    fs.writeFileSync(file, 'Once.');
    const { docId } = await call<{ docId: string }>(b, 'openDocument', file);
    await call(b, 'setGenerationHistory', { docId, generations: [place] });
    const [stored] = fs.readdirSync(path.join(dir, 'data', 'generations'));
    fs.writeFileSync(
      path.join(dir, 'data', 'generations', stored),
      '{"version": 1, "generations": [{"id": "bad id!"}]}',
    );
    expect((await call<{ generations: StoredGeneration[] }>(b, 'getGenerationHistory', docId)).generations).toEqual([]);
    expect(logs.join('\n')).toMatch(/generation history of .*tale\.md was set aside/);
    expect(fs.existsSync(path.join(dir, 'data', 'generations', `${stored}.bad`))).toBe(true);
    await b.dispose();
  });
});

describe('export', () => {
  it('is refused in browser mode with a sentence that says what to do instead', async () => {
    const b = await backend();
    await expect(call(b, 'exportDocument', { format: 'html', name: 'a.html', content: '<p>x</p>' })).rejects.toThrow(
      /\[not_allowed\] In the browser, exports are downloaded/,
    );
    await b.dispose();
  });

  it('desktop: writes where the dialog said; PDF goes through the print hook; a cancelled dialog writes nothing', async () => {
    const target = path.join(dir, 'out');
    const printed: string[] = [];
    let answer: string | null = `${target}.html`;
    const b = await backend({
      mode: 'electron',
      showExportDialog: async () => answer,
      printToPdf: async (c) => {
        printed.push(c.id);
        return new TextEncoder().encode('%PDF-1.7 fake');
      },
    });
    expect(await call(b, 'exportDocument', { format: 'html', name: 'Story.html', content: '<h1>Story</h1>' })).toEqual({
      path: `${target}.html`,
      bytes: 14,
    });
    expect(fs.readFileSync(`${target}.html`, 'utf8')).toBe('<h1>Story</h1>');
    answer = `${target}.pdf`;
    await call(b, 'exportDocument', { format: 'pdf', name: 'Story.pdf', content: '' });
    expect(printed).toEqual(['c1']); // the asking window's page is printed
    expect(fs.readFileSync(`${target}.pdf`, 'utf8')).toBe('%PDF-1.7 fake');
    answer = null;
    expect(await call(b, 'exportDocument', { format: 'txt', name: 'Story.txt', content: 'x' })).toBeNull();
    await expect(call(b, 'exportDocument', { format: 'docx', name: 'a', content: '' })).rejects.toThrow(
      /format must be one of html, pdf, txt/,
    );
    await expect(call(b, 'exportDocument', { format: 'txt', name: '../a.txt', content: '' })).rejects.toThrow(
      /a file name \(1–255 characters, no folders\)/,
    );
    await b.dispose();
  });
});
