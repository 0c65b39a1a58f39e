// Prompt chunks (runtime/engine.ts prefillChunk): 256 rows for GPT-2 124M (n_embd 768), 128 for
// medium, 64 for the wider ones (large/XL), whose per-row activations are larger. The same real
// decoder (the tiny random model) is driven through an Engine that reports a wider n_embd, and every
// forward() call's row count is recorded: the chunking follows the width, the result does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, loadModel } from '../../../electron/engine/runtime';
import type { Decoder, KvState } from '../../../electron/engine/runtime';
import { prefillChunk } from '../../../electron/engine/runtime/engine';
import { convertedModelDir } from '../../helpers/converted';

/** Delegates to a real decoder, reporting `nEmbd` as its width and recording each call's rows. */
function recording(inner: Decoder, nEmbd: number): { decoder: Decoder; rows: number[] } {
  const rows: number[] = [];
  const decoder: Decoder = {
    info: { ...inner.info, nEmbd },
    newState: (b, c) => inner.newState(b, c),
    forward: (s: KvState, t, at) => {
      rows.push(t[0].length);
      return inner.forward(s, t, at);
    },
    truncate: (s, n) => inner.truncate(s, n),
    fork: (s, b, c) => inner.fork(s, b, c),
    dispose: async () => {},
  };
  return { decoder, rows };
}

let base: Engine;
beforeAll(async () => {
  base = (await loadModel(await convertedModelDir())).engine;
});
afterAll(async () => {
  await base?.dispose();
});

describe('prompt chunks', () => {
  it('are 256 rows for n_embd 768, 128 for 1024, 64 above', () => {
    expect([768, 1024, 1280, 1600].map(prefillChunk)).toEqual([256, 128, 64, 64]);
  });

  it('follow the model width when a long prompt is read, with the same continuation either way', async () => {
    const prompt = 'It was a dark and stormy night; the rain fell in torrents. '.repeat(40);
    const params = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 4 };
    const narrow = recording(base.decoder, 768);
    const wide = recording(base.decoder, 1600);
    const a = await new Engine(base.tokenizer, narrow.decoder).generate({ prompt, params });
    const b = await new Engine(base.tokenizer, wide.decoder).generate({ prompt, params });
    const promptTokens = base.tokenize(prompt).length;
    expect(promptTokens).toBeGreaterThan(256);
    // Prefill calls are the multi-row ones plus the last chunk; decode steps are one row each.
    const prefill = (rows: number[]) => rows.slice(0, Math.ceil(promptTokens / Math.max(...rows)));
    expect(
      prefill(narrow.rows)
        .slice(0, -1)
        .every((r) => r === 256),
    ).toBe(true);
    expect(prefill(wide.rows).every((r) => r <= 64)).toBe(true);
    expect(wide.rows.filter((r) => r > 1).length).toBeGreaterThan(narrow.rows.filter((r) => r > 1).length);
    expect(narrow.rows.slice(0, -3).reduce((x, y) => x + y, 0)).toBe(promptTokens);
    expect(wide.rows.slice(0, -3).reduce((x, y) => x + y, 0)).toBe(promptTokens);
    expect(a.alternatives[0].text.length).toBeGreaterThan(0);
    expect(b.alternatives[0].text).toBe(a.alternatives[0].text);
  });
});
