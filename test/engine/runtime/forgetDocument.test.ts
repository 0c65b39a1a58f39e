// Closing a document (backend closeDocument → EngineManager.forgetDocument → the host's `forget`)
// drops what the engine keeps for it: its cached K/V and window, and its panes' (`docId~…`), and
// nothing of any other document. Seen through the next request's reused tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { convertedModelDir } from '../../helpers/converted';

let engine: Engine;
beforeAll(async () => {
  engine = (await loadModel(await convertedModelDir())).engine;
});
afterAll(async () => {
  await engine?.dispose();
});

const TEXT = 'The harbour was quiet that morning, and the boats lay still on the grey water. ';
const params = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 1 };
const reused = async (cacheKey: string) =>
  (await engine.generate({ prompt: TEXT.repeat(3), cacheKey, params })).stats.reusedTokens;

describe('forgetting a closed document', () => {
  it("drops the document's and its panes' caches, and keeps the other documents'", async () => {
    for (const key of ['d1', 'd1~translate', 'd2']) expect(await reused(key)).toBe(0);
    // Cached now: a second request reuses all but the last token.
    expect(await reused('d2')).toBeGreaterThan(10);
    expect(engine.forgetDocument('d1')).toBe(2);
    expect(await reused('d1')).toBe(0);
    expect(await reused('d1~translate')).toBe(0);
    expect(await reused('d2')).toBeGreaterThan(10);
    // A document id that is a prefix of another's is not confused with it.
    expect(engine.forgetDocument('d')).toBe(0);
    expect(engine.forgetDocument('nothing-here')).toBe(0);
  });
});
