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
import * as os from 'node:os';
import type {
  WindowInfo,
  GenerateEvent,
  GenerateRequest,
  GenerateResult,
  GeneratedAlternative,
  FinishReason,
  ScoreResult,
  ScorePartsResult,
  ScoredToken,
  TokenAlternative,
} from '../host/protocol';
import { InklingError } from '../../common/errors';
import type { Gpt2Tokenizer } from '../tokenizer';
import {
  DocumentWindows,
  ScoredPartCache,
  SLIDE_STEP,
  ofDocument,
  scorePartsFrom,
  windowInfo,
  type WindowPlan,
} from '../context';
import {
  bannedSequences,
  createStepper,
  dryBreakerMask,
  logSumExp,
  Rng,
  StopMatcher,
  topAlternatives,
  validateParams,
  type SamplingParams,
} from '../generate';
import type { Decoder, KvState, StepLogits } from './decoder';
import { PrefixCache, prefixCacheBudget } from './prefixCache';

/**
 * Prompts are fed in chunks so a long prompt's activations (attention scores, the MLP's 4·n_embd
 * rows) stay small: the wider the model, the larger its activations per row and the more its
 * prefill is bound by the weights rather than the chunk size. Measured (docs/BENCHMARKS.md, int4,
 * 641-token prompt, prefill side by side): XL (n_embd 1600) 64 rows lowered the peak by 152 MB
 * (128 rows: 88 MB) for 3–4% slower prefill; medium (1024) 128 rows lowered it by 40 MB at the same
 * prefill speed (64 rows: 70 MB, 6% slower); 124M (768) keeps 256, 128-row chunks cost it 12%.
 */
export function prefillChunk(nEmbd: number): number {
  return nEmbd > 1024 ? 64 : nEmbd > 768 ? 128 : 256;
}
const SCORE_CHUNK = 128;

export interface CancelToken {
  readonly cancelled: boolean;
}

/** `S`: the decoder's cache type (each decoder takes only the states it made). */
export class Engine<S extends KvState = KvState> {
  private readonly cache: PrefixCache<S>;
  /** Scored document parts: key (top, context length, ids' hash) → tokens, packed, bounded by bytes. */
  private readonly parts = new ScoredPartCache();
  /** Per document: its tokens (kept incrementally) and where its window starts. */
  private readonly windows: DocumentWindows;

  /** @param totalMemBytes the machine's memory, which sets the prefix cache's byte budget */
  constructor(
    readonly tokenizer: Gpt2Tokenizer,
    readonly decoder: Decoder<S>,
    totalMemBytes: number = os.totalmem(),
  ) {
    this.windows = new DocumentWindows(tokenizer, SLIDE_STEP);
    this.cache = new PrefixCache<S>(3, prefixCacheBudget(decoder.info, totalMemBytes));
  }

  /** DRY's breaker masks by breaker list (a vocabulary scan each; writers rarely change the list). */
  private readonly breakerMasks = new Map<string, Uint8Array>();

  private breakerMask(breakers: readonly string[]): Uint8Array {
    const key = JSON.stringify(breakers);
    let mask = this.breakerMasks.get(key);
    if (!mask) {
      const text = (id: number) => {
        try {
          return this.tokenizer.tokenText(id);
        } catch {
          return ''; // an id without a token (a hole in the vocabulary, or past its end)
        }
      };
      mask = dryBreakerMask(breakers, this.decoder.info.vocabSize, text);
      if (this.breakerMasks.size >= 8) this.breakerMasks.delete(this.breakerMasks.keys().next().value as string);
      this.breakerMasks.set(key, mask);
    }
    return mask;
  }

  get contextLength(): number {
    return this.decoder.info.contextLength;
  }

  tokenize(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  /**
   * What the model would read for `text` under `cacheKey` with `maxNewTokens` to generate (the
   * same plan `generate` makes, so the status bar and the editor's window marker match it).
   */
  planWindow(text: string, options: { cacheKey?: string; memory?: string; maxNewTokens: number }): WindowPlan {
    return this.windows.plan(options.cacheKey, text, {
      contextLength: this.contextLength,
      maxNewTokens: options.maxNewTokens,
      memory: options.memory,
    });
  }

  async generate(
    req: GenerateRequest,
    onEvent: (e: GenerateEvent) => void = () => {},
    cancel: CancelToken = { cancelled: false },
  ): Promise<GenerateResult> {
    if (typeof req.prompt !== 'string') throw new TypeError('prompt must be a string');
    const params = validateParams(req.params ?? {});
    const topN = req.topAlternatives ?? 0;
    if (!Number.isInteger(topN) || topN < 0 || topN > 20)
      throw new RangeError('topAlternatives must be an integer from 0 to 20');
    const t0 = performance.now();
    const { decoder, tokenizer } = this;
    const vocab = decoder.info.vocabSize;

    // Memory + the document's window (anchored to the document: see context/documentWindow.ts); an
    // empty prompt starts from <|endoftext|>, as GPT-2 was trained to begin documents. The window
    // may shorten maxNewTokens: the prompt always keeps part of the context.
    if (req.memory !== undefined && typeof req.memory !== 'string') throw new TypeError('memory must be a string');
    const plan = this.windows.plan(req.cacheKey, req.prompt, {
      contextLength: this.contextLength,
      maxNewTokens: params.maxNewTokens,
      memory: req.memory,
    });
    const ids = plan.ids;
    const maxNew = plan.maxNewTokens;
    const window: WindowInfo = windowInfo(plan);

    // Prefill what the prefix cache does not already hold.
    const { entry, reused } = this.cache.acquire(decoder, req.cacheKey, ids, this.contextLength);
    const dropped = plan.droppedTokens;
    onEvent({ kind: 'prefill', promptTokens: ids.length, reusedTokens: reused, truncatedTokens: dropped, ...window });
    let logits: StepLogits | null = null;
    const chunkRows = prefillChunk(decoder.info.nEmbd);
    for (let at = reused; at < ids.length && !cancel.cancelled; at += chunkRows) {
      const chunk = ids.slice(at, Math.min(ids.length, at + chunkRows));
      logits = await decoder.forward(entry.state, [chunk], 'last');
      entry.ids.push(...chunk);
      if (cancel.cancelled) break;
    }
    const prefillMs = performance.now() - t0;
    const n = params.alternatives;
    const alts = Array.from({ length: n }, () => newAlt(tokenizer, params, ids));
    if (cancel.cancelled || logits === null) {
      return finish(
        alts.map((a) => ({ ...a, finishReason: 'cancelled' as FinishReason })),
        ids.length,
        reused,
        dropped,
        prefillMs,
        0,
        t0,
      );
    }

    // One stepper per alternative: each holds its own sampler state (mirostat's bound).
    const context = {
      banned: bannedSequences(params.bannedWords, (s) => tokenizer.encode(s)),
      ...(params.dryMultiplier > 0 ? { dryBreakers: this.breakerMask(params.drySequenceBreakers) } : {}),
      xtcProtected: [...tokenizer.encode('\n'), tokenizer.eosTokenId],
    };
    const steppers = alts.map(() => createStepper(params, context, topN));
    // One generator per alternative, split from the seed: alternative i draws the same tokens
    // whether 1 or 5 alternatives were asked for, so "regenerate one" and "more" stay reproducible.
    const seeded = new Rng(params.seed);
    const rngs = alts.map(() => seeded.split());
    // One alternative decodes in the document's own cache (so accepting it is already cached);
    // several share the prompt's K/V through a batch copy of it.
    let state: S = entry.state;
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
        const { id: tok, logprob, top } = steppers[a](rows[a], alt.history, ids.length, rngs[a], lses[a]);
        if (tok === tokenizer.eosTokenId) {
          alt.finishReason = 'eos';
          alt.text += alt.stop.flush();
          next.push(tok);
          continue;
        }
        alt.tokenIds.push(tok);
        alt.history.push(tok);
        alt.logprobs.push(logprob);
        const shown = top?.map(({ id, logprob: lp }) => ({ id, logprob: lp, text: alt.stream.peek(id) }));
        if (shown) alt.top.push(shown);
        const { emit, stopped } = alt.stop.push(alt.stream.push(tok));
        if (emit) alt.text += emit;
        onEvent({ kind: 'token', alternative: a, tokenId: tok, text: emit, logprob, ...(shown ? { top: shown } : {}) });
        if (firstTokenAt === 0) firstTokenAt = performance.now();
        if (stopped) alt.finishReason = 'stop';
        else if (alt.tokenIds.length >= maxNew) alt.finishReason = 'length';
        next.push(tok);
      }
      steps++;
      if (cancel.cancelled) for (const alt of alts) alt.finishReason ??= 'cancelled';
      if (alts.every((a) => a.finishReason)) break;
      const out = await decoder.forward(
        state,
        next.map((t) => [t]),
        'last',
      );
      if (shared) entry.ids.push(next[0]);
      rows = alts.map((_, a) => out.logits.subarray(a * vocab, (a + 1) * vocab));
      lses = alts.map((_, a) => out.logSumExp?.[a]);
    }
    for (const alt of alts) {
      // finish(), not flush(): a character the generation stopped inside is dropped, never shown as U+FFFD.
      if (alt.finishReason !== 'stop') alt.text += alt.stop.push(alt.stream.finish()).emit + alt.stop.flush();
    }
    return finish(alts, ids.length, reused, dropped, prefillMs, firstTokenAt, t0, steps);

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
          // Prompt tokens this request ran through the model (the counter tests assert on).
          readTokens: Math.max(0, Math.min(promptTokens, entry.ids.length) - reusedTokens),
          truncatedTokens,
          ...window,
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
    const all = this.tokenizer.encode(text);
    const dropped = Math.max(0, all.length - this.contextLength);
    const ids = all.slice(dropped);
    const tokens = ids.length ? await this.scoreRange(ids, 0, top, cancel) : [];
    return { tokens, truncatedTokens: dropped };
  }

  /**
   * The heat map over a whole document, part by part: the parts from the first one starting at or
   * after character `from`, as many as are already scored (an edit leaves the others cached) and
   * then one more scored now. Each part's tokens are predicted from the document before it, up to a
   * full context, so a long document is scored as the model would read it while writing, not only
   * its last window. Cancellable between chunks.
   */
  async scoreParts(
    text: string,
    options: { cacheKey: string; from: number; top?: number },
    cancel: CancelToken = { cancelled: false },
  ): Promise<ScorePartsResult> {
    const top = options.top ?? 5;
    if (!Number.isInteger(top) || top < 0 || top > 50) throw new RangeError('top must be an integer from 0 to 50');
    if (!Number.isInteger(options.from) || options.from < 0) throw new RangeError('from must be a character offset');
    const doc = this.windows.tokens(options.cacheKey, text);
    const ids = doc.tokens;
    return scorePartsFrom(doc, options.from, async ({ start, end }, mayCompute) => {
      const ctxStart = Math.max(0, end - this.contextLength);
      const key = `${top}:${start - ctxStart}:${end - ctxStart}:${hashIds(ids, ctxStart, end)}`;
      const hit = this.parts.get(key, { ids, from: ctxStart, to: end });
      if (hit) return { tokens: hit, computed: false };
      if (!mayCompute) return null;
      const read = ids.slice(ctxStart, end);
      const tokens = await this.scoreRange(read, start - ctxStart, top, cancel);
      this.parts.set(key, tokens, read);
      return { tokens, computed: true };
    });
  }

  /**
   * Scores ids[first..]: the tokens before `first` are read as context only (no logits but the
   * last). Each alternative reads as what it would write after the text so far (no U+FFFD halves).
   * Public for `inkling eval` (engine/eval), so quality is measured on the path the app scores with.
   */
  async scoreRange(ids: number[], first: number, top: number, cancel: CancelToken): Promise<ScoredToken[]> {
    const { decoder, tokenizer } = this;
    const vocab = decoder.info.vocabSize;
    const state = decoder.newState(1, ids.length);
    const tokens: ScoredToken[] = ids
      .slice(first)
      .map((id) => ({ id, text: tokenizer.tokenText(id), logprob: null, rank: null, top: [] }));
    const cancelled = () => new InklingError('cancelled', 'The scoring was cancelled.');
    let prev: { row: Float32Array; lse?: number } | null = null;
    const chunkRows = prefillChunk(decoder.info.nEmbd);
    for (let at = 0; at < first; at += chunkRows) {
      if (cancel.cancelled) throw cancelled();
      const chunk = ids.slice(at, Math.min(first, at + chunkRows));
      const out = await decoder.forward(state, [chunk], 'last');
      prev = { row: out.logits.slice(0, vocab), lse: out.logSumExp?.[0] };
    }
    const context = tokenizer.createStreamDecoder();
    for (let i = 0; i < Math.max(first, 1); i++) context.push(ids[i]);
    const fill = (t: number, row: Float32Array, lse: number) => {
      const want = row[ids[first + t]];
      let above = 0;
      for (let v = 0; v < vocab; v++) if (row[v] > want) above++;
      tokens[t].logprob = want - lse;
      tokens[t].rank = above + 1;
      tokens[t].top =
        top > 0
          ? topAlternatives(row, top, lse).map(({ id, logprob }) => ({ id, logprob, text: context.peek(id) }))
          : [];
      context.push(ids[first + t]);
    };
    if (prev) fill(0, prev.row, prev.lse ?? logSumExp(prev.row));
    for (let at = first; at < ids.length; at += SCORE_CHUNK) {
      if (cancel.cancelled) throw cancelled();
      const chunk = ids.slice(at, at + SCORE_CHUNK);
      const { logits, logSumExp: lses } = await decoder.forward(state, [chunk], 'all');
      for (let j = 0; j < chunk.length; j++) {
        const t = at + j + 1 - first; // logits at position p predict token p + 1
        if (t >= tokens.length) break;
        const row = logits.subarray(j * vocab, (j + 1) * vocab);
        fill(t, row, lses ? lses[j] : logSumExp(row));
      }
    }
    return tokens;
  }

  /**
   * Forgets what the engine keeps for a closed document: its cached K/V and window (`docId`) and its
   * panes' (`docId~translate`, `~summarize`, …). Returns how many cached K/V states were dropped.
   */
  forgetDocument(docId: string): number {
    const mine = ofDocument(docId);
    this.windows.forgetWhere(mine);
    return this.cache.forgetWhere(mine);
  }

  async dispose(): Promise<void> {
    this.cache.clear();
    this.windows.clear();
    this.parts.clear();
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
  return {
    text: '',
    tokenIds: [],
    history: [...prompt],
    logprobs: [],
    top: [],
    stream: tokenizer.createStreamDecoder(),
    stop: new StopMatcher(params.stop),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** FNV-1a over ids[from, to): a cache key (hits are confirmed by comparing the ids). */
function hashIds(ids: readonly number[], from: number, to: number): string {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) {
    h ^= ids[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
