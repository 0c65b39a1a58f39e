/**
 * Engine: one loaded model (tokenizer + decoder + prefix caches) and the two things the app asks of
 * it — generate (streamed, cancellable, N alternatives as one batch) and score.
 *
 * The decode loop, per step (one batch row per alternative):
 *   1. take the row's raw logits; remember log-softmax of the chosen token (the model's own view)
 *   2. copy into a work buffer and run the sampler chain over it (penalties, bias, temperature, filters)
 *   3. pick a token (greedy at temperature 0, else sample with the seeded RNG)
 *   4. stream its text (never half a UTF-8 character), hold back possible stop-sequence prefixes
 *   5. stop on end-of-text, a stop sequence, max tokens or cancel; else feed it back for the next step
 */
import type {
  GenerateEvent,
  GenerateRequest,
  GenerateResult,
  GeneratedAlternative,
  FinishReason,
  ScoreResult,
  ScoredToken,
  TokenAlternative,
} from '../host/protocol';
import type { Gpt2Tokenizer } from '../tokenizer';
import {
  bannedSequences,
  createStepper,
  fitWindow,
  logSumExp,
  Rng,
  StopMatcher,
  topAlternatives,
  validateParams,
  type SamplingParams,
} from '../generate';
import type { Decoder, KvState, StepLogits } from './decoder';
import { PrefixCache } from './prefixCache';

/** Prompts are fed in chunks so a long prompt's attention scores stay small. */
const PREFILL_CHUNK = 256;
/** When a document outgrows the context, its window start moves in steps this large. */
const SLIDE_STEP = 256;
const SCORE_CHUNK = 128;

export interface CancelToken {
  readonly cancelled: boolean;
}

export class Engine {
  private readonly cache = new PrefixCache(3);

  constructor(
    readonly tokenizer: Gpt2Tokenizer,
    readonly decoder: Decoder,
  ) {}

  get contextLength(): number {
    return this.decoder.info.contextLength;
  }

  tokenize(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  async generate(
    req: GenerateRequest,
    onEvent: (e: GenerateEvent) => void = () => {},
    cancel: CancelToken = { cancelled: false },
  ): Promise<GenerateResult> {
    if (typeof req.prompt !== 'string') throw new TypeError('prompt must be a string');
    const params = validateParams(req.params ?? {});
    const topN = req.topAlternatives ?? 0;
    if (!Number.isInteger(topN) || topN < 0 || topN > 20) throw new RangeError('topAlternatives must be an integer from 0 to 20');
    const t0 = performance.now();
    const { decoder, tokenizer } = this;
    const vocab = decoder.info.vocabSize;

    // An empty prompt starts from <|endoftext|>, as GPT-2 was trained to begin documents.
    let promptIds = tokenizer.encode(req.prompt);
    if (promptIds.length === 0) promptIds = [tokenizer.eosTokenId];
    // The window may shorten maxNewTokens: the prompt always keeps part of the context.
    const window = fitWindow(promptIds, this.contextLength, params.maxNewTokens, SLIDE_STEP);
    const ids = window.ids;
    const maxNew = window.maxNewTokens;

    // Prefill what the prefix cache does not already hold.
    const { entry, reused } = this.cache.acquire(decoder, req.cacheKey, ids, window.dropped, this.contextLength);
    onEvent({ kind: 'prefill', promptTokens: ids.length, reusedTokens: reused, truncatedTokens: window.dropped });
    let logits: StepLogits | null = null;
    for (let at = reused; at < ids.length && !cancel.cancelled; at += PREFILL_CHUNK) {
      const chunk = ids.slice(at, Math.min(ids.length, at + PREFILL_CHUNK));
      logits = await decoder.forward(entry.state, [chunk], 'last');
      entry.ids.push(...chunk);
      if (cancel.cancelled) break;
    }
    const prefillMs = performance.now() - t0;
    const n = params.alternatives;
    const alts = Array.from({ length: n }, () => newAlt(tokenizer, params, ids));
    if (cancel.cancelled || logits === null) {
      return finish(alts.map((a) => ({ ...a, finishReason: 'cancelled' as FinishReason })), ids.length, reused, window.dropped, prefillMs, 0, t0);
    }

    const step = createStepper(params, bannedSequences(params.bannedWords, (s) => tokenizer.encode(s)), topN);
    // One generator per alternative, split from the seed: alternative i draws the same tokens
    // whether 1 or 5 alternatives were asked for, so "regenerate one" and "more" stay reproducible.
    const seeded = new Rng(params.seed);
    const rngs = alts.map(() => seeded.split());
    // One alternative decodes in the document's own cache (so accepting it is already cached);
    // several share the prompt's K/V through a batch copy of it.
    let state: KvState = entry.state;
    const shared = n === 1;
    if (!shared) state = decoder.fork(entry.state, n, ids.length + maxNew);
    // Row a of the latest step: its logits and, when the graph computed it, its log-sum-exp.
    let rows: Float32Array[] = Array.from({ length: n }, () => logits!.logits.subarray(0, vocab));
    let lses: (number | undefined)[] = Array.from({ length: n }, () => logits!.logSumExp?.[0]);

    let firstTokenAt = 0;
    let steps = 0;
    while (true) {
      const next: number[] = [];
      for (let a = 0; a < n; a++) {
        const alt = alts[a];
        if (alt.finishReason) {
          next.push(tokenizer.eosTokenId); // finished rows keep the batch aligned; their output is ignored
          continue;
        }
        const { id: tok, logprob, top } = step(rows[a], alt.history, ids.length, rngs[a], lses[a]);
        if (tok === tokenizer.eosTokenId) {
          alt.finishReason = 'eos';
          alt.text += alt.stop.flush();
          next.push(tok);
          continue;
        }
        alt.tokenIds.push(tok);
        alt.history.push(tok);
        alt.logprobs.push(logprob);
        if (top) alt.top.push(top.map(({ id, logprob: lp }) => ({ id, logprob: lp, text: alt.stream.peek(id) })));
        const { emit, stopped } = alt.stop.push(alt.stream.push(tok));
        if (emit) alt.text += emit;
        onEvent({ kind: 'token', alternative: a, tokenId: tok, text: emit, logprob });
        if (firstTokenAt === 0) firstTokenAt = performance.now();
        if (stopped) alt.finishReason = 'stop';
        else if (alt.tokenIds.length >= maxNew) alt.finishReason = 'length';
        next.push(tok);
      }
      steps++;
      if (cancel.cancelled) for (const alt of alts) alt.finishReason ??= 'cancelled';
      if (alts.every((a) => a.finishReason)) break;
      const out = await decoder.forward(state, next.map((t) => [t]), 'last');
      if (shared) entry.ids.push(next[0]);
      rows = alts.map((_, a) => out.logits.subarray(a * vocab, (a + 1) * vocab));
      lses = alts.map((_, a) => out.logSumExp?.[a]);
    }
    for (const alt of alts) {
      // finish(), not flush(): a character the generation stopped inside is dropped, never shown as U+FFFD.
      if (alt.finishReason !== 'stop') alt.text += alt.stop.push(alt.stream.finish()).emit + alt.stop.flush();
    }
    return finish(alts, ids.length, reused, window.dropped, prefillMs, firstTokenAt, t0, steps);

    function finish(
      list: AltState[],
      promptTokens: number,
      reusedTokens: number,
      truncatedTokens: number,
      prefill: number,
      firstAt: number,
      start: number,
      decodeSteps = 0,
    ): GenerateResult {
      const end = performance.now();
      const generatedTokens = list.reduce((s, a) => s + a.tokenIds.length, 0);
      const decodeMs = firstAt ? end - firstAt : 0;
      const alternatives: GeneratedAlternative[] = list.map((a) => ({
        text: a.text,
        tokenIds: a.tokenIds,
        logprobs: a.logprobs,
        ...(topN > 0 ? { top: a.top } : {}),
        finishReason: a.finishReason ?? 'cancelled',
      }));
      return {
        alternatives,
        stats: {
          promptTokens,
          reusedTokens,
          truncatedTokens,
          prefillMs: round(prefill),
          timeToFirstTokenMs: firstAt ? round(firstAt - start) : 0,
          // Steps after the first token, per second of decoding (each step yields one token per alternative).
          decodeTokensPerS: decodeMs > 0 && decodeSteps > 1 ? round(((decodeSteps - 1) * 1000) / decodeMs) : 0,
          generatedTokens,
        },
      };
    }
  }

  /**
   * For each token of `text`: its log-probability under the model given the tokens before it, its
   * rank among all tokens (1 = the model's first choice) and the model's top alternatives.
   * Text longer than the context is scored on its last window.
   */
  async score(text: string, top = 5, cancel: CancelToken = { cancelled: false }): Promise<ScoreResult> {
    if (!Number.isInteger(top) || top < 0 || top > 50) throw new RangeError('top must be an integer from 0 to 50');
    const { decoder, tokenizer } = this;
    const vocab = decoder.info.vocabSize;
    const all = tokenizer.encode(text);
    const dropped = Math.max(0, all.length - this.contextLength);
    const ids = all.slice(dropped);
    const tokens: ScoredToken[] = ids.map((id) => ({ id, text: tokenizer.tokenText(id), logprob: null, rank: null, top: [] }));
    if (ids.length === 0) return { tokens, truncatedTokens: dropped };
    const state = decoder.newState(1, ids.length);
    // The text so far, so each alternative reads as what it would write there (no U+FFFD halves).
    const context = tokenizer.createStreamDecoder();
    context.push(ids[0]);
    for (let at = 0; at < ids.length; at += SCORE_CHUNK) {
      if (cancel.cancelled) throw Object.assign(new Error('The scoring was cancelled.'), { code: 'cancelled' as const });
      const chunk = ids.slice(at, at + SCORE_CHUNK);
      const { logits, logSumExp: lses } = await decoder.forward(state, [chunk], 'all');
      for (let j = 0; j < chunk.length; j++) {
        const target = at + j + 1; // logits at position p predict token p + 1
        if (target >= ids.length) break;
        const row = logits.subarray(j * vocab, (j + 1) * vocab);
        const lse = lses ? lses[j] : logSumExp(row);
        const want = row[ids[target]];
        let above = 0;
        for (let v = 0; v < vocab; v++) if (row[v] > want) above++;
        tokens[target].logprob = want - lse;
        tokens[target].rank = above + 1;
        tokens[target].top = top > 0 ? topAlternatives(row, top, lse).map(({ id, logprob }) => ({ id, logprob, text: context.peek(id) })) : [];
        context.push(ids[target]);
      }
    }
    return { tokens, truncatedTokens: dropped };
  }

  forgetDocument(key: string): void {
    this.cache.forget(key);
  }

  async dispose(): Promise<void> {
    this.cache.clear();
    await this.decoder.dispose();
  }
}

interface AltState {
  text: string;
  tokenIds: number[];
  /** Prompt + generated ids: what the penalties look back over. */
  history: number[];
  logprobs: number[];
  top: TokenAlternative[][];
  finishReason?: FinishReason;
  stream: { push(id: number): string; peek(id: number): string; finish(): string };
  stop: StopMatcher;
}

function newAlt(tokenizer: Gpt2Tokenizer, params: SamplingParams, prompt: readonly number[]): AltState {
  return { text: '', tokenIds: [], history: [...prompt], logprobs: [], top: [], stream: tokenizer.createStreamDecoder(), stop: new StopMatcher(params.stop) };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
