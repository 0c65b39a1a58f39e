/**
 * The panes' API end to end over the web host's WebSocket, with the real engine process and a tiny
 * random GPT-2: what the sampling controls send changes what the engine does (temperature 0 and a
 * fixed seed repeat, a banned word never appears), tokens come back with their alternatives, tasks
 * stream and can be stopped, and scoring places every token in the text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskEventMessage, TaskResult } from '../../../electron/api';
import { startWebHost, type WebHost } from '../../../electron/web';
import { convertedModelDir } from '../../helpers/converted';
import { connect, makeFixture, type Fixture } from '../../web/helpers';
import type { WebSocketApi } from '../../../electron/api';

let fx: Fixture;
let host: WebHost;
let api: WebSocketApi;
let docId: string;
let seq = 0;
const rid = () => `t${++seq}`;

beforeAll(async () => {
  fx = makeFixture();
  const modelDir = await convertedModelDir();
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
  docId = (await api.newDocument()).docId;
});
afterAll(async () => {
  api?.close();
  await host?.close();
  fx?.cleanup();
});

const PROMPT = 'The old lighthouse keeper climbed the stairs';

async function cont(params: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<TaskResult> {
  return api.runTask({
    requestId: rid(),
    docId,
    kind: 'continue',
    textBefore: PROMPT,
    params: { maxNewTokens: 12, ...params },
    ...extra,
  });
}

describe('panes API with the real engine', () => {
  it('temperature 0 repeats exactly; a fixed seed repeats; different seeds differ', async () => {
    const a = await cont({ temperature: 0 });
    const b = await cont({ temperature: 0 });
    expect(a.text.length).toBeGreaterThan(0);
    expect(b.text).toBe(a.text);
    const s1 = await cont({ temperature: 1.5, topK: 0, topP: 1, seed: 1234, alternatives: 2 });
    const s2 = await cont({ temperature: 1.5, topK: 0, topP: 1, seed: 1234, alternatives: 2 });
    expect(s2.alternatives.map((x) => x.text)).toEqual(s1.alternatives.map((x) => x.text));
    const s3 = await cont({ temperature: 1.5, topK: 0, topP: 1, seed: 99, alternatives: 2 });
    expect(s3.alternatives.map((x) => x.text)).not.toEqual(s1.alternatives.map((x) => x.text));
  });

  it('a banned word never appears, although the model writes it without the ban', async () => {
    const greedy = await cont({ temperature: 0, maxNewTokens: 16 });
    const word = greedy.text
      .trim()
      .split(/\s+/)[0]
      .replace(/[^\p{L}\p{N}]/gu, '');
    expect(word.length).toBeGreaterThan(0);
    const banned = await cont({ temperature: 0, maxNewTokens: 16, bannedWords: [word] });
    // As a word: a longer word that merely starts with it is another word (and another token).
    expect(banned.text).not.toMatch(new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'iu'));
    expect(banned.text).not.toBe(greedy.text);
  });

  it('continue cards carry token counts, speed, mean log-probability, and per-token alternatives', async () => {
    const events: TaskEventMessage[] = [];
    const off = api.onTaskEvent((m) => events.push(m));
    const r = await cont({ temperature: 0.9, seed: 5, alternatives: 2 }, { topAlternatives: 4 });
    off();
    expect(r.alternatives).toHaveLength(2);
    for (const alt of r.alternatives) {
      expect(alt.tokenCount).toBe(12);
      expect(alt.meanLogprob).toBeLessThan(0);
      expect(alt.tokens.map((t) => t.text).join('')).toBe(alt.text);
      expect(alt.tokens.every((t) => t.top.length === 4 && t.top[0].logprob >= t.top[3].logprob)).toBe(true);
    }
    expect(r.model).toMatchObject({ precision: expect.any(String) });
    const mine = events.filter((m) => m.event.kind === 'token');
    expect(mine.length).toBeGreaterThanOrEqual(2);
  });

  it('translate streams sentence by sentence; cancel stops it', async () => {
    const events: TaskEventMessage[] = [];
    const off = api.onTaskEvent((m) => events.push(m));
    const r = await api.runTask({
      requestId: 'tr1',
      docId,
      kind: 'translate',
      pair: 'en-fr',
      text: 'The cat sleeps. The dog barks.',
      params: { maxNewTokens: 6 },
    });
    expect(r.segments!.map((s) => s.source)).toEqual(['The cat sleeps.', 'The dog barks.']);
    expect(events.filter((m) => m.requestId === 'tr1' && m.event.kind === 'segment')).toHaveLength(2);
    expect(r.prompt.endsWith('\nThe dog barks. =')).toBe(true);

    const long = 'One. Two. Three. Four. Five. Six. Seven. Eight.';
    const running = api.runTask({
      requestId: 'tr2',
      docId,
      kind: 'translate',
      pair: 'en-fr',
      text: long,
      params: { maxNewTokens: 8 },
    });
    for (let i = 0; i < 400 && !events.some((m) => m.requestId === 'tr2' && m.event.kind === 'segment'); i++)
      await new Promise((r2) => setTimeout(r2, 10));
    await api.cancelTask('tr2');
    const stopped = await running;
    off();
    expect(stopped.finishReason).toBe('cancelled');
    expect(stopped.segments!.length).toBeLessThan(8);
  });

  it('scores text into spans that tile it, with ranks and alternatives', async () => {
    const text = 'It was a bright cold day in April, and the clocks were striking thirteen.';
    const r = await api.scoreText({ requestId: 'sc1', docId, text, top: 3 });
    expect(r.skippedChars).toBe(0);
    expect(r.spans.map((s) => text.slice(s.from, s.to)).join('')).toBe(text);
    expect(r.spans[0].rank).toBeNull();
    for (const s of r.spans.slice(1)) {
      expect(s.rank).toBeGreaterThanOrEqual(1);
      expect(s.top).toHaveLength(3);
    }
  });

  it('a suggestion pre-empts a running scoring, which ends as cancelled; an explicit cancel stops one too', async () => {
    const long = 'word '.repeat(1000);
    // Queue a scoring, then ask for a suggestion: the scoring steps aside instead of delaying it.
    const scoring = api.scoreText({ requestId: 'sc-pre', docId, text: long, top: 1 }).catch((e: unknown) => e);
    const suggestion = api.complete({
      requestId: rid(),
      docId,
      textBefore: PROMPT,
      params: { maxNewTokens: 2, alternatives: 1 },
    });
    expect((await suggestion).alternatives[0].tokenIds.length).toBeGreaterThan(0);
    expect(String(await scoring)).toMatch(/cancelled/i);

    const second = api.scoreText({ requestId: 'sc-cancel', docId, text: long, top: 1 }).catch((e: unknown) => e);
    await api.cancelTask('sc-cancel');
    expect(String(await second)).toMatch(/cancelled/i);
    // Scoring still works afterwards.
    const ok = await api.scoreText({ requestId: 'sc-after', docId, text: 'A short line.', top: 1 });
    expect(ok.spans.length).toBeGreaterThan(1);
  });

  it('the API refuses invalid values before the engine sees them', async () => {
    await expect(
      api.runTask({ requestId: rid(), docId, kind: 'continue', textBefore: 'x', params: { temperature: -1 } }),
    ).rejects.toThrow(/temperature/);
    await expect(
      api.runTask({ requestId: rid(), docId, kind: 'translate', pair: 'en-xx' as 'en-fr', text: 'x' }),
    ).rejects.toThrow(/pair must be one of/);
    await expect(api.scoreText({ requestId: 'bad id!', docId, text: 'x' })).rejects.toThrow(/request id/);
  });
});
