/**
 * The task service with a scripted engine (what it sends, what it streams, what it returns) and the
 * real GPT-2 tokenizer for placing scored tokens. The real engine end to end is covered by
 * test/services/tasks/engine.test.ts and the Playwright specs.
 */
import { describe, expect, it } from 'vitest';
import type { EngineStatus, GenerateEvent, GenerateResult, TaskEvent } from '../../../electron/api';
import type { ScorePartsResult, ScoreResult, ScoredToken } from '../../../electron/engine/host/protocol';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';
import { TaskService, alignTokens, scoreSpans, type TaskEngine } from '../../../electron/services/tasks';

type RunRequest = Parameters<TaskEngine['run']>[2];

interface Call {
  requestId: string;
  slot: string;
  request: RunRequest;
}

const STATUS: EngineStatus = {
  state: 'ready',
  model: {
    name: 'tiny',
    dir: '/m',
    format: 'inkling',
    precision: 'fp32',
    device: 'cpu',
    contextLength: 1024,
    nLayer: 2,
    nEmbd: 64,
    nHead: 4,
    vocabSize: 50257,
    loadMs: 1,
  },
};

const stats = (n: number) => ({
  promptTokens: 10,
  reusedTokens: 0,
  readTokens: 1,
  documentTokens: 1,
  memoryTokens: 0,
  windowStart: 0,
  scannedChars: 1,
  truncatedTokens: 0,
  prefillMs: 1,
  timeToFirstTokenMs: 1,
  decodeTokensPerS: 50,
  generatedTokens: n,
});

/** An engine that answers each run with scripted token pieces per alternative. */
class ScriptedEngine implements TaskEngine {
  calls: Call[] = [];
  cancelled: string[] = [];
  scores: string[] = [];
  /** Resolvers of runs held until released (to test cancelling mid-run). */
  held: (() => void)[] = [];
  hold = false;
  constructor(private readonly script: (call: Call) => string[][]) {}

  async run(
    requestId: string,
    slot: string,
    request: RunRequest,
    onEvent: (e: GenerateEvent) => void,
  ): Promise<GenerateResult> {
    const call = { requestId, slot, request };
    this.calls.push(call);
    if (this.hold) await new Promise<void>((r) => this.held.push(r));
    const pieces = this.script(call);
    const cancelled = this.cancelled.includes(requestId);
    pieces.forEach((alt, a) =>
      alt.forEach((text, i) => onEvent({ kind: 'token', alternative: a, tokenId: 100 + i, text, logprob: -(i + 1) })),
    );
    return {
      alternatives: pieces.map((alt) => ({
        text: alt.join(''),
        tokenIds: alt.map((_, i) => 100 + i),
        logprobs: alt.map((_, i) => -(i + 1)),
        ...(request.topAlternatives
          ? {
              top: alt.map((t) => [
                { id: 1, text: t, logprob: -0.5 },
                { id: 2, text: ' other', logprob: -1.5 },
              ]),
            }
          : {}),
        finishReason: cancelled ? ('cancelled' as const) : ('length' as const),
      })),
      stats: stats(pieces.flat().length),
    };
  }
  cancel(requestId: string): void {
    this.cancelled.push(requestId);
  }
  async score(text: string): Promise<ScoreResult> {
    this.scores.push(text);
    return { tokens: [], truncatedTokens: 0 };
  }
  async scoreParts(text: string): Promise<ScorePartsResult> {
    this.scores.push(text);
    return { parts: [], next: null, total: 0, done: 0, computed: 0 };
  }
  cancelScores(): void {}
  status(): EngineStatus {
    return STATUS;
  }
}

describe('TaskService.run', () => {
  it('continue: N alternatives with aligned tokens, top choices, mean log-probability and the model', async () => {
    const engine = new ScriptedEngine(() => [
      [' and', ' cold'],
      [' the', ' end', '.'],
    ]);
    const svc = new TaskService(engine);
    const events: TaskEvent[] = [];
    const r = await svc.run(
      {
        requestId: 'c1',
        docId: 'd1',
        kind: 'continue',
        textBefore: 'It was dark ',
        params: { alternatives: 2, temperature: 0.5 },
        topAlternatives: 3,
      },
      (e) => events.push(e),
    );
    expect(engine.calls).toHaveLength(1);
    expect(engine.calls[0]).toMatchObject({
      requestId: 'c1',
      slot: 'task~d1~continue~',
      request: { prompt: 'It was dark', cacheKey: 'd1', topAlternatives: 3 },
    });
    expect(engine.calls[0].request.params).toMatchObject({ alternatives: 2, temperature: 0.5, topK: 40 });
    // The writer's trailing space: the suggestion drops its own leading space, and so does token 1.
    expect(r.alternatives.map((a) => a.text)).toEqual(['and cold', 'the end.']);
    expect(r.alternatives[0].raw).toBe(' and cold');
    expect(r.alternatives[0].tokens.map((t) => t.text)).toEqual(['and', ' cold']);
    expect(r.alternatives[0].tokens[1].top).toEqual([
      { text: ' cold', logprob: -0.5 },
      { text: ' other', logprob: -1.5 },
    ]);
    expect(r.alternatives[1]).toMatchObject({ tokenCount: 3, meanLogprob: -2, tokensPerS: 50, finishReason: 'length' });
    expect(r).toMatchObject({
      kind: 'continue',
      text: 'and cold',
      model: { name: 'tiny', precision: 'fp32' },
      prompt: 'It was dark',
      finishReason: 'length',
    });
    expect(events[0]).toEqual({ kind: 'start', segment: 0, total: 1 });
    expect(events.filter((e) => e.kind === 'token')).toHaveLength(5);
  });

  it('translate: one engine request per sentence in order, a segment event each, paragraphs kept', async () => {
    const engine = new ScriptedEngine((c) => {
      const sentence = c.request.prompt.split('\n').pop()!;
      return [[' <' + sentence.replace(/ =$/, '') + '>', '\nnext = line']];
    });
    const svc = new TaskService(engine);
    const events: TaskEvent[] = [];
    const r = await svc.run(
      { requestId: 't1', docId: 'd1', kind: 'translate', pair: 'en-fr', text: 'One dog. Two cats.\n\nThree birds.' },
      (e) => events.push(e),
    );
    expect(engine.calls.map((c) => c.requestId)).toEqual(['t1.0', 't1.1', 't1.2']);
    expect(
      engine.calls.every((c) => c.request.cacheKey === 'd1~translate' && c.request.params?.temperature === 0),
    ).toBe(true);
    expect(engine.calls[1].request.prompt.endsWith('\nTwo cats. =')).toBe(true);
    expect(r.segments).toEqual([
      { source: 'One dog.', result: '<One dog.>', raw: ' <One dog.>\nnext = line' },
      { source: 'Two cats.', result: '<Two cats.>', raw: ' <Two cats.>\nnext = line' },
      { source: 'Three birds.', result: '<Three birds.>', raw: ' <Three birds.>\nnext = line' },
    ]);
    expect(r.text).toBe('<One dog.> <Two cats.>\n\n<Three birds.>');
    expect(events.filter((e) => e.kind === 'segment').map((e) => e.kind === 'segment' && e.result)).toEqual([
      '<One dog.>',
      '<Two cats.>',
      '<Three birds.>',
    ]);
    expect(events.filter((e) => e.kind === 'start').map((e) => e.kind === 'start' && e.source)).toEqual([
      'One dog.',
      'Two cats.',
      'Three birds.',
    ]);
  });

  it('cancel stops a translation inside a sentence and runs no further ones', async () => {
    const engine = new ScriptedEngine(() => [[' x.']]);
    engine.hold = true;
    const svc = new TaskService(engine);
    const done = svc.run(
      { requestId: 't2', docId: 'd1', kind: 'translate', pair: 'en-fr', text: 'A dog. A cat. A bird.' },
      () => undefined,
    );
    for (let i = 0; i < 100 && engine.held.length === 0; i++) await Promise.resolve();
    engine.held.shift()!(); // sentence 1 finishes
    for (let i = 0; i < 100 && engine.held.length === 0; i++) await Promise.resolve();
    svc.cancel('t2'); // during sentence 2
    expect(engine.cancelled).toEqual(['t2.1']);
    engine.held.shift()!();
    const r = await done;
    expect(r.finishReason).toBe('cancelled');
    expect(engine.calls).toHaveLength(2);
    expect(r.segments).toHaveLength(2);
    svc.cancel('unknown'); // ignored
  });

  it('summarize and answer return the extracted result, not the raw text', async () => {
    const engine = new ScriptedEngine(() => [[' First.', ' Second.', ' Third.', ' Fourth.']]);
    const svc = new TaskService(engine);
    const s = await svc.run({ requestId: 's1', docId: 'd1', kind: 'summarize', text: 'An article.' }, () => undefined);
    expect(engine.calls[0].request.prompt).toBe('An article.\nTL;DR:');
    expect(s.text).toBe('First. Second. Third.');
    expect(s.alternatives[0].tokens).toEqual([]);
    const a = await svc.run(
      { requestId: 'a1', docId: 'd1', kind: 'answer', passage: 'P.', question: 'Q?' },
      () => undefined,
    );
    expect(engine.calls[1].request.prompt).toBe('P.\nQ: Q?\nA:');
    expect(a.text).toBe('First. Second. Third. Fourth.');
  });

  it('refuses a second run with the same request id while the first runs', async () => {
    const engine = new ScriptedEngine(() => [[' x']]);
    engine.hold = true;
    const svc = new TaskService(engine);
    const first = svc.run({ requestId: 'same', docId: 'd1', kind: 'summarize', text: 'x' }, () => undefined);
    await expect(
      svc.run({ requestId: 'same', docId: 'd1', kind: 'summarize', text: 'x' }, () => undefined),
    ).rejects.toThrow(/already running/);
    for (let i = 0; i < 100 && engine.held.length === 0; i++) await Promise.resolve();
    engine.held.shift()!();
    await first;
  });
});

describe('token alignment', () => {
  it('gives held-back text to the last token and cuts text past the final text (stop sequences)', () => {
    const alt = { text: 'ab cd', tokenIds: [1, 2, 3], logprobs: [-1, -2, -3], finishReason: 'stop' as const };
    expect(alignTokens(alt, ['ab', '', ' c']).map((t) => t.text)).toEqual(['ab', '', ' cd']);
    expect(alignTokens({ ...alt, text: 'ab' }, ['ab', ' c', 'd###']).map((t) => t.text)).toEqual(['ab', '', '']);
  });
});

describe('TaskService.score', () => {
  it('runs one scoring per document at a time; a newer request replaces the one waiting', async () => {
    const releases: (() => void)[] = [];
    const engine = new ScriptedEngine(() => []);
    engine.score = async (text: string) => {
      engine.scores.push(text);
      await new Promise<void>((r) => releases.push(r));
      return { tokens: [], truncatedTokens: 0 };
    };
    const svc = new TaskService(engine);
    const first = svc.score({ requestId: 's1', docId: 'd1', text: 'one' });
    const second = svc.score({ requestId: 's2', docId: 'd1', text: 'two' });
    const third = svc.score({ requestId: 's3', docId: 'd1', text: 'three' });
    await expect(second).rejects.toThrow(/newer scoring/);
    const other = svc.score({ requestId: 's4', docId: 'd2', text: 'elsewhere' });
    const fourth = svc.score({ requestId: 's5', docId: 'd1', text: 'four' });
    await expect(third).rejects.toThrow(/newer scoring/);
    svc.cancel('s5');
    await expect(fourth).rejects.toThrow(/cancelled/);
    const fifth = svc.score({ requestId: 's6', docId: 'd1', text: 'five' });
    for (let i = 0; i < 100 && releases.length < 2; i++) await Promise.resolve();
    // 'one' and the other document's run side by side; nothing else for d1 has started.
    expect(engine.scores).toEqual(['one', 'elsewhere']);
    releases.splice(0).forEach((r) => r());
    await expect(first).resolves.toMatchObject({ spans: [], model: { name: 'tiny' } });
    await other;
    for (let i = 0; i < 100 && releases.length < 1; i++) await new Promise((r) => setTimeout(r, 0));
    expect(engine.scores).toEqual(['one', 'elsewhere', 'five']);
    releases.splice(0).forEach((r) => r());
    await fifth;
  }, 10_000);

  it('places a remote server’s tokens by their text when they carry no ids (-1), even with a tokenizer at hand', async () => {
    const tok = Gpt2Tokenizer.gpt2();
    const engine = new ScriptedEngine(() => []);
    // A server whose split did not line up with GPT-2's: tokens named by text only.
    engine.score = async () => ({
      tokens: [
        { id: -1, text: 'Hello', logprob: null, rank: null, top: [] },
        { id: -1, text: ' wor', logprob: -2, rank: 3, top: [] },
        { id: -1, text: 'ld', logprob: -1, rank: 1, top: [] },
      ],
      truncatedTokens: 0,
    });
    const svc = new TaskService(engine, { tokenizerFor: () => tok });
    const r = await svc.score({ requestId: 'r1', docId: 'd1', text: 'Hello world' });
    expect(r.spans.map((sp) => 'Hello world'.slice(sp.from, sp.to))).toEqual(['Hello', ' wor', 'ld']);
  });

  it('places tokens by their bytes: accents, emoji split across tokens, and a truncated front', () => {
    const tok = Gpt2Tokenizer.gpt2();
    const text = 'Café 🎉 naïve — “quotes” and 日本語 text.';
    const ids = tok.encode(text);
    const scored: ScoredToken[] = ids.map((id, i) => ({
      id,
      text: tok.tokenText(id),
      logprob: i ? -i : null,
      rank: i ? i : null,
      top: [],
    }));
    const { spans, skippedChars } = scoreSpans(text, scored, tok);
    expect(skippedChars).toBe(0);
    // The spans tile the text exactly, each non-empty, in order.
    expect(spans.map((s) => text.slice(s.from, s.to)).join('')).toBe(text);
    for (let i = 1; i < spans.length; i++) expect(spans[i].from).toBe(spans[i - 1].to);
    // Some token ends inside a character here (the emoji or the CJK), so fewer spans than tokens.
    expect(ids.some((id) => tok.tokenText(id).includes('\uFFFD'))).toBe(true);
    expect(spans.length).toBeLessThan(ids.length);

    // The engine read only the last tokens (context window): the spans cover the end.
    const tail = scored.slice(5);
    const cut = scoreSpans(text, tail, tok);
    expect(cut.skippedChars).toBeGreaterThan(0);
    expect(cut.spans[0].from).toBe(cut.skippedChars);
    expect(cut.spans.map((s) => text.slice(s.from, s.to)).join('')).toBe(text.slice(cut.skippedChars));
    expect(cut.spans.at(-1)!.to).toBe(text.length);

    // Without a tokenizer, token texts are laid end to end from the back (exact for ASCII).
    const ascii = 'The cat sat on the mat.';
    const a = tok.encode(ascii).map((id) => ({ id, text: tok.tokenText(id), logprob: -1, rank: 3, top: [] }));
    expect(scoreSpans(ascii, a, null).spans.map((s) => ascii.slice(s.from, s.to))).toEqual(a.map((t) => t.text));
  });
});
