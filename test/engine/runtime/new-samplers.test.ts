/**
 * DRY, XTC and mirostat through the engine's decode loop on the tiny random model: the breaker
 * mask and protected tokens come from the tokenizer, and mirostat's state is per alternative.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';
import { convertedModelDir } from '../../helpers/converted';

let engine: Engine;
const tok = Gpt2Tokenizer.gpt2();

beforeAll(async () => {
  engine = (await loadModel(await convertedModelDir())).engine;
});

afterAll(async () => {
  await engine?.dispose();
});

/** Positions t ≥ from where the 3 tokens ending at t also occur earlier in `ids`. */
function repeatedTrigrams(ids: number[], from: number): number[] {
  const out: number[] = [];
  for (let t = Math.max(from, 2); t < ids.length; t++) {
    const key = ids.slice(t - 2, t + 1).join(',');
    for (let s = 2; s < t; s++) {
      if (ids.slice(s - 2, s + 1).join(',') === key) {
        out.push(t);
        break;
      }
    }
  }
  return out;
}

describe('new samplers in the engine', () => {
  const prompt = 'The old house on the hill';
  const greedy = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 40 };

  it('DRY breaks the loops greedy decoding falls into', async () => {
    const promptIds = tok.encode(prompt);
    const plain = await engine.generate({ prompt, params: greedy });
    const loops = repeatedTrigrams([...promptIds, ...plain.alternatives[0].tokenIds], promptIds.length);
    expect(loops.length).toBeGreaterThan(0); // the random model repeats itself without DRY
    // Allowed length 2 and a strong multiplier: continuing any repeated pair costs ≥ 5 logits, far
    // more than the tiny model's logits differ by, so no 3-token run repeats.
    const dry = await engine.generate({
      prompt,
      params: { ...greedy, dryMultiplier: 5, dryAllowedLength: 2, drySequenceBreakers: [] },
    });
    expect(repeatedTrigrams([...promptIds, ...dry.alternatives[0].tokenIds], promptIds.length)).toEqual([]);
  });

  it('DRY breakers come from the vocabulary: a match never runs through a breaker token', async () => {
    // The same strong DRY as above, but every token greedy decoding writes here is a breaker (its
    // text is in the list): every match stops at once, so DRY changes nothing and the loop stays.
    const plain = await engine.generate({ prompt, params: greedy });
    const breakers = [...new Set(plain.alternatives[0].tokenIds.map((id) => tok.tokenText(id)))];
    const dry = await engine.generate({
      prompt,
      params: { ...greedy, dryMultiplier: 5, dryAllowedLength: 2, drySequenceBreakers: breakers },
    });
    expect(dry.alternatives[0].tokenIds).toEqual(plain.alternatives[0].tokenIds);
  });

  it('mirostat and XTC are reproducible with a seed, alternative by alternative', async () => {
    const params = {
      temperature: 1,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
      maxNewTokens: 12,
      seed: 5,
      mirostatTau: 3,
      xtcProbability: 0.5,
    };
    const one = await engine.generate({ prompt, params: { ...params, alternatives: 1 } });
    const three = await engine.generate({ prompt, params: { ...params, alternatives: 3 } });
    const again = await engine.generate({ prompt, params: { ...params, alternatives: 3 } });
    // Each alternative has its own mirostat bound: alternative 0 draws the same with 1 or 3.
    expect(three.alternatives[0].tokenIds).toEqual(one.alternatives[0].tokenIds);
    expect(again.alternatives.map((a) => a.tokenIds)).toEqual(three.alternatives.map((a) => a.tokenIds));
  });
});
