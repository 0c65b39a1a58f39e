/**
 * Generation store: the request in flight (if any), figures of the last finished generation
 * (tokens/s, time to first token) and how much of the context window the text before the cursor
 * fills. The editor's completion bridge reports into it; the status bar reads it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FinishReason, GenerateResult, GenerateStats, InklingApi } from '../../../electron/api';
import { errorCode, errorMessage } from '../../../electron/api';

export interface ActiveGeneration {
  requestId: string;
  docId: string;
  startedAt: number;
  /** Tokens received so far, all alternatives together. */
  tokens: number;
}

export interface LastGeneration {
  requestId: string;
  stats: GenerateStats;
  finishReason: FinishReason;
  /** Characters of the longest alternative. */
  chars: number;
}

export interface ContextUse {
  docId: string;
  /** Tokens of the text before the cursor (may exceed the window: the model sees the tail). */
  tokens: number;
}

export interface GenerationState {
  active: ActiveGeneration | null;
  last: LastGeneration | null;
  /** A message for the writer when the last request failed (cleared by the next request). */
  error: string | null;
  context: ContextUse | null;
  started(requestId: string, docId: string, now?: number): void;
  token(requestId: string): void;
  finished(requestId: string, result: GenerateResult): void;
  failed(requestId: string, err: unknown): void;
  cancelled(requestId: string): void;
  /** Counts the tokens of `textBefore` after `delayMs` of quiet (only the latest call counts). */
  measureContext(docId: string, textBefore: string, delayMs?: number): void;
  dispose(): void;
}

export type GenerationStore = StoreApi<GenerationState>;

/** The last ~16k characters are more than 1024 tokens of any text GPT-2 reads; the rest is cut. */
export const PROMPT_TAIL_CHARS = 16_000;

export function promptTail(text: string): string {
  return text.length > PROMPT_TAIL_CHARS ? text.slice(text.length - PROMPT_TAIL_CHARS) : text;
}

export function createGenerationStore(api: Pick<InklingApi, 'countTokens'>): GenerationStore {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let measureSeq = 0;
  return createStore<GenerationState>()((set, get) => ({
    active: null,
    last: null,
    error: null,
    context: null,
    started(requestId, docId, now = Date.now()) {
      set({ active: { requestId, docId, startedAt: now, tokens: 0 }, error: null });
    },
    token(requestId) {
      const a = get().active;
      if (a?.requestId === requestId) set({ active: { ...a, tokens: a.tokens + 1 } });
    },
    finished(requestId, result) {
      const chars = Math.max(0, ...result.alternatives.map((x) => x.text.length));
      const finishReason = result.alternatives[0]?.finishReason ?? 'length';
      const last: LastGeneration = { requestId, stats: result.stats, finishReason, chars };
      set(get().active?.requestId === requestId ? { active: null, last } : { last });
    },
    failed(requestId, err) {
      if (errorCode(err) === 'cancelled') return get().cancelled(requestId);
      set({ error: errorMessage(err), ...(get().active?.requestId === requestId ? { active: null } : {}) });
    },
    cancelled(requestId) {
      if (get().active?.requestId === requestId) set({ active: null });
    },
    measureContext(docId, textBefore, delayMs = 400) {
      if (timer) clearTimeout(timer);
      const seq = ++measureSeq;
      const text = promptTail(textBefore);
      timer = setTimeout(() => {
        timer = null;
        api.countTokens(text).then(
          (tokens) => {
            if (seq === measureSeq) set({ context: { docId, tokens } });
          },
          () => {
            // No model (or engine restarting): there is nothing to count against; show no figure.
            if (seq === measureSeq) set({ context: null });
          },
        );
      }, delayMs);
    },
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  }));
}
