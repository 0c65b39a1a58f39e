/**
 * DRY, XTC and mirostat v2 against written-out examples: every expected number is worked out by
 * hand in the comments next to it.
 */
import { describe, expect, it } from 'vitest';
import {
  Mirostat,
  dryBreakerMask,
  dryPenalty,
  mirostatTruncate,
  mirostatUpdate,
  xtc,
  buildChain,
} from '../../../electron/engine/generate/samplers';
import { DEFAULT_SAMPLER_ORDER, validateParams } from '../../../electron/engine/generate/params';
import { Rng } from '../../../electron/engine/generate/sample';
import { createStepper } from '../../../electron/engine/generate/step';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);
const kept = (l: Float32Array) => [...l.keys()].filter((i) => l[i] > -Infinity);
const zeros = (n: number) => new Float32Array(n);
/** Breaker mask with token 9 as the only breaker. */
const NINE = (() => {
  const m = new Uint8Array(10);
  m[9] = 1;
  return m;
})();
const dry = { multiplier: 0.8, base: 1.75, allowedLength: 2, range: 0 };

describe('dryPenalty', () => {
  it('penalises the token that would continue a repeat by multiplier · base^(length − allowed)', () => {
    // History 1 2 3 4 5 1 2 3: the end "1 2 3" occurred before (positions 0–2), followed by 4.
    // Match length 3, allowed 2 → penalty 0.8 · 1.75^(3−2) = 0.8 · 1.75 = 1.4, on token 4 only.
    const l = zeros(10);
    dryPenalty(l, [1, 2, 3, 4, 5, 1, 2, 3], dry);
    expect(l[4]).toBeCloseTo(-1.4, 6);
    expect([...l].filter((v) => v !== 0)).toHaveLength(1);
  });

  it('leaves repeats shorter than the allowed length alone', () => {
    // Same text, allowed length 4: the match of 3 is below it → no penalty anywhere.
    const l = zeros(10);
    dryPenalty(l, [1, 2, 3, 4, 5, 1, 2, 3], { ...dry, allowedLength: 4 });
    expect([...l].every((v) => v === 0)).toBe(true);
  });

  it('stops a match at a sequence breaker', () => {
    // History 1 9 2 3 4 5 9 2 3, breaker 9. The end "2 3" matches positions 2–3 (followed by 4);
    // going back, both sides hold 9, but 9 is a breaker: the match ends at 2 tokens.
    // Penalty 0.8 · 1.75^(2−2) = 0.8.
    const withBreaker = zeros(10);
    dryPenalty(withBreaker, [1, 9, 2, 3, 4, 5, 9, 2, 3], { ...dry, breakerMask: NINE });
    expect(withBreaker[4]).toBeCloseTo(-0.8, 6);
    // Without breakers the match runs through the 9 and stops at 1 ≠ 5: length 3 → 1.4.
    const without = zeros(10);
    dryPenalty(without, [1, 9, 2, 3, 4, 5, 9, 2, 3], dry);
    expect(without[4]).toBeCloseTo(-1.4, 6);
  });

  it('does nothing after a breaker, and never penalises a breaker that would follow', () => {
    const afterBreaker = zeros(10);
    dryPenalty(afterBreaker, [1, 2, 9, 1, 2, 9], { ...dry, breakerMask: NINE });
    expect([...afterBreaker].every((v) => v === 0)).toBe(true);
    // "1 2" repeats, but what followed it was the breaker 9: nothing is penalised.
    const nextIsBreaker = zeros(10);
    dryPenalty(nextIsBreaker, [1, 2, 9, 1, 2], { ...dry, allowedLength: 1, breakerMask: NINE });
    expect([...nextIsBreaker].every((v) => v === 0)).toBe(true);
  });

  it('penalises each continuation by its own longest match', () => {
    // History 3 4 2 3 5 1 2 3, allowed length 1. The last token 3 occurred at 0 (followed by 4,
    // match 1: nothing before it) and at 3 (followed by 5; 2 before it equals the 2 before the
    // end, then 4 ≠ 1: match 2). Token 4: 0.8 · 1.75^0 = 0.8; token 5: 0.8 · 1.75^1 = 1.4.
    const l = zeros(10);
    dryPenalty(l, [3, 4, 2, 3, 5, 1, 2, 3], { ...dry, allowedLength: 1 });
    expect(l[4]).toBeCloseTo(-0.8, 6);
    expect(l[5]).toBeCloseTo(-1.4, 6);
    expect(l[3]).toBe(0);
  });

  it('searches only the last `range` tokens; multiplier 0 is off', () => {
    // Range 4 sees "5 1 2 3": the earlier "1 2 3 4" is out of reach → no penalty.
    const l = zeros(10);
    dryPenalty(l, [1, 2, 3, 4, 5, 1, 2, 3], { ...dry, range: 4 });
    expect([...l].every((v) => v === 0)).toBe(true);
    dryPenalty(l, [1, 2, 3, 4, 5, 1, 2, 3], { ...dry, multiplier: 0 });
    expect([...l].every((v) => v === 0)).toBe(true);
  });

  it('marks every token whose text contains a breaker', () => {
    const texts = ['a', '\n', 'b\n', ':x', 'y"'];
    expect([...dryBreakerMask(['\n', ':'], texts.length, (id) => texts[id])]).toEqual([0, 1, 1, 1, 0]);
    expect([...dryBreakerMask([], texts.length, (id) => texts[id])]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('xtc', () => {
  const probs = [0.5, 0.3, 0.15, 0.05];

  it('removes every token at or above the threshold except the least likely of them', () => {
    // Threshold 0.1: tokens 0 (0.5), 1 (0.3) and 2 (0.15) qualify; 2 is the least likely and
    // stays, 0 and 1 go. Token 3 (0.05) is below the threshold and stays.
    const l = logitsOf(probs);
    expect(xtc(l, 0.1, 1, 0.5)).toBe(true);
    expect(kept(l)).toEqual([2, 3]);
  });

  it('acts only when the roll is below the probability, and only with two or more top choices', () => {
    const l = logitsOf(probs);
    expect(xtc(l, 0.1, 0.5, 0.6)).toBe(false); // 0.6 ≥ 0.5: not this time
    expect(xtc(l, 0.4, 1, 0)).toBe(false); // only token 0 reaches 0.4: nothing to exclude
    expect(xtc(l, 0.1, 0, 0)).toBe(false); // probability 0 is off
    expect(kept(l)).toEqual([0, 1, 2, 3]);
  });

  it('leaves everything when it would remove a protected token (line break, end of text)', () => {
    const l = logitsOf(probs);
    expect(xtc(l, 0.1, 1, 0, [1])).toBe(false);
    expect(kept(l)).toEqual([0, 1, 2, 3]);
    // A protected token that is the one kept does not stop it.
    expect(xtc(l, 0.1, 1, 0, [2])).toBe(true);
    expect(kept(l)).toEqual([2, 3]);
  });
});

describe('mirostat v2', () => {
  // Probabilities 1/2, 1/4, 1/8, 1/8 have surprises −log2 p = 1, 2, 3, 3 bits.
  const probs = [0.5, 0.25, 0.125, 0.125];

  it('keeps the tokens whose surprise is at most mu, and returns their normaliser', () => {
    const l = logitsOf(probs);
    // mu 2.5: surprises 1 and 2 are kept, 3 and 3 are not; kept mass 0.5 + 0.25 = 0.75.
    const lse = mirostatTruncate(l, 2.5);
    expect(kept(l)).toEqual([0, 1]);
    expect(lse).toBeCloseTo(Math.log(0.75), 6);
  });

  it('keeps the likeliest token when every token is more surprising than mu', () => {
    const l = logitsOf(probs);
    mirostatTruncate(l, 0.5); // the best token's surprise is 1 > 0.5
    expect(kept(l)).toEqual([0]);
  });

  it('moves mu by eta × (target − observed surprise)', () => {
    // Chosen token renormalised: 0.25 / 0.75 = 1/3, surprise log2 3 ≈ 1.58496 bits.
    // tau 3, eta 0.1: mu = 2 − 0.1 · (1.58496 − 3) = 2 + 0.141504 = 2.141504.
    expect(mirostatUpdate(2, 3, 0.1, Math.log(1 / 3))).toBeCloseTo(2.141504, 5);
  });

  it('starts at 2·tau and learns from the chosen token', () => {
    // tau 1.25 → mu 2.5: tokens 0 and 1 kept. Choosing 0: p = 0.5/0.75 = 2/3, surprise
    // log2 1.5 ≈ 0.58496; mu = 2.5 − 0.1 · (0.58496 − 1.25) = 2.5 + 0.066504 = 2.566504.
    const m = new Mirostat(1.25, 0.1);
    expect(m.mu).toBe(2.5);
    m.truncate(logitsOf(probs));
    m.chosen(0);
    expect(m.mu).toBeCloseTo(2.566504, 5);
  });

  it('keeps its state per chain: one generation learns, a new one starts again at 2·tau', () => {
    // tau 1.1 → mu 2.2 keeps tokens 0 and 1. eta 1: choosing token 1 (renormalised 1/3, surprise
    // log2 3 ≈ 1.58496) gives mu = 2.2 − 1 · (1.58496 − 1.1) = 1.71504, below token 1's surprise of
    // 2: the next step keeps token 0 only.
    const params = validateParams({
      temperature: 1,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
      mirostatTau: 1.1,
      mirostatEta: 1,
    });
    const chain = buildChain(params);
    const first = logitsOf(probs);
    chain(first, [], 0, new Rng(1));
    expect(kept(first)).toEqual([0, 1]);
    chain.chosen(1);
    const second = logitsOf(probs);
    chain(second, [], 0, new Rng(1));
    expect(kept(second)).toEqual([0]);
    const fresh = logitsOf(probs);
    buildChain(params)(fresh, [], 0, new Rng(1));
    expect(kept(fresh)).toEqual([0, 1]);
  });
});

describe('the new samplers in the chain', () => {
  it('default order: penalties, DRY, bias, temperature, filters, XTC, mirostat', () => {
    expect(DEFAULT_SAMPLER_ORDER).toEqual([
      'repetitionPenalty',
      'presencePenalty',
      'frequencyPenalty',
      'noRepeatNgram',
      'dry',
      'logitBias',
      'temperature',
      'topK',
      'typicalP',
      'topP',
      'minP',
      'xtc',
      'mirostat',
    ]);
  });

  it('XTC draws from the generation generator only when it is on, so old seeds give old results', () => {
    const noDraw = {
      next: () => {
        throw new Error('drew');
      },
    } as unknown as Rng;
    const off = validateParams({ temperature: 1, topK: 0, topP: 1, repetitionPenalty: 1 });
    expect(() => buildChain(off)(logitsOf([0.5, 0.3, 0.2]), [], 0, noDraw)).not.toThrow();
    const on = validateParams({
      temperature: 1,
      topK: 0,
      topP: 1,
      repetitionPenalty: 1,
      xtcProbability: 1,
      xtcThreshold: 0.1,
    });
    const l = logitsOf([0.5, 0.3, 0.2]);
    buildChain(on, { xtcProtected: [] })(l, [], 0, new Rng(7));
    expect(kept(l)).toEqual([2]); // 0.5, 0.3, 0.2 all ≥ 0.1: only the least likely stays
  });

  it('runs DRY at temperature 0 (a penalty) but not XTC or mirostat (shaping)', () => {
    // Greedy: token 4 (logit 1) would win; DRY's 1.4 penalty (see above) drops it to −0.4 < 0.
    const params = validateParams({
      temperature: 0,
      repetitionPenalty: 1,
      dryMultiplier: 0.8,
      xtcProbability: 1,
      mirostatTau: 0.1,
    });
    const stepper = createStepper(params, {});
    const l = zeros(10);
    l[4] = 1;
    const { id } = stepper(l, [1, 2, 3, 4, 5, 1, 2, 3], 8, new Rng(3));
    expect(id).toBe(0);
  });

  it('validates the new parameters with ranges a writer can act on', () => {
    expect(() => validateParams({ xtcThreshold: 0.6 })).toThrow(
      "sampling parameter 'xtcThreshold' must be a number from 0 to 0.5, found 0.6",
    );
    expect(() => validateParams({ dryAllowedLength: 0 })).toThrow(
      "'dryAllowedLength' must be a whole number from 1 to 20",
    );
    expect(() => validateParams({ drySequenceBreakers: '\n' })).toThrow(
      "'drySequenceBreakers' must be a list of texts",
    );
    expect(() => validateParams({ mirostatTau: -1 })).toThrow("'mirostatTau' must be a number from 0 to 10");
    expect(() => validateParams({ samplerOrder: ['drv'] })).toThrow("did you mean 'dry'?");
    expect(validateParams({}).drySequenceBreakers).toEqual(['\n', ':', '"', '*']);
  });
});
