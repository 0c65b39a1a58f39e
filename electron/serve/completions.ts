/**
 * Runs a parsed `/v1/completions` plan on the engine and shapes OpenAI's responses: the whole
 * `text_completion` object, or the stream of chunks (Server-Sent Events are written by server.ts).
 *
 * Per prompt, in one turn on the engine: score the prompt when `echo` + `logprobs` ask for its
 * log-probabilities (the same numbers `inkling score` prints), then generate `best_of` alternatives
 * as one batch with `logprobs` top alternatives per token.
 */
import { randomUUID } from 'node:crypto';
import type { GeneratedAlternative, GenerateResult, ScoreResult, TokenAlternative } from '../engine/host/protocol';
import type { CancelToken, Engine } from '../engine/runtime';
import { ApiError, badRequest } from './errors';
import type { Ticket } from './queue';
import type { CompletionPlan } from './request';

export type FinishReasonOut = 'stop' | 'length';

/** The legacy completions logprobs object (one entry per token of the choice's text). */
export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

export interface CompletionChoice {
  text: string;
  index: number;
  logprobs: LegacyLogprobs | null;
  finish_reason: FinishReasonOut | null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface CompletionResponse {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: CompletionChoice[];
  usage?: Usage;
}

export interface CompletionSink {
  /** A streamed chunk (stream mode only). */
  chunk(c: CompletionResponse): void;
}

/** What the engine must offer the server (the real `Engine` in-process). */
export type ServeEngine = Pick<Engine, 'generate' | 'score' | 'tokenize' | 'contextLength' | 'tokenizer'>;

/** Token counts of each prompt, checked against the context before anything runs (OpenAI's 400). */
export function checkContext(engine: ServeEngine, plan: CompletionPlan): number[] {
  return plan.prompts.map((prompt) => {
    // An empty prompt starts from <|endoftext|>: one token.
    const count = Math.max(1, engine.tokenize(prompt).length);
    if (count + plan.maxTokens > engine.contextLength) {
      throw badRequest(
        `This model's maximum context length is ${engine.contextLength} tokens, however you requested ${count + plan.maxTokens} tokens ` +
          `(${count} in your prompt; ${plan.maxTokens} for the completion). Please reduce your prompt; or completion length.`,
        'prompt',
        'context_length_exceeded',
      );
    }
    return count;
  });
}

export async function runCompletion(
  engine: ServeEngine,
  plan: CompletionPlan,
  modelId: string,
  ticket: Ticket,
  cancel: CancelToken,
  sink?: CompletionSink,
): Promise<CompletionResponse> {
  const promptCounts = checkContext(engine, plan);
  const base = {
    id: `cmpl-${randomUUID().replace(/-/g, '')}`,
    object: 'text_completion' as const,
    created: Math.floor(Date.now() / 1000),
    model: modelId,
    system_fingerprint: 'inkling',
  };
  const send = (choices: CompletionChoice[]) => sink?.chunk({ ...base, choices });
  const choices: CompletionChoice[] = [];
  let completionTokens = 0;

  for (let p = 0; p < plan.prompts.length; p++) {
    const prompt = plan.prompts[p];
    const first = p * plan.n;
    const streamed: string[] = Array.from({ length: plan.n }, () => '');
    // Token events carry each token's log-probability and, when asked, its top alternatives: a
    // streamed choice arrives token by token whatever `logprobs` is (docs/REMOTE.md).
    const live = plan.stream;
    const offsets: number[] = Array.from({ length: plan.n }, () => prompt.length);
    const { scored, result } = await ticket.run(async () => {
      const scored = plan.echo && plan.logprobs !== null ? await engine.score(prompt, plan.logprobs, cancel) : null;
      if (live && plan.echo) {
        const lp = scored ? legacyLogprobs(engine, prompt, scored, null, 0) : null;
        send(
          Array.from({ length: plan.n }, (_, i) => ({
            text: prompt,
            index: first + i,
            logprobs: lp,
            finish_reason: null,
          })),
        );
      }
      let result: GenerateResult | null = null;
      if (plan.maxTokens > 0 && !cancel.cancelled) {
        result = await engine.generate(
          { prompt, params: { ...plan.params, maxNewTokens: plan.maxTokens }, topAlternatives: plan.logprobs ?? 0 },
          (e) => {
            if (!live || e.kind !== 'token') return;
            let logprobs: LegacyLogprobs | null = null;
            if (plan.logprobs !== null) {
              const token = engine.tokenizer.tokenText(e.tokenId);
              logprobs = {
                tokens: [token],
                token_logprobs: [e.logprob],
                top_logprobs: [plan.logprobs > 0 ? topDict(e.top ?? []) : {}],
                text_offset: [offsets[e.alternative]],
              };
              offsets[e.alternative] += token.length;
            } else if (e.text === '') {
              return;
            }
            streamed[e.alternative] += e.text;
            send([{ text: e.text, index: first + e.alternative, logprobs, finish_reason: null }]);
          },
          cancel,
        );
      }
      return { scored, result };
    }, cancel);
    if (cancel.cancelled)
      throw new ApiError(499, 'The client closed the connection.', 'invalid_request_error', null, 'cancelled');

    const alts = result ? pickBest(result.alternatives, plan.n) : Array.from({ length: plan.n }, () => null);
    completionTokens += result ? result.alternatives.reduce((s, a) => s + a.tokenIds.length, 0) : 0;
    alts.forEach((alt, i) => {
      const text = (plan.echo ? prompt : '') + (alt?.text ?? '');
      const finish: FinishReasonOut =
        alt && (alt.finishReason === 'stop' || alt.finishReason === 'eos') ? 'stop' : 'length';
      const logprobs =
        plan.logprobs === null
          ? null
          : legacyLogprobs(engine, prompt, plan.echo ? scored : null, alt, plan.echo ? 0 : prompt.length);
      choices.push({ text, index: first + i, logprobs, finish_reason: finish });
      if (live) {
        // What the stream held back (a possible stop-sequence prefix, the last UTF-8 bytes) comes with the finish.
        send([
          {
            text: (alt?.text ?? '').slice(streamed[i].length),
            index: first + i,
            logprobs: null,
            finish_reason: finish,
          },
        ]);
      }
    });
  }
  const promptTokens = promptCounts.reduce((s, c) => s + c, 0);
  const usage: Usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (plan.stream && plan.includeUsage) sink?.chunk({ ...base, choices: [], usage });
  return { ...base, choices, usage };
}

/** best_of: the n alternatives with the highest log-probability per token, in decoding order. */
function pickBest(alts: GeneratedAlternative[], n: number): GeneratedAlternative[] {
  if (alts.length <= n) return alts;
  const mean = (a: GeneratedAlternative) =>
    a.logprobs.length ? a.logprobs.reduce((s, x) => s + x, 0) / a.logprobs.length : -Infinity;
  const keep = new Set(
    alts
      .map((a, i) => ({ i, m: mean(a) }))
      .sort((x, y) => y.m - x.m)
      .slice(0, n)
      .map((x) => x.i),
  );
  return alts.filter((_, i) => keep.has(i));
}

function topDict(top: TokenAlternative[]): Record<string, number> {
  const out: Record<string, number> = {};
  // Two tokens can share a text (e.g. both show as U+FFFD); the likelier one keeps the key.
  for (const t of top) if (!(t.text in out)) out[t.text] = t.logprob;
  return out;
}

function legacyLogprobs(
  engine: ServeEngine,
  prompt: string,
  scored: ScoreResult | null,
  alt: GeneratedAlternative | null,
  startOffset: number,
): LegacyLogprobs {
  const out: LegacyLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
  let offset = startOffset;
  const add = (text: string, logprob: number | null, top: Record<string, number> | null) => {
    out.tokens.push(text);
    out.token_logprobs.push(logprob);
    out.top_logprobs.push(top);
    out.text_offset.push(offset);
    offset += text.length;
  };
  if (scored) {
    // The first token has no prediction (OpenAI: null logprob and null alternatives).
    for (const t of scored.tokens) add(t.text, t.logprob, t.logprob === null ? null : topDict(t.top));
    offset = prompt.length;
  }
  if (alt) {
    alt.tokenIds.forEach((id, k) =>
      add(engine.tokenizer.tokenText(id), alt.logprobs[k], alt.top ? topDict(alt.top[k] ?? []) : {}),
    );
  }
  return out;
}
