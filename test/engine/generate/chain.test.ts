import { describe, expect, it } from 'vitest';
import { buildChain } from '../../../electron/engine/generate/samplers';
import { validateParams } from '../../../electron/engine/generate/params';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);
const kept = (l: Float32Array) => [...l.keys()].filter((i) => l[i] > -Infinity);

/** Parameters with every sampler off, plus the given changes. */
const plain = (changes: Record<string, unknown>) =>
  validateParams({ temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1, ...changes });

describe('buildChain', () => {
  it('runs samplers in the listed order: temperature before top-p narrows the nucleus', () => {
    // probs 0.6, 0.3, 0.1 at T=0.5 become ≈ 0.78, 0.20, 0.02.
    const base = { temperature: 0.5, topP: 0.7 };
    const tempFirst = logitsOf([0.6, 0.3, 0.1]);
    buildChain(plain({ ...base, samplerOrder: ['temperature', 'topP'] }))(tempFirst, [], 0);
    const topPFirst = logitsOf([0.6, 0.3, 0.1]);
    buildChain(plain({ ...base, samplerOrder: ['topP', 'temperature'] }))(topPFirst, [], 0);
    expect(kept(tempFirst)).toEqual([0]);
    expect(kept(topPFirst)).toEqual([0, 1]);
  });

  it('runs penalties before filters by default, and a sampler left out of the order does not run', () => {
    // Token 0 is the favourite; a repetition penalty of 3 pushes it below token 1 before top-k 1.
    const params = plain({ repetitionPenalty: 3, topK: 1 });
    const l = Float32Array.of(3, 2, 0);
    buildChain(params)(l, [0], 1);
    expect(kept(l)).toEqual([1]);
    const skipPenalty = Float32Array.of(3, 2, 0);
    buildChain({ ...params, samplerOrder: ['topK'] })(skipPenalty, [0], 1);
    expect(kept(skipPenalty)).toEqual([0]);
  });

  it('applies logit bias and banned sequences in the logitBias step', () => {
    const l = new Float32Array(5);
    buildChain(plain({ logitBias: { 1: -Infinity, 2: 4 } }), [[0, 3]])(l, [7, 0], 2);
    expect([...l]).toEqual([0, -Infinity, 4, -Infinity, 0]);
  });

  it('presence/frequency penalties count only tokens after the prompt', () => {
    const l = new Float32Array(3);
    buildChain(plain({ presencePenalty: 1, frequencyPenalty: 0.5 }))(l, [0, 1, 2, 2], 2);
    expect([...l]).toEqual([0, 0, -2]); // token 1 is prompt; token 2 generated twice: 1 + 2·0.5
  });

  it('at temperature 0 skips the shaping filters so the best token survives', () => {
    const probs = [0.5, 0.25, 0.125, 0.125];
    const greedy = logitsOf(probs);
    buildChain(plain({ temperature: 0, typicalP: 0.2 }))(greedy, [], 0);
    expect(kept(greedy)).toEqual([0, 1, 2, 3]);
    const sampled = logitsOf(probs);
    buildChain(plain({ temperature: 1, typicalP: 0.2 }))(sampled, [], 0);
    expect(kept(sampled)).toEqual([1]);
  });

  it('with every sampler off leaves the logits untouched', () => {
    const l = Float32Array.of(1.5, -2, 0.25);
    buildChain(plain({}))(l, [0, 1, 2, 0], 1);
    expect([...l]).toEqual([1.5, -2, 0.25]);
  });
});
