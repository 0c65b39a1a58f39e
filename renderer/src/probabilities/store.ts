/**
 * Probabilities store: whether the heat map is on, whether a scoring is under way, and what the
 * legend needs to say (how much of the start the model could not read, which model scored).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { errorMessage, type TaskModel } from '../../../electron/api';

export interface ProbabilitiesState {
  heatmap: boolean;
  busy: boolean;
  /** Characters at the document's start left untinted (beyond the model's context window). */
  skippedChars: number;
  model: TaskModel | null;
  error: string | null;
  /** Parts of the document scored so far in this pass, of how many (the heat map covers the whole document). */
  progress: { done: number; total: number } | null;
  setHeatmap(on: boolean): void;
  scoring(busy: boolean): void;
  partScored(progress: { done: number; total: number }, model: TaskModel | null): void;
  scored(info: { skippedChars: number; model: TaskModel | null }): void;
  failed(e: unknown): void;
}

export type ProbabilitiesStore = StoreApi<ProbabilitiesState>;

export function createProbabilitiesStore(): ProbabilitiesStore {
  return createStore<ProbabilitiesState>()((set) => ({
    heatmap: false,
    busy: false,
    skippedChars: 0,
    model: null,
    error: null,
    progress: null,
    setHeatmap(on) {
      set({ heatmap: on, busy: false, error: null, progress: null });
    },
    scoring(busy) {
      set({ busy });
    },
    partScored(progress, model) {
      set({ progress, model, error: null, skippedChars: 0 });
    },
    scored({ skippedChars, model }) {
      set({ busy: false, skippedChars, model, error: null });
    },
    failed(e) {
      set({ busy: false, error: errorMessage(e) });
    },
  }));
}
