/**
 * Generation store: the request in flight (if any), figures of the last finished generation
 * (tokens/s, time to first token) and how much of the context window the text before the cursor
 * fills. The editor's completion bridge reports into it; the status bar reads it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FinishReason, GenerateResult, GenerateStats, InklingApi, WindowReport } from '../../../electron/api';
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

/** What a continuation at the cursor reads of the document (memory + window), as the host planned it. */
export interface ContextUse extends WindowReport {
  docId: string;
  /** Characters of the text before the cursor when it was measured. */
  textLength: number;
}

export interface GenerationState {
  active: ActiveGeneration | null;
  last: LastGeneration | null;
  /** A message for the writer when the last request failed (cleared by the next request). */
  error: string | null;
  /**
   * What failed: a suggestion, a retry's (whose old text stayed in place), or a suggestion the
   * engine broke off mid-way (`cut`: what arrived stays on show, for the writer to take or dismiss).
   */
  failedWhat: 'suggestion' | 'retry' | 'cut' | null;
  context: ContextUse | null;
  started(requestId: string, docId: string, now?: number): void;
  token(requestId: string): void;
  finished(requestId: string, result: GenerateResult): void;
  failed(requestId: string, err: unknown, what?: 'suggestion' | 'retry'): void;
  cancelled(requestId: string): void;
  /**
   * Asks the host what a continuation of `textBefore` (all the text before the cursor) would read,
   * after `delayMs` of quiet (only the latest call counts).
   */
  measureContext(docId: string, textBefore: string, delayMs?: number): void;
  dispose(): void;
}

export type GenerationStore = StoreApi<GenerationState>;

export function createGenerationStore(api: Pick<InklingApi, 'describeWindow'>): GenerationStore {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let measureSeq = 0;
  return createStore<GenerationState>()((set, get) => ({
    active: null,
    last: null,
    error: null,
    failedWhat: null,
    context: null,
    started(requestId, docId, now = Date.now()) {
      set({ active: { requestId, docId, startedAt: now, tokens: 0 }, error: null, failedWhat: null });
    },
    token(requestId) {
      const a = get().active;
      if (a?.requestId === requestId) set({ active: { ...a, tokens: a.tokens + 1 } });
    },
    finished(requestId, result) {
      const chars = Math.max(0, ...result.alternatives.map((x) => x.text.length));
      const finishReason = result.interrupted ? 'cut' : (result.alternatives[0]?.finishReason ?? 'length');
      const last: LastGeneration = { requestId, stats: result.stats, finishReason, chars };
      if (get().active?.requestId !== requestId) return set({ last });
      // Broken off mid-way: the status says so (and why) while what arrived stays on show.
      const cut = result.interrupted ? { error: result.interrupted.message, failedWhat: 'cut' as const } : {};
      set({ active: null, last, ...cut });
    },
    failed(requestId, err, what = 'suggestion') {
      if (errorCode(err) === 'cancelled') return get().cancelled(requestId);
      const message = errorMessage(err);
      set({
        error: what === 'retry' ? `Retry stopped: ${message} The text it would have replaced is still there.` : message,
        failedWhat: what,
        ...(get().active?.requestId === requestId ? { active: null } : {}),
      });
    },
    cancelled(requestId) {
      if (get().active?.requestId === requestId) set({ active: null });
    },
    measureContext(docId, textBefore, delayMs = 400) {
      if (timer) clearTimeout(timer);
      const seq = ++measureSeq;
      timer = setTimeout(() => {
        timer = null;
        // The whole text before the cursor: the host keeps the document's tokens and anchors the
        // window to the document, so this costs it only the edit since the last call.
        api.describeWindow({ docId, textBefore }).then(
          (report) => {
            if (seq === measureSeq) set({ context: { ...report, docId, textLength: textBefore.length } });
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
