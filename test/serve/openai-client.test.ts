/**
 * The official `openai` npm client against `inkling serve` started from the command line, on a
 * random-weight GPT-2 (the real GPT-2 tokenizer). Outputs are compared with `inkling generate` and
 * `inkling score` on the same model folder.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertedModelDir } from '../helpers/converted';
import { runToExit, startServe, type RunningServer } from './helpers';

let model: string;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  model = await convertedModelDir();
  server = await startServe(['--model', model, '--port', '0']);
  client = new OpenAI({ baseURL: server.url, apiKey: 'not-needed-on-loopback', maxRetries: 0 });
});

afterAll(async () => {
  await server?.stop();
});

// A prompt on which this model's greedy continuation changes under the app's default repetition
// penalty (1.1), so "greedy" really means greedy on both sides.
const PROMPT = 'Once upon a time';

// Spawned asynchronously: a blocked event loop would keep the client from noticing the server
// closing an idle keep-alive connection.
async function generateJson(args: string[]) {
  const r = await runToExit(['generate', '--model', model, '--prompt', PROMPT, '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { alternatives: { text: string; token_ids: number[] }[] };
}

describe('inkling serve through the openai client', () => {
  it('lists the one model it serves', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual([server.modelId]);
    const one = await client.models.retrieve(server.modelId);
    expect(one.id).toBe(server.modelId);
  });

  it('greedy output equals `inkling generate --temperature 0`, and the repetition_penalty extension matches --repetition-penalty', async () => {
    const cli = await generateJson(['--max-new-tokens', '16', '--temperature', '0']);
    const served = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 16,
      temperature: 0,
    });
    expect(served.choices).toHaveLength(1);
    expect(served.choices[0].text).toBe(cli.alternatives[0].text);
    expect(served.choices[0].finish_reason).toBe('length');
    expect(served.usage).toEqual({ prompt_tokens: 4, completion_tokens: 16, total_tokens: 20 });

    // With the app's penalty the text differs on this prompt (else the comparison above proves little),
    // and the server's extension parameter gives the same text as the CLI flag.
    const penalised = await generateJson([
      '--max-new-tokens',
      '16',
      '--temperature',
      '0',
      '--repetition-penalty',
      '1.1',
    ]);
    expect(penalised.alternatives[0].text).not.toBe(cli.alternatives[0].text);
    const servedPenalised = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 16,
      temperature: 0,
      // The extension is not in the client's types; it travels in the JSON body like any field.
      ...({ repetition_penalty: 1.1 } as object),
    });
    expect(servedPenalised.choices[0].text).toBe(penalised.alternatives[0].text);
  });

  it('echo + logprobs with max_tokens 0 give the prompt log-probabilities `inkling score` prints', async () => {
    const text = 'The cat sat on the mat, and then it slept.';
    const r = await runToExit(['score', '--model', model, '--text', text, '--top', '3']);
    expect(r.code).toBe(0);
    const scored = JSON.parse(r.stdout).tokens as {
      text: string;
      logprob: number | null;
      top: { text: string; logprob: number }[];
    }[];
    const served = await client.completions.create({
      model: server.modelId,
      prompt: text,
      max_tokens: 0,
      echo: true,
      logprobs: 3,
    });
    const choice = served.choices[0];
    expect(choice.text).toBe(text);
    const lp = choice.logprobs!;
    expect(lp.tokens).toEqual(scored.map((t) => t.text));
    expect(lp.token_logprobs![0]).toBeNull();
    expect(lp.top_logprobs![0]).toBeNull();
    // Same engine, same folder: the numbers must agree to float precision (JSON round trip only).
    for (let i = 1; i < scored.length; i++) {
      expect(lp.token_logprobs![i]).toBeCloseTo(scored[i].logprob!, 6);
      const top = lp.top_logprobs![i]!;
      expect(Object.keys(top)).toEqual(scored[i].top.map((a) => a.text));
      scored[i].top.forEach((a) => expect(top[a.text]).toBeCloseTo(a.logprob, 6));
    }
    expect(lp.text_offset).toEqual(scored.map((_, i) => scored.slice(0, i).reduce((s, t) => s + t.text.length, 0)));
    expect(served.usage).toMatchObject({ prompt_tokens: scored.length, completion_tokens: 0 });
  });

  it('echo + logprobs also cover the generated tokens, each greedy choice being the top alternative', async () => {
    const served = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 5,
      temperature: 0,
      echo: true,
      logprobs: 2,
    });
    const c = served.choices[0];
    const lp = c.logprobs!;
    expect(lp.tokens).toHaveLength(4 + 5);
    expect(c.text.startsWith(PROMPT)).toBe(true);
    expect(lp.tokens!.join('')).toBe(c.text);
    for (let i = 4; i < 9; i++) {
      const top = Object.entries(lp.top_logprobs![i]!);
      expect(top).toHaveLength(2);
      expect(top[0][0]).toBe(lp.tokens![i]);
      expect(top[0][1]).toBeCloseTo(lp.token_logprobs![i]!, 9);
      expect(lp.text_offset![i]).toBe(lp.text_offset![i - 1] + lp.tokens![i - 1].length);
    }
  });

  it('streams the same text as the plain response, then the usage chunk', async () => {
    const whole = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 12,
      temperature: 0,
    });
    const stream = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      for (const c of chunk.choices) {
        text += c.text;
        if (c.finish_reason) finish = c.finish_reason;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0].text);
    expect(chunks).toBeGreaterThan(2);
    expect(finish).toBe('length');
    expect(usage).toEqual(whole.usage);
  });

  it('streams log-probabilities token by token, with their alternatives when asked', async () => {
    const whole = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 8,
      temperature: 0,
      logprobs: 2,
    });
    const want = whole.choices[0].logprobs!;
    for (const logprobs of [0, 2]) {
      const stream = await client.completions.create({
        model: server.modelId,
        prompt: PROMPT,
        max_tokens: 8,
        temperature: 0,
        logprobs,
        stream: true,
      });
      let text = '';
      let withLogprobs = 0;
      const tokens: string[] = [];
      const lps: (number | null)[] = [];
      const tops: unknown[] = [];
      const offsets: number[] = [];
      for await (const chunk of stream) {
        for (const c of chunk.choices) {
          text += c.text;
          if (!c.logprobs) continue;
          withLogprobs++;
          tokens.push(...c.logprobs.tokens!);
          lps.push(...c.logprobs.token_logprobs!);
          tops.push(...c.logprobs.top_logprobs!);
          offsets.push(...c.logprobs.text_offset!);
        }
      }
      expect(text).toBe(whole.choices[0].text);
      expect(tokens).toEqual(want.tokens);
      lps.forEach((lp, i) => expect(lp).toBeCloseTo(want.token_logprobs![i]!, 9));
      expect(offsets).toEqual(want.text_offset);
      expect(withLogprobs).toBe(8); // one chunk per token, as decoded
      if (logprobs === 0) expect(tops).toEqual(Array(8).fill({}));
      else {
        // Each token's alternatives, as the whole response gives them (two per token).
        expect(tops.map((t) => Object.keys(t as object))).toEqual(want.top_logprobs!.map((t) => Object.keys(t!)));
        tops.forEach((t, i) =>
          Object.entries(t as Record<string, number>).forEach(([k, v]) =>
            expect(v).toBeCloseTo(want.top_logprobs![i]![k], 9),
          ),
        );
        expect(tops.every((t) => Object.keys(t as object).length === 2)).toBe(true);
      }
    }
  });

  it('n alternatives: indexed choices, reproducible with a seed, streamed per index', async () => {
    const ask = () =>
      client.completions.create({
        model: server.modelId,
        prompt: 'It was a dark',
        max_tokens: 8,
        n: 3,
        seed: 7,
        temperature: 1,
      });
    const a = await ask();
    const b = await ask();
    expect(a.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(b.choices.map((c) => c.text)).toEqual(a.choices.map((c) => c.text));
    expect(new Set(a.choices.map((c) => c.text)).size).toBeGreaterThan(1);
    expect(a.usage!.completion_tokens).toBeGreaterThan(0);
    expect(a.usage!.completion_tokens).toBeLessThanOrEqual(3 * 8);

    const stream = await client.completions.create({
      model: server.modelId,
      prompt: 'It was a dark',
      max_tokens: 8,
      n: 3,
      seed: 7,
      temperature: 1,
      stream: true,
    });
    const texts = ['', '', ''];
    for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.text;
    expect(texts).toEqual(a.choices.map((c) => c.text));
  });

  it('echo streams the prompt first, with its log-probabilities when asked, then the same text as without streaming', async () => {
    for (const logprobs of [undefined, 0]) {
      const whole = await client.completions.create({
        model: server.modelId,
        prompt: PROMPT,
        max_tokens: 6,
        temperature: 0,
        echo: true,
        logprobs,
      });
      const stream = await client.completions.create({
        model: server.modelId,
        prompt: PROMPT,
        max_tokens: 6,
        temperature: 0,
        echo: true,
        logprobs,
        stream: true,
      });
      const chunks: OpenAI.Completion[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks[0].choices[0].text).toBe(PROMPT);
      expect(chunks.map((c) => c.choices.map((x) => x.text).join('')).join('')).toBe(whole.choices[0].text);
      if (logprobs === 0) {
        const tokens = chunks.flatMap((c) => c.choices.flatMap((x) => x.logprobs?.tokens ?? []));
        const lps = chunks.flatMap((c) => c.choices.flatMap((x) => x.logprobs?.token_logprobs ?? []));
        expect(tokens).toEqual(whole.choices[0].logprobs!.tokens);
        expect(lps[0]).toBeNull();
        lps.slice(1).forEach((lp, i) => expect(lp).toBeCloseTo(whole.choices[0].logprobs!.token_logprobs![i + 1]!, 9));
      }
    }
  });

  it('best_of returns the n alternatives with the highest log-probability per token', async () => {
    const all = await client.completions.create({
      model: server.modelId,
      prompt: 'It was a dark',
      max_tokens: 6,
      n: 5,
      seed: 3,
      logprobs: 0,
    });
    const mean = (c: OpenAI.CompletionChoice) =>
      c.logprobs!.token_logprobs!.reduce((s, x) => s + x!, 0) / c.logprobs!.token_logprobs!.length;
    const ranked = [...all.choices].sort((a, b) => mean(b) - mean(a));
    // The best two are not simply the first two, so returning the first n would fail here.
    expect(ranked.slice(0, 2).map((c) => c.index)).not.toEqual([0, 1]);
    expect(ranked.slice(0, 2).map((c) => c.index)).not.toEqual([1, 0]);
    const best = await client.completions.create({
      model: server.modelId,
      prompt: 'It was a dark',
      max_tokens: 6,
      n: 2,
      best_of: 5,
      seed: 3,
    });
    expect(best.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(new Set(best.choices.map((c) => c.text))).toEqual(new Set(ranked.slice(0, 2).map((c) => c.text)));
    // Usage counts every decoded alternative, as OpenAI bills best_of.
    expect(best.usage!.completion_tokens).toBe(all.usage!.completion_tokens);
  });

  it('several prompts: n choices per prompt, numbered prompt by prompt', async () => {
    const r = await client.completions.create({
      model: server.modelId,
      prompt: ['Hello', PROMPT],
      max_tokens: 4,
      n: 2,
      temperature: 0,
    });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    const single = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 4,
      temperature: 0,
    });
    expect(r.choices[2].text).toBe(single.choices[0].text);
    expect(r.usage!.prompt_tokens).toBe(1 + 4);
  });

  it('stop: the text ends before the stop sequence, which is not included', async () => {
    const whole = await client.completions.create({
      model: server.modelId,
      prompt: PROMPT,
      max_tokens: 16,
      temperature: 0,
    });
    const full = whole.choices[0].text;
    const stop = full.slice(6, 12);
    const cut = full.indexOf(stop);
    for (const stream of [false, true]) {
      let text = '';
      let finish: string | null = null;
      if (stream) {
        const s = await client.completions.create({
          model: server.modelId,
          prompt: PROMPT,
          max_tokens: 16,
          temperature: 0,
          stop: [stop],
          stream: true,
        });
        for await (const chunk of s)
          for (const c of chunk.choices) {
            text += c.text;
            finish = c.finish_reason ?? finish;
          }
      } else {
        const r = await client.completions.create({
          model: server.modelId,
          prompt: PROMPT,
          max_tokens: 16,
          temperature: 0,
          stop,
        });
        text = r.choices[0].text;
        finish = r.choices[0].finish_reason;
      }
      expect(text).toBe(full.slice(0, cut));
      expect(finish).toBe('stop');
    }
  });

  it('the command refuses a public address without a key, and a port in use, with sentences to act on', async () => {
    const open = await runToExit(['serve', '--model', model, '--host', '0.0.0.0']);
    expect(open.code).toBe(1);
    expect(open.stderr).toBe(
      'inkling: --host 0.0.0.0 would let other computers use this server: give it an --api-key (clients send it as "Authorization: Bearer <key>").\n',
    );
    const port = new URL(server.url).port;
    const taken = await runToExit(['serve', '--model', model, '--port', port]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      `inkling: port ${port} on 127.0.0.1 is already in use: choose another with --port (0 = any free port)\n`,
    );
  });

  it('errors arrive in OpenAI’s shape and raise the client’s error classes', async () => {
    const wrongModel = await client.completions.create({ model: 'gpt-4', prompt: 'x' }).catch((e: unknown) => e);
    expect(wrongModel).toBeInstanceOf(OpenAI.NotFoundError);
    expect(wrongModel).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect((wrongModel as Error).message).toContain(server.modelId);

    const hot = await client.completions
      .create({ model: server.modelId, prompt: 'x', temperature: 3 })
      .catch((e: unknown) => e);
    expect(hot).toBeInstanceOf(OpenAI.BadRequestError);
    expect(hot).toMatchObject({ status: 400, param: 'temperature', type: 'invalid_request_error' });
    expect((hot as Error).message).toContain("'temperature' must be a number from 0 to 2, found 3");

    const unknown = await client.completions
      .create({ model: server.modelId, prompt: 'x', ...({ top_q: 1 } as object) })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    expect((unknown as Error).message).toContain('Unrecognized request argument supplied: top_q');

    const long = await client.completions
      .create({ model: server.modelId, prompt: Array(1000).fill('hello').join(' '), max_tokens: 100 })
      .catch((e: unknown) => e);
    expect(long).toBeInstanceOf(OpenAI.BadRequestError);
    expect(long).toMatchObject({ code: 'context_length_exceeded' });
    expect((long as Error).message).toMatch(
      /maximum context length is 1024 tokens, however you requested 1100 tokens \(1000 in your prompt; 100 for the completion\)/,
    );

    const streamed = await client.completions
      .create({ model: server.modelId, prompt: 'x', n: 9, stream: true })
      .catch((e: unknown) => e);
    expect(streamed).toBeInstanceOf(OpenAI.BadRequestError);
    expect(streamed).toMatchObject({ param: 'n' });

    const chat = await client.chat.completions
      .create({ model: server.modelId, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(OpenAI.NotFoundError);
    expect((chat as Error).message).toContain('/v1/completions');
  });
});
