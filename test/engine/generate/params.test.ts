import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PARAMS,
  DEFAULT_SAMPLER_ORDER,
  PARAM_SPECS,
  ParamError,
  validateParams,
} from '../../../electron/engine/generate/params';

/** The message validateParams throws for this input. */
function errorOf(input: unknown, vocabSize?: number): string {
  try {
    validateParams(input, { vocabSize });
  } catch (e) {
    expect(e).toBeInstanceOf(ParamError);
    return (e as Error).message;
  }
  throw new Error('expected validateParams to throw');
}

describe('validateParams', () => {
  it('fills defaults, with fresh arrays the caller may change', () => {
    const p = validateParams(undefined);
    expect(p).toEqual(DEFAULT_PARAMS);
    expect(p.samplerOrder).not.toBe(DEFAULT_PARAMS.samplerOrder);
    expect(validateParams({ temperature: 0.3, topK: undefined })).toEqual({ ...DEFAULT_PARAMS, temperature: 0.3 });
  });

  it('names a likely typo', () => {
    expect(errorOf({ tempreature: 1 })).toBe("unknown sampling parameter 'tempreature' (did you mean 'temperature'?)");
    expect(errorOf({ top_k: 3 })).toBe("unknown sampling parameter 'top_k' (did you mean 'topK'?)");
    expect(errorOf({ banana: 1 })).toMatch(/^unknown sampling parameter 'banana' \(known: temperature, topK, /);
  });

  it('states the parameter, the range and the value found', () => {
    expect(errorOf({ temperature: 7 })).toBe("sampling parameter 'temperature' must be a number from 0 to 5, found 7");
    expect(errorOf({ temperature: NaN })).toBe(
      "sampling parameter 'temperature' must be a number from 0 to 5, found NaN",
    );
    expect(errorOf({ temperature: '0.7' })).toBe(
      'sampling parameter \'temperature\' must be a number from 0 to 5, found "0.7" (text)',
    );
    expect(errorOf({ topK: 2.5 })).toBe("sampling parameter 'topK' must be a whole number from 0 to 50257, found 2.5");
    expect(errorOf({ topP: 0 })).toBe(
      "sampling parameter 'topP' must be a number greater than 0 and at most 1, found 0",
    );
    expect(errorOf({ repetitionPenalty: 0.1 })).toMatch(
      /'repetitionPenalty' must be a number from 0.5 to 3, found 0.1/,
    );
    expect(errorOf({ maxNewTokens: 0 })).toMatch(/'maxNewTokens' must be a whole number from 1 to 1024, found 0/);
    expect(errorOf({ alternatives: 9 })).toMatch(/'alternatives' .* from 1 to 8, found 9/);
    expect(errorOf({ presencePenalty: true })).toMatch(/'presencePenalty' .* from -2 to 2, found true$/);
    expect(errorOf('hot')).toMatch(/must be an object .* found "hot"/);
  });

  it('accepts a seed or null', () => {
    expect(validateParams({ seed: null }).seed).toBeNull();
    expect(validateParams({ seed: 4294967295 }).seed).toBe(4294967295);
    expect(errorOf({ seed: -1 })).toMatch(
      /'seed' must be a whole number from 0 to 4294967295 or null for a random seed, found -1/,
    );
    expect(errorOf({ seed: 2 ** 32 })).toMatch(/'seed'/);
  });

  it('checks logitBias keys and values, and spells bans for JSON as "-inf"', () => {
    expect(validateParams({ logitBias: { 50256: '-inf', 13: 2.5 } }).logitBias).toEqual({ 50256: -Infinity, 13: 2.5 });
    expect(validateParams({ logitBias: { 7: -Infinity } }).logitBias[7]).toBe(-Infinity);
    expect(errorOf({ logitBias: { abc: 1 } })).toMatch(/'logitBias' keys must be token ids .* found "abc"/);
    expect(errorOf({ logitBias: { 60000: 1 } }, 50257)).toMatch(/below 50257\), found "60000"/);
    expect(errorOf({ logitBias: { 5: 200 } })).toMatch(/for token 5 must be a number from -100 to 100 .* found 200/);
    expect(errorOf({ logitBias: { 5: Infinity } })).toMatch(/found Infinity/);
    expect(errorOf({ logitBias: [1] })).toMatch(/'logitBias' must be an object .* found \[1\]/);
  });

  it('checks word lists and the sampler order', () => {
    expect(validateParams({ stop: ['\n\n'], bannedWords: ['darn'] })).toMatchObject({
      stop: ['\n\n'],
      bannedWords: ['darn'],
    });
    expect(errorOf({ stop: '\n' })).toMatch(/'stop' must be a list of stop texts, found "\\n"$/);
    expect(errorOf({ stop: ['a', ''] })).toMatch(/'stop' item 1 must be non-empty text, found ""$/);
    expect(errorOf({ bannedWords: ['ok', 3] })).toMatch(/'bannedWords' item 1 .* found 3/);
    expect(validateParams({ samplerOrder: ['topK', 'temperature'] }).samplerOrder).toEqual(['topK', 'temperature']);
    expect(errorOf({ samplerOrder: ['topk'] })).toBe("unknown sampler 'topk' (did you mean 'topK'?)");
    expect(errorOf({ samplerOrder: ['topK', 'topK'] })).toMatch(/lists 'topK' twice/);
  });

  it('reports the offending parameter on the error', () => {
    try {
      validateParams({ minP: 2 });
    } catch (e) {
      expect((e as ParamError).param).toBe('minP');
    }
    expect.assertions(1);
  });
});

describe('PARAM_SPECS', () => {
  it('describes every parameter, with the defaults', () => {
    expect(PARAM_SPECS.map((s) => s.name).sort()).toEqual(Object.keys(DEFAULT_PARAMS).sort());
    for (const spec of PARAM_SPECS) {
      expect(spec.default, spec.name).toEqual(DEFAULT_PARAMS[spec.name]);
      expect(spec.description.length, spec.name).toBeGreaterThan(20);
    }
    expect(DEFAULT_PARAMS.samplerOrder).toEqual(DEFAULT_SAMPLER_ORDER);
  });

  it('has bounds that validateParams enforces exactly', () => {
    for (const spec of PARAM_SPECS) {
      const { name, min, max } = spec;
      if (min === undefined || max === undefined) continue;
      expect(validateParams({ [name]: max })[name], name).toBe(max);
      expect(() => validateParams({ [name]: max + 1 }), name).toThrow(ParamError);
      expect(() => validateParams({ [name]: min - 1 }), name).toThrow(ParamError);
      if (spec.minExclusive) expect(() => validateParams({ [name]: min }), name).toThrow(ParamError);
      else expect(validateParams({ [name]: min })[name], name).toBe(min);
      if (spec.sliderMax !== undefined) expect(spec.sliderMax).toBeLessThanOrEqual(max);
      if (spec.off !== undefined) expect(validateParams({ [name]: spec.off })[name]).toBe(spec.off);
    }
  });
});
