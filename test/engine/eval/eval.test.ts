/**
 * `inkling eval`'s measurements on a tiny random model, against independent computations with the
 * float64 reference forward pass. The model has a 64-token context so a text of a few hundred tokens
 * spans several windows. Tolerance: the fp32 graph is within 1e-4 of the reference on logits, so a
 * mean log-probability (and the log of a perplexity) agrees to 1e-4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { referenceForward } from '../../../electron/engine/reference';
import { loadCheckpoint } from '../../../electron/engine/weights';
import type { Gpt2Weights } from '../../../electron/engine/weights/types';
import {
  engineScorer,
  lambadaScore,
  paperRow,
  slidingPerplexity,
  slidingWindows,
  splitLastWord,
} from '../../../electron/engine/eval';
import { tinyModelDir } from '../../helpers/models';
import { convertedModelDir } from '../../helpers/converted';
import { WIKI_ROWS, guidePerplexity, referenceLambada } from '../../helpers/evalReference';

const SHAPE = { positions: 64 } as const;
const TOL = 1e-4;
let engine: Engine;
let weights: Gpt2Weights & { close(): void };

beforeAll(async () => {
  engine = (await loadModel(await convertedModelDir(SHAPE))).engine;
  weights = await loadCheckpoint(await tinyModelDir(SHAPE));
});

afterAll(async () => {
  await engine?.dispose();
  weights?.close();
});

describe('slidingWindows', () => {
  it('matches the guide written out for 2,500 tokens, context 1024, stride 512', () => {
    expect(slidingWindows(2500, 1024, 512)).toEqual([
      { begin: 0, end: 1024, first: 1 }, // all but the first token
      { begin: 512, end: 1536, first: 1024 }, // the last 512 of each later window
      { begin: 1024, end: 2048, first: 1536 },
      { begin: 1536, end: 2500, first: 2048 }, // 452: the last window stops at the text's end
    ]);
  });

  it('with stride = context the windows do not overlap and each window loses its first token', () => {
    const w = slidingWindows(2500, 1024, 1024);
    expect(w).toEqual([
      { begin: 0, end: 1024, first: 1 },
      { begin: 1024, end: 2048, first: 1025 },
      { begin: 2048, end: 2500, first: 2049 },
    ]);
    expect(w.reduce((n, x) => n + x.end - x.first, 0)).toBe(1023 + 1023 + 451);
  });

  it('scores every token but the first exactly once for any stride below the context', () => {
    for (const [n, ctx, stride] of [
      [10, 4, 2],
      [1000, 64, 7],
      [65, 64, 63],
      [3, 1024, 512],
    ]) {
      const seen = new Array<number>(n).fill(0);
      for (const w of slidingWindows(n, ctx, stride)) {
        expect(w.end - w.begin).toBeLessThanOrEqual(ctx);
        for (let t = w.first; t < w.end; t++) seen[t]++;
      }
      expect(seen).toEqual([0, ...new Array<number>(n - 1).fill(1)]);
    }
  });

  it('refuses a stride larger than the context, and a text too short to score, with sentences', () => {
    expect(() => slidingWindows(100, 64, 65)).toThrow(
      /stride must be a whole number of tokens from 1 to the context \(64\)/,
    );
    expect(() => slidingWindows(100, 64, 0)).toThrow(/stride/);
    expect(() => slidingWindows(1, 64, 32)).toThrow(/at least 2 tokens/);
  });
});

describe('slidingPerplexity on the engine', () => {
  const ids = (): number[] => engine.tokenize(WIKI_ROWS.join('\n\n'));

  it('spans several windows of the 64-token context', () => {
    expect(ids().length).toBeGreaterThan(100); // 4 windows at stride 32
  });

  for (const stride of [32, 64]) {
    it(`equals the guide's loop on the float64 reference (stride ${stride})`, async () => {
      const text = ids();
      const r = await slidingPerplexity(text, engineScorer(engine), { context: 64, stride });
      const ref = guidePerplexity(weights, text, 64, stride);
      expect(r.scoredTokens).toBe(ref.count);
      expect(Math.abs(r.nll / r.scoredTokens - ref.nll / ref.count)).toBeLessThan(TOL);
      expect(Math.abs(Math.log(r.perplexity) - Math.log(Math.exp(ref.nll / ref.count)))).toBeLessThan(TOL);
      expect(r.windows).toBe(slidingWindows(text.length, 64, stride).length);
    });
  }

  it('a smaller stride gives each token more context, so the two strides differ', async () => {
    const text = ids();
    const a = await slidingPerplexity(text, engineScorer(engine), { context: 64, stride: 32 });
    const b = await slidingPerplexity(text, engineScorer(engine), { context: 64, stride: 64 });
    expect(a.scoredTokens).toBe(text.length - 1);
    expect(b.scoredTokens).toBeLessThan(a.scoredTokens);
    expect(a.nll).not.toBeCloseTo(b.nll, 3);
  });

  it('reports progress window by window', async () => {
    const seen: Array<[number, number]> = [];
    const r = await slidingPerplexity(ids(), engineScorer(engine), {
      context: 64,
      stride: 32,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen[0]).toEqual([0, r.windows]);
    expect(seen.at(-1)).toEqual([r.windows, r.windows]);
    expect(seen).toHaveLength(r.windows + 1);
  });
});

/** The reference model's greedy next token after `ids`, and its margin over the runner-up. */
function referenceNext(ids: number[]): { id: number; margin: number } {
  const row = referenceForward(weights, ids).at(-1)!;
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  let second = -Infinity;
  for (let i = 0; i < row.length; i++) if (i !== best) second = Math.max(second, row[i]);
  return { id: best, margin: row[best] - second };
}

describe('lambadaScore on the engine', () => {
  const CONTEXTS = [
    'She looked at the old map for a long time and then',
    'He opened the door and saw that the',
    'After the storm the village was quiet and the',
    'The letter was short and it said only',
    'They walked along the river until they found the',
    'My grandmother always kept a jar of',
  ];

  /** Passages whose last word is the reference model's own greedy choice: the known answer is "correct". */
  function knownCorrect(): string[] {
    const out: string[] = [];
    for (const c of CONTEXTS) {
      const ctx = engine.tokenize(c);
      const next = referenceNext(ctx);
      const word = engine.tokenizer.decode([next.id]);
      // A one-token word that re-encodes to itself, with a clear margin over the runner-up (the graph
      // is within 1e-4 of the reference; a near-tie could go either way).
      if (!/^ [A-Za-z]+$/.test(word) || next.margin < 1e-3) continue;
      if (engine.tokenize(word).join() !== String(next.id)) continue;
      out.push(c + word);
    }
    return out;
  }

  it('counts a passage ending in the greedy choice as correct, and one with another word as wrong', async () => {
    const right = knownCorrect();
    expect(right.length).toBeGreaterThanOrEqual(2);
    const wrong = right.map((t) => {
      const { context, target } = splitLastWord(t);
      return context + (target === ' elephant' ? ' giraffe' : ' elephant');
    });
    const score = engineScorer(engine);
    const encode = (s: string) => engine.tokenize(s);
    const a = await lambadaScore(right, encode, score, { context: 64 });
    expect(a.correct).toBe(right.length);
    expect(a.accuracy).toBe(1);
    const b = await lambadaScore(wrong, encode, score, { context: 64 });
    expect(b.correct).toBe(0);
    const mixed = await lambadaScore([...right, ...wrong], encode, score, { context: 64 });
    expect(mixed.accuracy).toBeCloseTo(0.5, 12);
  });

  it('equals an independent computation on the reference: accuracy, word and token perplexity', async () => {
    const texts = [
      ...knownCorrect(),
      'It was raining when she finally reached the lighthouse',
      'Nobody expected the quiet boy to draw a Quetzalcoatlus',
    ];
    const r = await lambadaScore(texts, (s) => engine.tokenize(s), engineScorer(engine), { context: 64 });
    const ref = referenceLambada(weights, (s) => engine.tokenize(s), texts);
    expect(r.passages).toBe(texts.length);
    expect(r.correct).toBe(ref.correct);
    expect(r.targetTokens).toBe(ref.targetTokens);
    expect(Math.abs(Math.log(r.wordPerplexity) - ref.nll / texts.length)).toBeLessThan(TOL);
    expect(Math.abs(Math.log(r.tokenPerplexity) - ref.nll / ref.targetTokens)).toBeLessThan(TOL);
    expect(r.targetTokens).toBeGreaterThan(texts.length); // some last words are several tokens
  });

  it('needs every token of a longer last word to be the greedy choice, not only the first', async () => {
    // The greedy one-token word with letters glued on: its first token stays the greedy choice, the rest
    // (checked on the reference) are not.
    const passages: string[] = [];
    for (const t of knownCorrect()) {
      const { context, target } = splitLastWord(t);
      const first = engine.tokenize(target)[0];
      for (const suffix of ['zzq', 'qx', 'xkcd', 'vv']) {
        const longer = engine.tokenize(target + suffix);
        if (longer.length > 1 && longer[0] === first) {
          passages.push(context + target + suffix);
          break;
        }
      }
    }
    expect(passages.length).toBeGreaterThanOrEqual(1);
    const ref = referenceLambada(weights, (s) => engine.tokenize(s), passages);
    expect(ref.correct).toBe(0);
    const r = await lambadaScore(passages, (s) => engine.tokenize(s), engineScorer(engine), { context: 64 });
    expect(r.correct).toBe(0);
  });

  it('cuts a context longer than the model from the left and says how many were cut', async () => {
    const long = `${'word '.repeat(100)}end`;
    const r = await lambadaScore([long], (s) => engine.tokenize(s), engineScorer(engine), { context: 64 });
    expect(r.truncated).toBe(1);
    expect(r.passages).toBe(1);
  });

  it('splits a passage at its last space like the harness, and refuses one without a last word', () => {
    expect(splitLastWord('the cat sat on the mat')).toEqual({ context: 'the cat sat on the', target: ' mat' });
    expect(() => splitLastWord('single')).toThrow(/no last word/);
    expect(() => splitLastWord('ends with a space ')).toThrow(/no last word/);
  });
});

describe('paperRow', () => {
  it("finds the GPT-2 paper's Table 3 row by shape", () => {
    expect(paperRow({ nLayer: 12, nEmbd: 768 })).toMatchObject({
      size: '117M',
      wikitext2Perplexity: 29.41,
      lambadaPerplexity: 35.13,
      lambadaAccuracy: 45.99,
    });
    expect(paperRow({ nLayer: 48, nEmbd: 1600 })).toMatchObject({
      size: '1542M',
      wikitext2Perplexity: 18.34,
      lambadaPerplexity: 8.63,
      lambadaAccuracy: 63.24,
    });
    expect(paperRow({ nLayer: 6, nEmbd: 768 })).toBeNull(); // distilgpt2
  });
});
