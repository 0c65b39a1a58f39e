/**
 * `/v1/completions` request parsing: OpenAI's defaults (never the app's), the extensions, and a
 * clear 400 naming the parameter for every bad value.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, DEFAULT_SAMPLER_ORDER, PARAM_SPECS, validateParams } from '../../electron/engine/generate';
import { ApiError, parseCompletionRequest } from '../../electron/serve';

const ctx = { vocabSize: 50257, contextLength: 1024 };
const parse = (body: Record<string, unknown>) => parseCompletionRequest({ model: 'm', prompt: 'Hi', ...body }, ctx);

function error(body: unknown): ApiError {
  try {
    parseCompletionRequest(body, ctx);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the request to be refused');
}

describe('completions request', () => {
  it('a request that sets nothing gets OpenAI’s defaults for every engine parameter, not the app’s', () => {
    const plan = parseCompletionRequest({ model: 'm', prompt: 'Hi' }, ctx);
    expect(plan.params).toEqual({
      temperature: 1,
      topK: 0,
      topP: 1,
      typicalP: 1,
      minP: 0,
      repetitionPenalty: 1,
      repetitionRange: 0,
      presencePenalty: 0,
      frequencyPenalty: 0,
      noRepeatNgramSize: 0,
      logitBias: {},
      bannedWords: [],
      dryMultiplier: 0,
      dryBase: 1.75,
      dryAllowedLength: 2,
      dryRange: 0,
      drySequenceBreakers: ['\n', ':', '"', '*'],
      xtcThreshold: 0.1,
      xtcProbability: 0,
      mirostatTau: 0,
      mirostatEta: 0.1,
      samplerOrder: [...DEFAULT_SAMPLER_ORDER],
      seed: null,
      maxNewTokens: 16,
      stop: [],
      alternatives: 1,
    });
    // Every engine parameter is set explicitly, so none falls back to the app's defaults.
    expect(Object.keys(plan.params).sort()).toEqual(PARAM_SPECS.map((s) => s.name).sort());
    expect(validateParams(plan.params)).toEqual(plan.params);
    expect(plan.params.repetitionPenalty).not.toBe(DEFAULT_PARAMS.repetitionPenalty);
    expect(plan).toMatchObject({
      prompts: ['Hi'],
      stream: false,
      echo: false,
      maxTokens: 16,
      n: 1,
      bestOf: 1,
      logprobs: null,
    });
  });

  it('maps the OpenAI names and the extensions onto the engine', () => {
    const plan = parse({
      temperature: 0.5,
      top_p: 0.9,
      top_k: 20,
      min_p: 0.1,
      typical_p: 0.7,
      repetition_penalty: 1.2,
      presence_penalty: 1,
      frequency_penalty: -1,
      logit_bias: { '50256': -100, '11': 5 },
      seed: 3,
      stop: '\n',
      n: 2,
      best_of: 4,
      max_tokens: 0,
      echo: true,
      logprobs: 5,
      user: 'someone',
    });
    expect(plan.params).toMatchObject({
      temperature: 0.5,
      topP: 0.9,
      topK: 20,
      minP: 0.1,
      typicalP: 0.7,
      repetitionPenalty: 1.2,
      presencePenalty: 1,
      frequencyPenalty: -1,
      logitBias: { 50256: -Infinity, 11: 5 },
      seed: 3,
      stop: ['\n'],
      alternatives: 4,
    });
    expect(plan).toMatchObject({ n: 2, bestOf: 4, maxTokens: 0, echo: true, logprobs: 5 });
    expect(parse({ top_k: -1 }).params.topK).toBe(0);
    expect(parse({ prompt: ['a', 'b'] }).prompts).toEqual(['a', 'b']);
    expect(parse({ prompt: undefined }).prompts).toEqual(['']);
  });

  it('reads DRY, XTC and mirostat under llama.cpp’s names and meanings', () => {
    const plan = parse({
      dry_multiplier: 0.8,
      dry_base: 2,
      dry_allowed_length: 3,
      dry_penalty_last_n: 256,
      dry_sequence_breakers: ['\n', '—'],
      xtc_threshold: 0.15,
      xtc_probability: 0.5,
      mirostat: 2,
      mirostat_tau: 4,
      mirostat_eta: 0.2,
    });
    expect(plan.params).toMatchObject({
      dryMultiplier: 0.8,
      dryBase: 2,
      dryAllowedLength: 3,
      dryRange: 256,
      drySequenceBreakers: ['\n', '—'],
      xtcThreshold: 0.15,
      xtcProbability: 0.5,
      mirostatTau: 4,
      mirostatEta: 0.2,
    });
    // llama.cpp: dry_penalty_last_n -1 is the whole context, 0 switches DRY off; mirostat 0 is off.
    expect(parse({ dry_multiplier: 0.8, dry_penalty_last_n: -1 }).params).toMatchObject({
      dryMultiplier: 0.8,
      dryRange: 0,
    });
    expect(parse({ dry_multiplier: 0.8, dry_penalty_last_n: 0 }).params.dryMultiplier).toBe(0);
    expect(parse({ mirostat: 0, mirostat_tau: 4 }).params.mirostatTau).toBe(0);
    expect(validateParams(plan.params)).toEqual(plan.params);
    expect(error({ model: 'm', mirostat: 1 }).message).toContain("'mirostat' 1 (the first version) is not supported");
    expect(error({ model: 'm', xtc_threshold: 0.7 }).message).toContain(
      "'xtc_threshold' must be a number from 0 to 0.5, found 0.7.",
    );
    expect(error({ model: 'm', dry_sequence_breakers: 'x' }).message).toContain(
      "'dry_sequence_breakers' must be a list",
    );
  });

  it('refuses bad values with a message and the parameter’s name', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ temperature: 2.5 }, 'temperature', "'temperature' must be a number from 0 to 2, found 2.5."],
      [{ top_p: 0 }, 'top_p', "'top_p' must be a number greater than 0 and at most 1, found 0."],
      [
        { n: 9 },
        'n',
        "'n' must be a whole number from 1 to 8 (inkling serve decodes at most 8 alternatives at once), found 9.",
      ],
      [{ n: 3, best_of: 2 }, 'best_of', "'best_of' must be at least 'n' (3), found 2."],
      [{ best_of: 2, stream: true }, 'best_of', "'best_of' greater than 'n' cannot be streamed."],
      [{ logprobs: true }, 'logprobs', "'logprobs: true' belongs to chat completions"],
      [{ logprobs: 21 }, 'logprobs', "'logprobs' must be a whole number from 0 to 20, found 21."],
      [{ max_tokens: 2000 }, 'max_tokens', "'max_tokens' must be a whole number from 0 to 1024, found 2000."],
      [{ seed: -1 }, 'seed', "'seed' must be a whole number from 0 to 4294967295, found -1."],
      [{ logit_bias: { abc: 1 } }, 'logit_bias', `'logit_bias' keys must be token ids from 0 to 50256, found "abc".`],
      [
        { logit_bias: { '5': 101 } },
        'logit_bias',
        "'logit_bias' for token 5 must be a number from -100 to 100, found 101.",
      ],
      [{ stop: [1] }, 'stop', "'stop' must be a string or a list of strings."],
      [{ prompt: [1, 2, 3] }, 'prompt', 'Prompts given as token ids are not supported'],
      [{ suffix: 'end' }, 'suffix', "'suffix' (insertion) is not supported"],
      [
        { stream_options: { include_usage: true } },
        'stream_options',
        "'stream_options' is only allowed when 'stream' is true.",
      ],
      [{ frobnicate: 1 }, 'frobnicate', 'Unrecognized request argument supplied: frobnicate'],
      [{ model: 5 }, 'model', "'model' is required"],
    ];
    for (const [body, param, message] of cases) {
      const e = error({ model: 'm', prompt: 'Hi', ...body });
      expect(e.status).toBe(400);
      expect(e.body().error).toMatchObject({ type: 'invalid_request_error', param });
      expect(e.message).toContain(message);
    }
    expect(error([1]).message).toBe('The request body must be a JSON object.');
    // A model with a longer context still decodes at most the engine's 1024 new tokens per request.
    expect(() => parseCompletionRequest({ model: 'm', max_tokens: 2000 }, { ...ctx, contextLength: 2048 })).toThrow(
      "'max_tokens' must be a whole number from 0 to 1024, found 2000.",
    );
  });
});
