import { describe, expect, it } from 'vitest';
import {
  banSequences,
  bannedSequences,
  frequencyPenalty,
  logitBias,
  noRepeatNgram,
  presencePenalty,
  repetitionPenalty,
} from '../../../electron/engine/generate/samplers';

const banned = (l: Float32Array) => [...l.keys()].filter((i) => l[i] === -Infinity);

describe('repetitionPenalty', () => {
  it('divides positive and multiplies negative logits of seen tokens, once per token', () => {
    const l = Float32Array.of(2, -2, 1, 0.5);
    repetitionPenalty(l, [0, 1, 0], 2, 0);
    expect([...l]).toEqual([1, -4, 1, 0.5]);
  });

  it('only looks back `range` tokens', () => {
    const l = Float32Array.of(2, -2, 1, 0.5);
    repetitionPenalty(l, [0, 1, 3, 0], 2, 1);
    expect([...l]).toEqual([1, -2, 1, 0.5]);
  });

  it('a penalty below 1 encourages repeats; 1 is off; ids outside the vocabulary are ignored', () => {
    const l = Float32Array.of(2, -2);
    repetitionPenalty(l, [0, 1, 7, -1], 0.5, 0);
    expect([...l]).toEqual([4, -1]);
    repetitionPenalty(l, [0, 1], 1, 0);
    expect([...l]).toEqual([4, -1]);
  });

  it('marks from one call do not leak into the next', () => {
    const l = Float32Array.of(2, 2);
    repetitionPenalty(l, [0], 2, 0);
    repetitionPenalty(l, [1], 2, 0);
    expect([...l]).toEqual([1, 1]);
  });
});

describe('presence and frequency penalties', () => {
  // history: one prompt token (0), then generated 1, 1, 2, 2, 2
  const history = [0, 1, 1, 2, 2, 2];

  it('presence subtracts once per distinct generated token, ignoring the prompt', () => {
    const l = new Float32Array(4);
    presencePenalty(l, history, 1, 0.5);
    expect([...l]).toEqual([0, -0.5, -0.5, 0]);
  });

  it('frequency subtracts per occurrence of each generated token', () => {
    const l = new Float32Array(4);
    frequencyPenalty(l, history, 1, 0.5);
    expect([...l]).toEqual([0, -1, -1.5, 0]);
  });

  it('negative amounts encourage', () => {
    const l = new Float32Array(3);
    presencePenalty(l, [2], 0, -1);
    expect([...l]).toEqual([0, 0, 1]);
  });
});

describe('noRepeatNgram', () => {
  it('bans exactly the tokens that would complete an n-gram seen before', () => {
    const l = new Float32Array(6);
    noRepeatNgram(l, [1, 2, 3, 1, 2], 3);
    expect(banned(l)).toEqual([3]);
    const m = new Float32Array(6);
    noRepeatNgram(m, [1, 2, 3, 1, 2, 4, 1, 2], 3);
    expect(banned(m)).toEqual([3, 4]);
  });

  it('bigrams: bans followers of the last token; unigrams: bans every seen token', () => {
    const l = new Float32Array(8);
    noRepeatNgram(l, [5, 6, 5], 2);
    expect(banned(l)).toEqual([6]);
    const m = new Float32Array(4);
    noRepeatNgram(m, [0, 2], 1);
    expect(banned(m)).toEqual([0, 2]);
  });

  it('bans nothing when the history is shorter than n or nothing matches, and works on Int32Array', () => {
    const l = new Float32Array(6);
    noRepeatNgram(l, [1, 2], 3);
    noRepeatNgram(l, Int32Array.of(1, 2, 3, 4), 2);
    expect(banned(l)).toEqual([]);
    noRepeatNgram(l, Int32Array.of(1, 2, 3, 1), 2);
    expect(banned(l)).toEqual([2]);
  });
});

describe('logitBias and banned sequences', () => {
  it('adds biases and bans with -Infinity', () => {
    const l = Float32Array.of(0, 1, 2, 3);
    logitBias(l, Int32Array.of(1, 2, 9), Float32Array.of(2, -Infinity, 5));
    expect([...l]).toEqual([0, 3, -Infinity, 3]);
  });

  it('bans single tokens outright and the last token of a sequence only after its prefix', () => {
    const seqs = [[3], [1, 2], [4, 5, 0]];
    const a = new Float32Array(6);
    banSequences(a, [0, 1], seqs);
    expect(banned(a)).toEqual([2, 3]);
    const b = new Float32Array(6);
    banSequences(b, [1, 0], seqs);
    expect(banned(b)).toEqual([3]);
    const c = new Float32Array(6);
    banSequences(c, [4, 5], seqs);
    expect(banned(c)).toEqual([0, 3]);
    const d = new Float32Array(6);
    banSequences(d, [5], seqs); // the prefix [4, 5] does not fit in the history
    expect(banned(d)).toEqual([3]);
  });

  it('bannedSequences encodes each word with/without a leading space and capitalised, deduplicated', () => {
    const encode = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
    const seqs = bannedSequences(['no', '  ', 'Yes'], encode);
    const texts = seqs.map((s) => String.fromCharCode(...s));
    expect(texts).toEqual(['no', ' no', 'No', ' No', 'Yes', ' Yes']);
  });
});
