/**
 * Hostile request bodies: whatever arrives, the parser returns a plan or a 400 in OpenAI's shape
 * with a message under 600 characters — never another exception. Seeded, so a failure repeats.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../electron/engine/generate';
import { ApiError, parseCompletionRequest } from '../../electron/serve';

const FIELDS = [
  'model',
  'prompt',
  'suffix',
  'max_tokens',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'logprobs',
  'echo',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'best_of',
  'logit_bias',
  'user',
  'seed',
  'top_k',
  'min_p',
  'typical_p',
  'repetition_penalty',
  '__proto__',
  'constructor',
  'toString',
];

function value(rng: Rng, depth = 0): unknown {
  const pick = Math.floor(rng.next() * 16);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.next() < 0.5;
    case 3:
      return Math.floor(rng.next() * 4000) - 1000;
    case 4:
      return [NaN, Infinity, -Infinity, -0, 1e308, 5e-324, 0.5, 2 ** 53][Math.floor(rng.next() * 8)];
    case 5:
      return '';
    case 6:
      return 'x'.repeat(Math.floor(rng.next() * 5000));
    case 7:
      return 'tiny';
    case 8:
      return '\u0000\ud800<|endoftext|>';
    case 9:
      return depth > 3 ? [] : Array.from({ length: Math.floor(rng.next() * 40) }, () => value(rng, depth + 1));
    case 10:
      return depth > 3
        ? {}
        : Object.fromEntries(
            Array.from({ length: Math.floor(rng.next() * 6) }, () => [
              String(Math.floor(rng.next() * 60000)),
              value(rng, depth + 1),
            ]),
          );
    case 11:
      return { include_usage: value(rng, depth + 1) };
    case 12:
      return ['\n', 'stop'];
    case 13:
      return Math.floor(rng.next() * 10);
    case 14:
      return rng.next();
    default:
      return JSON.parse('{"__proto__": {"polluted": true}}');
  }
}

describe('completions request parser under hostile input', () => {
  it('answers 3000 random bodies with a plan or a 400, never anything else', () => {
    const rng = new Rng(2026);
    let plans = 0;
    let refusals = 0;
    for (let i = 0; i < 3000; i++) {
      const body: Record<string, unknown> = { model: 'tiny' };
      const count = Math.floor(rng.next() * 6);
      for (let k = 0; k < count; k++) body[FIELDS[Math.floor(rng.next() * FIELDS.length)]] = value(rng);
      const input = rng.next() < 0.05 ? value(rng) : body;
      try {
        parseCompletionRequest(input, { vocabSize: 50257, contextLength: 1024 });
        plans++;
      } catch (e) {
        expect(e, `body ${i}`).toBeInstanceOf(ApiError);
        const err = e as ApiError;
        expect(err.status).toBe(400);
        expect(err.message.length).toBeLessThan(600);
        expect(JSON.parse(JSON.stringify(err.body()))).toEqual(err.body());
        refusals++;
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A huge unknown name is quoted, not echoed whole.
    const long = (() => {
      try {
        parseCompletionRequest({ model: 'tiny', ['k'.repeat(100_000)]: 1 }, { vocabSize: 50257, contextLength: 1024 });
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('expected a refusal');
    })();
    expect(long.message).toBe(`Unrecognized request argument supplied: ${'k'.repeat(60)}…`);
    expect(plans).toBeGreaterThan(100);
    expect(refusals).toBeGreaterThan(100);
  });
});
