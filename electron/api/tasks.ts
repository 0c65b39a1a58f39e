/**
 * The panes' part of the contract: running the GPT-2 paper's tasks (continue, translate, summarize,
 * answer) main-side, their streamed events, and scoring text for the probability views.
 * Validators for these methods live here too (validate.ts wires them into VALIDATORS).
 * No Node imports: the renderer uses these types, constants and validators as well.
 *
 *   runTask({ requestId, docId, kind: 'translate', pair: 'en-fr', text })  → TaskResult
 *     while it runs: taskEvent { requestId, event: start | token | segment }
 *   cancelTask(requestId)                                                  → the run resolves, 'cancelled'
 *   scoreText({ requestId, docId, text })                                  → ScoreTextResult (spans by offset)
 */
import type { FinishReason } from '../engine/host/protocol';
import { DEFAULT_EXAMPLES, LANGUAGE_NAMES, type Language, type LanguagePair } from '../engine/tasks/examples';
import type { QaTurn } from '../engine/tasks/answer';
import type { TranslationExample } from '../engine/tasks/translate';
import { InklingError, type ApiErrorPayload } from './errors';
import type { CompletionParams } from './types';
import {
  completionParams,
  docId,
  fail,
  int as intIn,
  nonEmpty,
  object as plain,
  oneOf,
  requestId,
  text,
  MAX_TEXT_CHARS,
} from './check';

export type { Language, LanguagePair, QaTurn, TranslationExample };
export { DEFAULT_EXAMPLES, LANGUAGE_NAMES };

export type TaskKind = 'continue' | 'translate' | 'summarize' | 'answer';
export const TASK_KINDS: readonly TaskKind[] = ['continue', 'translate', 'summarize', 'answer'];
export const LANGUAGE_PAIRS = Object.keys(DEFAULT_EXAMPLES) as LanguagePair[];

/** Longest text a translation may take (it is read sentence by sentence, at most 400 of them). */
export const MAX_TASK_TEXT_CHARS = 200_000;
export const MAX_EXAMPLES = 32;
export const MAX_EXAMPLE_CHARS = 600;
export const MAX_QUESTION_CHARS = 2000;
export const MAX_QA_TURNS = 20;
/** Top alternatives per generated token the probability popup can ask for. */
export const MAX_TOP_ALTERNATIVES = 10;

interface TaskBase {
  /** Chosen by the renderer; names the run in events and cancelTask. */
  requestId: string;
  docId: string;
  /** Sampling parameters (any subset; the rest come from the task's paper preset). */
  params?: CompletionParams;
  /**
   * What a newer run replaces: a newer run of the same kind for the same document and lane cancels
   * the older one. "Regenerate one card" uses its own lane so the other cards keep streaming.
   */
  lane?: string;
}

/** Continue the text before the cursor (N alternatives, with per-token probabilities). */
export interface ContinueTask extends TaskBase {
  kind: 'continue';
  textBefore: string;
  /** Top alternatives per generated token (0–10), for the probability popup. */
  topAlternatives?: number;
}

/** Translate `text` sentence by sentence with the paper's "source = target" prompt. */
export interface TranslateTask extends TaskBase {
  kind: 'translate';
  pair: LanguagePair;
  text: string;
  /** The example pairs of the prompt; default: the pair's built-in examples. */
  examples?: TranslationExample[];
}

/** Summarize `text`: article + "\nTL;DR:", the first `sentences` (3) generated sentences kept. */
export interface SummarizeTask extends TaskBase {
  kind: 'summarize';
  text: string;
  sentences?: number;
}

/** Answer a question about `passage` in the CoQA format (earlier turns as Q:/A: lines). */
export interface AnswerTask extends TaskBase {
  kind: 'answer';
  passage: string;
  question: string;
  history?: QaTurn[];
}

export type TaskRequest = ContinueTask | TranslateTask | SummarizeTask | AnswerTask;

export interface TokenChoice {
  text: string;
  logprob: number;
}

/** One generated token: its text, log-probability and the model's top choices at that point. */
export interface TaskToken {
  text: string;
  logprob: number;
  top: TokenChoice[];
}

export interface TaskAlternative {
  /** The text to insert (continue: adjusted to the writer's trailing space; others: extracted). */
  text: string;
  /** What the model generated, untouched. */
  raw: string;
  /** continue: the tokens of `text`, in order (their texts concatenate to `text`); others: []. */
  tokens: TaskToken[];
  tokenCount: number;
  /** Mean natural-log probability of the generated tokens; null when none were generated. */
  meanLogprob: number | null;
  tokensPerS: number;
  finishReason: FinishReason;
  /**
   * Set when the model stopped at its length limit with fewer tokens than were asked for: the
   * context window (the text before the cursor, and the memory) left room for only `room` new
   * tokens of the `asked`.
   */
  cutShort?: { asked: number; room: number };
}

/** Why a continuation came back shorter than asked, in words for its card (null when it did not). */
export function cutShortReason(alt: Pick<TaskAlternative, 'cutShort'>): string | null {
  if (!alt.cutShort) return null;
  const { asked, room } = alt.cutShort;
  const n = (x: number) => x.toLocaleString('en-US');
  return `Stopped at ${n(room)} of ${n(asked)} tokens: the model reads a limited window of text, and the text before the cursor left room for only ${n(room)} new ones. Ask for fewer tokens, or continue from here.`;
}

/** translate: one sentence of the source and its translation. */
export interface TaskSegment {
  source: string;
  result: string;
  raw: string;
}

export interface TaskModel {
  name: string;
  precision: string;
}

export interface TaskResult {
  kind: TaskKind;
  /** The result: the continuation (first alternative), translation, summary or answer. */
  text: string;
  alternatives: TaskAlternative[];
  /** translate: sentence by sentence. */
  segments?: TaskSegment[];
  /** The model that produced it. */
  model: TaskModel | null;
  /** The (last) prompt as the model read it (memory, then its window of the text), for "show the prompt". */
  prompt: string;
  /** When the model did not read the whole prompt, or read a memory first: what it read, in words. */
  promptNote?: string;
  /**
   * The start of the (last) prompt did not fit in the model's context and was not read: how many
   * tokens, and how many words of it. Summarize and Ask put the writer's text first, so this is how
   * much of it the result knows nothing about (the pane says so next to the result).
   */
  unread?: { tokens: number; words: number };
  stats: { promptTokens: number; generatedTokens: number; elapsedMs: number; tokensPerS: number };
  /** `cut` when the engine broke off mid-way (see `interrupted`); `cancelled` when stopped. */
  finishReason: FinishReason;
  /**
   * Set when the engine broke off before the task finished (a remote server's stream was cut, or it
   * failed between two sentences): the result holds what arrived, extracted as usual, and this is
   * the error, in words for the writer. Nothing after the cut was asked for.
   */
  interrupted?: ApiErrorPayload;
}

export type TaskEvent =
  /** A model call starts (translate: one per sentence; `source` is that sentence). */
  | { kind: 'start'; segment: number; total: number; source?: string }
  | { kind: 'token'; segment: number; alternative: number; text: string; logprob: number }
  /** translate: sentence `segment` is done. */
  | { kind: 'segment'; segment: number; total: number; source: string; result: string };

export interface TaskEventMessage {
  requestId: string;
  event: TaskEvent;
}

export interface ScoreRequest {
  requestId: string;
  docId: string;
  /**
   * The text to score. Without `from`: the model reads the last window of it that fits its
   * context. With `from`: the whole document (up to 20M characters), part by part; '' with `sameText`.
   */
  text: string;
  /**
   * With `from`: score the same text as this document's last scoring request that carried one
   * (`text` is then ''), so a pass over a long document sends it once, not with every part. A host
   * that has none (it restarted) rejects with 'not_found': send the text again.
   */
  sameText?: boolean;
  /** Top alternatives per token (0–10; default 5). */
  top?: number;
  /**
   * Score the whole document in parts, starting with the part that begins at or after this
   * character offset: the result holds the parts already scored (cached from earlier passes) and
   * one more, and says where to continue (`next`). Each part is read with the document before it.
   */
  from?: number;
}

/** One token of scored text: its place in `text` (UTF-16 offsets), probability and rank. */
export interface ScoredSpan {
  from: number;
  to: number;
  /** null for the first token of the window (nothing predicts it). */
  logprob: number | null;
  /** 1 = the model's first choice. */
  rank: number | null;
  top: TokenChoice[];
}

export interface ScoreTextResult {
  spans: ScoredSpan[];
  /** Characters at the start of `text` the model did not read (beyond its context window). */
  skippedChars: number;
  model: TaskModel | null;
  /** With `from`: the range of `text` these spans cover, where to continue (null: done), and progress. */
  range?: { from: number; to: number };
  /** With `from`: each part these spans cover (the heat map keeps track of what it has scored). */
  parts?: { from: number; to: number }[];
  next?: number | null;
  progress?: { done: number; total: number };
}

/** GLTR's rank buckets: top-10, top-100, top-1000, beyond. */
export type RankBucket = 0 | 1 | 2 | 3;
export function rankBucket(rank: number | null): RankBucket | null {
  if (rank === null) return null;
  return rank <= 10 ? 0 : rank <= 100 ? 1 : rank <= 1000 ? 2 : 3;
}

// ── validators ───────────────────────────────────────────────────────────────────────────────────
export function taskKind(where: string, v: unknown): TaskKind {
  return oneOf(where, v, TASK_KINDS);
}

export function languagePair(where: string, v: unknown): LanguagePair {
  if (typeof v !== 'string' || !(LANGUAGE_PAIRS as readonly string[]).includes(v))
    fail(where, `one of ${LANGUAGE_PAIRS.join(', ')}`, v);
  return v as LanguagePair;
}

export function translationExamples(where: string, v: unknown): TranslationExample[] {
  if (!Array.isArray(v)) fail(where, 'a list of {source, target} pairs', v);
  if (v.length > MAX_EXAMPLES)
    throw new InklingError('bad_request', `${where} may hold at most ${MAX_EXAMPLES} pairs; got ${v.length}.`);
  return v.map((item, i) => {
    const o = plain(`${where}[${i}]`, item, ['source', 'target']);
    return {
      source: nonEmpty(`${where}[${i}].source`, o.source, MAX_EXAMPLE_CHARS),
      target: nonEmpty(`${where}[${i}].target`, o.target, MAX_EXAMPLE_CHARS),
    };
  });
}

function qaTurns(where: string, v: unknown): QaTurn[] {
  if (!Array.isArray(v)) fail(where, 'a list of {q, a} turns', v);
  if (v.length > MAX_QA_TURNS)
    throw new InklingError('bad_request', `${where} may hold at most ${MAX_QA_TURNS} turns; got ${v.length}.`);
  return v.map((item, i) => {
    const o = plain(`${where}[${i}]`, item, ['q', 'a']);
    return {
      q: text(`${where}[${i}].q`, o.q, MAX_QUESTION_CHARS),
      a: text(`${where}[${i}].a`, o.a, MAX_QUESTION_CHARS),
    };
  });
}

const LANE_RE = /^[A-Za-z0-9_-]{1,32}$/;

const COMMON = ['requestId', 'docId', 'kind', 'params', 'lane'] as const;
const FIELDS: Record<TaskKind, readonly string[]> = {
  continue: [...COMMON, 'textBefore', 'topAlternatives'],
  translate: [...COMMON, 'pair', 'text', 'examples'],
  summarize: [...COMMON, 'text', 'sentences'],
  answer: [...COMMON, 'passage', 'question', 'history'],
};

export function taskRequest(v: unknown): TaskRequest {
  const w = 'runTask: request';
  const head = plain(w, v, [...new Set(Object.values(FIELDS).flat())]);
  const kind = taskKind(`${w}.kind`, head.kind);
  const o = plain(w, v, FIELDS[kind]);
  const base = {
    requestId: requestId(`${w}.requestId`, o.requestId),
    docId: docId(`${w}.docId`, o.docId),
    ...(o.params !== undefined ? { params: completionParams(`${w}.params`, o.params) } : {}),
    ...(o.lane !== undefined
      ? {
          lane:
            typeof o.lane === 'string' && LANE_RE.test(o.lane)
              ? o.lane
              : fail(`${w}.lane`, '1–32 letters, digits, - or _', o.lane),
        }
      : {}),
  };
  switch (kind) {
    case 'continue':
      return {
        ...base,
        kind,
        textBefore: text(`${w}.textBefore`, o.textBefore, MAX_TEXT_CHARS),
        ...(o.topAlternatives !== undefined
          ? { topAlternatives: intIn(`${w}.topAlternatives`, o.topAlternatives, 0, MAX_TOP_ALTERNATIVES) }
          : {}),
      };
    case 'translate':
      return {
        ...base,
        kind,
        pair: languagePair(`${w}.pair`, o.pair),
        text: nonEmpty(`${w}.text`, o.text, MAX_TASK_TEXT_CHARS),
        ...(o.examples !== undefined ? { examples: translationExamples(`${w}.examples`, o.examples) } : {}),
      };
    case 'summarize':
      return {
        ...base,
        kind,
        // A whole manuscript may be summarized: the model reads the window that fits (and says so).
        text: nonEmpty(`${w}.text`, o.text, MAX_TEXT_CHARS),
        ...(o.sentences !== undefined ? { sentences: intIn(`${w}.sentences`, o.sentences, 1, 10) } : {}),
      };
    case 'answer':
      return {
        ...base,
        kind,
        passage: nonEmpty(`${w}.passage`, o.passage, MAX_TEXT_CHARS),
        question: nonEmpty(`${w}.question`, o.question, MAX_QUESTION_CHARS),
        ...(o.history !== undefined ? { history: qaTurns(`${w}.history`, o.history) } : {}),
      };
  }
}

export function scoreRequest(v: unknown): ScoreRequest {
  const w = 'scoreText: request';
  const o = plain(w, v, ['requestId', 'docId', 'text', 'top', 'from', 'sameText']);
  const from = o.from === undefined ? undefined : intIn(`${w}.from`, o.from, 0, MAX_TEXT_CHARS);
  if (o.sameText !== undefined && o.sameText !== true && o.sameText !== false)
    fail(`${w}.sameText`, 'true or false', o.sameText);
  const same = o.sameText === true;
  if (same && from === undefined) fail(`${w}.sameText`, 'only with from (a whole-document pass)', o.sameText);
  const t = text(`${w}.text`, o.text, from === undefined ? MAX_TASK_TEXT_CHARS : MAX_TEXT_CHARS);
  if (same && t !== '') fail(`${w}.text`, "'' with sameText", '(a text)');
  return {
    requestId: requestId(`${w}.requestId`, o.requestId),
    docId: docId(`${w}.docId`, o.docId),
    text: t,
    ...(o.top !== undefined ? { top: intIn(`${w}.top`, o.top, 0, MAX_TOP_ALTERNATIVES) } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(same ? { sameText: true } : {}),
  };
}
