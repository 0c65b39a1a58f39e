/**
 * Tasks store: per document and pane, the run on show (streaming text, sentences done, the result
 * or the error), a short history of earlier results, and the Ask pane's conversation. Runs go to
 * the host (runTask); their events are routed here by request id. A new run of a pane replaces the
 * one going (the host cancels it too).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Text } from '@codemirror/state';
import {
  errorMessage,
  type InklingApi,
  type QaTurn,
  type TaskAlternative,
  type TaskEventMessage,
  type TaskKind,
  type TaskRequest,
  type TaskResult,
} from '../../../electron/api';
import type { Source } from './editorText';

/**
 * Where a run is: writing, done, stopped by the writer, `cut` (the engine broke off mid-way — a
 * server's stream was cut: its result is what arrived, and `error` says why), or failed.
 */
export type RunStatus = 'running' | 'done' | 'stopped' | 'cut' | 'error';

/** The run has a result to show: finished, or broken off with what arrived. */
export function hasResult(run: PaneRun | undefined): run is PaneRun {
  return run?.status === 'done' || run?.status === 'cut';
}

/**
 * What a run broken off mid-way is, in words (null for any other run): who stopped, and that what
 * arrived is on show to use as it is. Its `error` (shown too) says why.
 */
export function cutNote(run: PaneRun | undefined): string | null {
  if (run?.status !== 'cut') return null;
  const who = run.result?.interrupted?.code === 'remote_failed' ? 'the server' : 'the engine';
  return `Cut off: ${who} stopped before finishing, so this is only what arrived. Use it as it is, or run again.`;
}

export interface RunOrigin {
  /** The document text when the run started: positions below hold while it is unchanged. */
  doc: Text | null;
  /** continue: where the text continues; others: the source's place. */
  source: Source;
}

export interface PaneRun {
  requestId: string;
  kind: TaskKind;
  docId: string;
  status: RunStatus;
  startedAt: number;
  /** Streamed text: continue, per alternative; other tasks, the current model call's output. */
  streams: string[];
  /** translate: each sentence and its translation (null while it runs). */
  segments: { source: string; result: string | null }[];
  total: number;
  result: TaskResult | null;
  error: string | null;
  origin: RunOrigin;
  /** answer: the question asked. */
  question?: string;
  /** continue: cards being regenerated one by one (index → its run). */
  regen: Record<number, { requestId: string; text: string }>;
}

export interface HistoryEntry {
  id: string;
  kind: TaskKind;
  at: number;
  input: string;
  output: string;
  model: string | null;
}

export const HISTORY_LENGTH = 6;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A task request without its id (the store chooses one). */
export type TaskInput = DistributiveOmit<TaskRequest, 'requestId'>;

export interface TasksState {
  runs: Record<string, PaneRun>;
  history: Record<string, HistoryEntry[]>;
  conversations: Record<string, QaTurn[]>;
  start(input: TaskInput, origin: RunOrigin, extra?: { question?: string }): Promise<TaskResult | null>;
  /** continue: regenerate card `index` alone (its own lane; the other cards stay). */
  regenerate(docId: string, index: number, input: TaskInput): Promise<void>;
  stop(docId: string, kind: TaskKind): void;
  clearConversation(docId: string): void;
  dispose(): void;
}

export type TasksStore = StoreApi<TasksState>;

export const runKey = (docId: string, kind: TaskKind) => `${docId}:${kind}`;

let seq = 0;
const session = Math.random().toString(36).slice(2, 8);
const newId = (kind: TaskKind) => `${kind}-${session}-${++seq}`;

function summary(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 90 ? `${t.slice(0, 89)}…` : t;
}

export function createTasksStore(api: Pick<InklingApi, 'runTask' | 'cancelTask' | 'onTaskEvent'>): TasksStore {
  /** requestId → where its events go. */
  const routes = new Map<string, { key: string; regen?: number }>();

  const store = createStore<TasksState>()((set, get) => {
    const patchRun = (key: string, requestId: string, fn: (r: PaneRun) => Partial<PaneRun>) => {
      const run = get().runs[key];
      if (!run || (run.requestId !== requestId && !Object.values(run.regen).some((g) => g.requestId === requestId)))
        return;
      set({ runs: { ...get().runs, [key]: { ...run, ...fn(run) } } });
    };

    const remember = (key: string, run: PaneRun, result: TaskResult) => {
      const input =
        run.kind === 'answer'
          ? (run.question ?? '')
          : run.kind === 'continue'
            ? `…${run.origin.source.text.slice(-80)}`
            : run.origin.source.text;
      const entry: HistoryEntry = {
        id: run.requestId,
        kind: run.kind,
        at: Date.now(),
        input: summary(input),
        output: result.text,
        model: result.model ? `${result.model.name} · ${result.model.precision}` : null,
      };
      set({ history: { ...get().history, [key]: [entry, ...(get().history[key] ?? [])].slice(0, HISTORY_LENGTH) } });
    };

    return {
      runs: {},
      history: {},
      conversations: {},

      async start(input, origin, extra = {}) {
        const key = runKey(input.docId, input.kind);
        const previous = get().runs[key];
        if (previous?.status === 'running') get().stop(input.docId, input.kind);
        const requestId = newId(input.kind);
        routes.set(requestId, { key });
        const run: PaneRun = {
          requestId,
          kind: input.kind,
          docId: input.docId,
          status: 'running',
          startedAt: Date.now(),
          streams: [],
          segments: [],
          total: 1,
          result: null,
          error: null,
          origin,
          regen: {},
          ...extra,
        };
        set({ runs: { ...get().runs, [key]: run } });
        try {
          const result = await api.runTask({ ...input, requestId } as TaskRequest);
          const status: RunStatus =
            result.finishReason === 'cancelled' ? 'stopped' : result.interrupted ? 'cut' : 'done';
          // A cut result stays on show with the error beside it; only whole results join the
          // history and the conversation (a half answer would mislead the next question).
          patchRun(key, requestId, () => ({ status, result, error: result.interrupted?.message ?? null }));
          if (status === 'done' && result.text.trim() !== '') {
            remember(key, get().runs[key] ?? run, result);
            if (input.kind === 'answer' && extra.question) {
              const turns = [...(get().conversations[input.docId] ?? []), { q: extra.question, a: result.text }];
              set({ conversations: { ...get().conversations, [input.docId]: turns.slice(-8) } });
            }
          }
          return result;
        } catch (e) {
          patchRun(key, requestId, () => ({ status: 'error', error: errorMessage(e) }));
          return null;
        } finally {
          routes.delete(requestId);
        }
      },

      async regenerate(docId, index, input) {
        const key = runKey(docId, 'continue');
        const run = get().runs[key];
        if (!run?.result) return;
        const old = run.regen[index];
        if (old) api.cancelTask(old.requestId).catch(() => undefined);
        const requestId = newId('continue');
        routes.set(requestId, { key, regen: index });
        set({ runs: { ...get().runs, [key]: { ...run, regen: { ...run.regen, [index]: { requestId, text: '' } } } } });
        try {
          const result = await api.runTask({ ...input, requestId, lane: `alt${index}` } as TaskRequest);
          const cur = get().runs[key];
          if (!cur?.result || cur.regen[index]?.requestId !== requestId) return;
          const alternatives: TaskAlternative[] = [...cur.result.alternatives];
          // A card cut off mid-way keeps what arrived (its finishReason says `cut`), and the error shows.
          if (result.alternatives[0] && result.finishReason !== 'cancelled')
            alternatives[index] = result.alternatives[0];
          const regen = { ...cur.regen };
          delete regen[index];
          set({
            runs: {
              ...get().runs,
              [key]: {
                ...cur,
                regen,
                result: { ...cur.result, alternatives, model: result.model ?? cur.result.model },
                ...(result.interrupted ? { error: result.interrupted.message } : {}),
              },
            },
          });
        } catch (e) {
          const cur = get().runs[key];
          if (cur) {
            const regen = { ...cur.regen };
            delete regen[index];
            set({ runs: { ...get().runs, [key]: { ...cur, regen, error: errorMessage(e) } } });
          }
        } finally {
          routes.delete(requestId);
        }
      },

      stop(docId, kind) {
        const run = get().runs[runKey(docId, kind)];
        if (!run) return;
        for (const id of [run.requestId, ...Object.values(run.regen).map((g) => g.requestId)]) {
          api.cancelTask(id).catch(() => undefined);
        }
      },

      clearConversation(docId) {
        const conversations = { ...get().conversations };
        delete conversations[docId];
        set({ conversations });
      },

      dispose() {
        off();
      },
    };
  });

  const off = api.onTaskEvent(({ requestId, event }: TaskEventMessage) => {
    const route = routes.get(requestId);
    if (!route) return;
    const run = store.getState().runs[route.key];
    if (!run) return;
    let next: PaneRun | null = null;
    if (route.regen !== undefined) {
      const g = run.regen[route.regen];
      if (!g || g.requestId !== requestId || event.kind !== 'token') return;
      next = { ...run, regen: { ...run.regen, [route.regen]: { ...g, text: g.text + event.text } } };
    } else if (run.requestId === requestId) {
      if (event.kind === 'start') {
        const segments = [...run.segments];
        if (event.source !== undefined) segments[event.segment] = { source: event.source, result: null };
        next = { ...run, total: event.total, segments, streams: run.kind === 'continue' ? run.streams : [''] };
      } else if (event.kind === 'token') {
        const streams = [...run.streams];
        const i = run.kind === 'continue' ? event.alternative : 0;
        if (run.kind !== 'continue' && event.alternative !== 0) return;
        streams[i] = (streams[i] ?? '') + event.text;
        next = { ...run, streams };
      } else if (event.kind === 'segment') {
        const segments = [...run.segments];
        segments[event.segment] = { source: event.source, result: event.result };
        next = { ...run, segments };
      }
    }
    if (next) store.setState({ runs: { ...store.getState().runs, [route.key]: next } });
  });

  return store;
}
