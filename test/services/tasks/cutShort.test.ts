/**
 * A continuation that the context window stopped before the length asked for says so: the card's
 * `cutShort` and its sentence (the real engine process, tiny random GPT-2, over the web host).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutShortReason, type WebSocketApi } from '../../../electron/api';
import { startWebHost, type WebHost } from '../../../electron/web';
import { convertedModelDir } from '../../helpers/converted';
import { connect, makeFixture, type Fixture } from '../../web/helpers';

let fx: Fixture;
let host: WebHost;
let api: WebSocketApi;
let docId: string;

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

describe('continue cards cut short by the context window', () => {
  it('say how many of the tokens asked for the window left room for', async () => {
    const textBefore = 'The old lighthouse keeper climbed the stairs. '.repeat(40);
    // Greedy with a ban on end-of-text: only the length limit can stop it.
    // JSON has no -Infinity: the wire spells a ban "-inf" (the validator reads it).
    const ban = { 50256: '-inf' as unknown as number };
    const params = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 1024, alternatives: 1, logitBias: ban };
    const r = await api.runTask({ requestId: 'long-1', docId, kind: 'continue', textBefore, params });
    const alt = r.alternatives[0];
    expect(alt.finishReason).toBe('length');
    expect(alt.tokenCount).toBeLessThan(1024);
    expect(alt.cutShort).toEqual({ asked: 1024, room: alt.tokenCount });
    expect(cutShortReason(alt)).toBe(
      `Stopped at ${alt.tokenCount.toLocaleString('en-US')} of 1,024 tokens: the model reads a limited window of text, and the text before the cursor left room for only ${alt.tokenCount.toLocaleString('en-US')} new ones. Ask for fewer tokens, or continue from here.`,
    );
    // A continuation that got all it asked for carries no such note.
    const short = await api.runTask({
      requestId: 'long-2',
      docId,
      kind: 'continue',
      textBefore,
      params: { ...params, maxNewTokens: 8 },
    });
    expect(short.alternatives[0].tokenCount).toBe(8);
    expect(short.alternatives[0].cutShort).toBeUndefined();
    expect(cutShortReason(short.alternatives[0])).toBeNull();
  });
});

describe('the status bar’s window plan', () => {
  it('plans with the length the suggestion will ask for, when the page sends it', async () => {
    const textBefore = 'The old lighthouse keeper climbed the stairs. '.repeat(200);
    const a = (await api.newDocument()).docId;
    const b = (await api.newDocument()).docId;
    const roomy = await api.describeWindow({ docId: a, textBefore, maxNewTokens: 8 });
    const long = await api.describeWindow({ docId: b, textBefore, maxNewTokens: 600 });
    // A 600-token suggestion leaves the window far less of the context than an 8-token one.
    expect(long.promptTokens).toBeLessThanOrEqual(long.contextLength - 600);
    expect(roomy.promptTokens).toBeGreaterThan(long.promptTokens);
    await expect(api.describeWindow({ docId: a, textBefore, maxNewTokens: 2000 })).rejects.toThrow(/maxNewTokens/);
  });
});
