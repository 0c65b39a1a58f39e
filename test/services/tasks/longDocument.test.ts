/**
 * Long documents through the API (web host, real engine process, tiny random GPT-2): the window a
 * continuation reads is described before any Tab; a document's memory is stored in the data
 * folder, follows an untitled document to the path it is saved under, survives a host restart and
 * is what the Continue pane's model reads first; a Summarize of a 60,000-word document reads its
 * last window and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../../electron/web';
import { errorCode, errorMessage, type WebSocketApi } from '../../../electron/api';
import { convertedModelDir } from '../../helpers/converted';
import { connect, makeFixture, type Fixture } from '../../web/helpers';

const NOVEL = fs.readFileSync(path.join(__dirname, '..', '..', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');
let fx: Fixture;
let host: WebHost;
let api: WebSocketApi;
let modelDir: string;

async function start(): Promise<void> {
  host = await startWebHost({
    port: 0,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    modelDir,
    log: () => undefined,
  });
  api = connect(host);
  for (let i = 0; i < 600 && (await api.getEngineStatus()).state !== 'ready'; i++)
    await new Promise((r) => setTimeout(r, 50));
}

beforeAll(async () => {
  fx = makeFixture();
  modelDir = await convertedModelDir();
  await start();
});
afterAll(async () => {
  api?.close();
  await host?.close();
  fx?.cleanup();
});

describe('long documents through the API', () => {
  it('describes the window before any Tab: memory + the last tokens, where it starts', async () => {
    const { docId } = await api.newDocument();
    const text = NOVEL.slice(0, 40_000);
    const r = await api.describeWindow({ docId, textBefore: text });
    expect(r.contextLength).toBe(1024);
    expect(r.documentTokens).toBeGreaterThan(8000);
    expect(r.droppedTokens).toBeGreaterThan(0);
    expect(r.promptTokens).toBeLessThanOrEqual(1024 - 32); // the writer's suggestion length (32) stays free
    expect(r.windowStart).toBeGreaterThan(30_000);
    expect(r.memoryTokens).toBe(0);
  });

  it("keeps a document's memory in the data folder, moves it on save, and reads it first", async () => {
    const { docId } = await api.newDocument();
    const memory = 'Ishmael narrates. Queequeg is a harpooneer from Kokovoko.';
    expect(await api.setDocumentMemory({ docId, memory })).toEqual({ docId, memory });
    const text = NOVEL.slice(0, 20_000);
    const w = await api.describeWindow({ docId, textBefore: text });
    expect(w.memoryTokens).toBeGreaterThan(10);

    // Saved under a path: the memory belongs to the path now (a new session of the file has it).
    const file = path.join(fx.dataDir, '..', `memory-${process.pid}.md`);
    await api.saveDocument({ docId, text, path: file });
    const reopened = await api.openDocument(file);
    expect((await api.getDocumentMemory(reopened!.docId)).memory).toBe(memory);

    // The Continue pane's model reads the memory, then the window; the prompt it shows says so.
    const r = await api.runTask({
      requestId: 'mem-cont',
      docId: reopened!.docId,
      kind: 'continue',
      textBefore: text,
      params: { maxNewTokens: 4 },
    });
    expect(r.prompt.startsWith(`${memory}\n\n`)).toBe(true);
    expect(r.promptNote).toMatch(/the memory \(\d+ tokens\) first/);
    expect(r.promptNote).toMatch(/earlier tokens do not fit/);

    // Across a restart of the host (same data folder).
    api.close();
    await host.close();
    await start();
    const again = await api.openDocument(file);
    expect((await api.getDocumentMemory(again!.docId)).memory).toBe(memory);
    expect(JSON.parse(fs.readFileSync(path.join(fx.dataDir, 'memory.json'), 'utf8')).byPath[path.resolve(file)]).toBe(
      memory,
    );
    fs.rmSync(file, { force: true });
  });

  it('refuses a memory that leaves no room, with a message saying what to shorten', async () => {
    const { docId } = await api.newDocument();
    await api.setDocumentMemory({ docId, memory: 'The sea. '.repeat(400) });
    // The engine's code crosses the host's pipe, the services and the WebSocket unchanged.
    const err = await api.describeWindow({ docId, textBefore: 'Call me Ishmael.' }).catch((e: unknown) => e);
    expect(errorCode(err)).toBe('context_full');
    expect(errorMessage(err)).toMatch(/Shorten the memory/);
  });

  it('summarizes a 60,000-word document from its last window and says what it left out', async () => {
    const { docId } = await api.newDocument();
    const r = await api.runTask({
      requestId: 'sum-long',
      docId,
      kind: 'summarize',
      text: NOVEL,
      params: { maxNewTokens: 8 },
    });
    expect(NOVEL.length).toBeGreaterThan(300_000);
    expect(r.prompt.length).toBeLessThan(10_000);
    expect(r.prompt.endsWith('TL;DR:')).toBe(true);
    expect(r.promptNote).toMatch(/\d+ earlier tokens do not fit/);
    // What it did not read, in the writer's words: the novel's words before the part in the prompt.
    const read = r.prompt.slice(0, -'\nTL;DR:'.length);
    expect(NOVEL.trimEnd().endsWith(read)).toBe(true);
    const before = NOVEL.trimEnd().slice(0, NOVEL.trimEnd().length - read.length);
    expect(r.unread?.words).toBe(before.match(/\S+/g)!.length);
    expect(r.unread?.tokens).toBeGreaterThan(80_000);
  });

  it('a heat-map pass sends the text once: later parts are asked with sameText', async () => {
    const { docId } = await api.newDocument();
    const text = NOVEL.slice(0, 30_000);
    const first = await api.scoreText({ requestId: 'h1', docId, text, top: 2, from: 0 });
    expect(first.next).not.toBeNull();
    const withText = await api.scoreText({ requestId: 'h2', docId, text, top: 2, from: first.next! });
    const same = await api.scoreText({ requestId: 'h3', docId, text: '', sameText: true, top: 2, from: first.next! });
    // The same parts from the same text (and one more, scored now: the earlier ones come from the cache).
    const r = withText.range!;
    expect(same.range!.from).toBe(r.from);
    expect(same.range!.to).toBeGreaterThan(r.to);
    expect(same.spans.filter((x) => x.to <= r.to)).toEqual(withText.spans);
    // A document the host has no text of (say, it restarted): not_found, so the page sends it again.
    const other = await api.newDocument();
    const err = await api
      .scoreText({ requestId: 'h4', docId: other.docId, text: '', sameText: true, from: 0 })
      .catch((e: unknown) => e);
    expect(errorCode(err)).toBe('not_found');
    // Only for whole-document passes, and only without a text of its own.
    for (const bad of [
      { requestId: 'h5', docId, text: '', sameText: true },
      { requestId: 'h6', docId, text: 'words', sameText: true, from: 0 },
    ])
      expect(errorCode(await api.scoreText(bad).catch((e: unknown) => e))).toBe('bad_request');
    // Closed, its text is forgotten.
    await api.closeDocument(docId);
    const gone = await api
      .scoreText({ requestId: 'h7', docId, text: '', sameText: true, from: 0 })
      .catch((e: unknown) => e);
    expect(errorCode(gone)).toBe('not_found');
  });

  it('a passage that fits is read whole: no unread part', async () => {
    const { docId } = await api.newDocument();
    const r = await api.runTask({
      requestId: 'sum-short',
      docId,
      kind: 'summarize',
      text: NOVEL.slice(0, 2000),
      params: { maxNewTokens: 4 },
    });
    expect(r.unread).toBeUndefined();
  });
});
