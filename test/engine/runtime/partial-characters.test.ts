/**
 * A token boundary inside a UTF-8 character never reaches the writer as "�": a generation that
 * stops between a character's bytes drops the unfinished character, and the top alternatives (the
 * probability popup, branch choices) read as what each token would write where the text stands.
 * Real engine on the tiny random model; logit bias steers it onto the bytes of an emoji.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';
import { convertedModelDir } from '../../helpers/converted';

const tok = Gpt2Tokenizer.gpt2();
let engine: Engine;

beforeAll(async () => {
  engine = (await loadModel(await convertedModelDir())).engine;
});
afterAll(async () => {
  await engine?.dispose();
});

describe('partial UTF-8 characters', () => {
  const robot = tok.encode('🤖');
  const GREEDY = { temperature: 0, repetitionPenalty: 1 };

  it('a generation cut off inside a character ends without it, in the text and in the events', async () => {
    expect(robot.length).toBeGreaterThan(1);
    const streamed: string[] = [];
    const r = await engine.generate(
      {
        prompt: 'The robot said',
        params: { ...GREEDY, maxNewTokens: 1, logitBias: { [robot[0]]: 100 } },
        topAlternatives: 5,
      },
      (e) => e.kind === 'token' && streamed.push(e.text),
    );
    const alt = r.alternatives[0];
    expect(alt.tokenIds).toEqual([robot[0]]);
    expect(alt.finishReason).toBe('length');
    expect(alt.text).toBe('');
    expect(streamed.join('')).toBe('');
  });

  it('top alternatives read as what each token would write there, never as half a character', async () => {
    const r = await engine.generate({
      prompt: 'Once upon a time',
      params: { ...GREEDY, maxNewTokens: 60 },
      topAlternatives: 20,
    });
    const alt = r.alternatives[0];
    const ids = alt.top!.flatMap((step) => step.map((t) => t.id));
    // The model's alternatives include tokens that are only parts of characters...
    expect(ids.filter((id) => tok.tokenText(id).includes('\ufffd')).length).toBeGreaterThan(0);
    // ...and each reads as the stream decoder says it would write after the tokens before it.
    const context = tok.createStreamDecoder();
    alt.top!.forEach((step, i) => {
      for (const t of step) {
        expect(t.text, `step ${i}, token ${t.id}`).toBe(context.peek(t.id));
        expect(t.text).not.toContain('\ufffd');
      }
      context.push(alt.tokenIds[i]);
    });
  });

  it('scoring: each alternative reads as what it would write after the text before it', async () => {
    const scored = await engine.score('Robots 🤖 and café ☕ here', 8);
    const texts = scored.tokens.flatMap((t) => t.top.map((c) => c.text));
    expect(texts.length).toBeGreaterThan(50);
    for (const t of texts) expect(t).not.toContain('\ufffd');
    // Where the emoji's last token stands, every alternative reads in the context of the emoji's first bytes.
    const at = scored.tokens.findIndex(
      (t, i) => i > 0 && t.id === robot[robot.length - 1] && scored.tokens[i - 1].id === robot[robot.length - 2],
    );
    expect(at).toBeGreaterThan(0);
    expect(scored.tokens[at].text).toContain('\ufffd'); // the token's own bytes are half the emoji
    const context = tok.createStreamDecoder();
    scored.tokens.slice(0, at).forEach((t) => context.push(t.id));
    for (const c of scored.tokens[at].top) expect(c.text).toBe(context.peek(c.id));
  });
});
