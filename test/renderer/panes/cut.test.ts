/**
 * A pane run the server broke off mid-way (`runTask` resolves with what arrived and `interrupted`):
 * the run is `cut`, keeps its result on show with the error beside it and a note in words, and a
 * half result joins neither the pane's history nor the Ask conversation. No DOM: the tasks store
 * with a scripted API.
 */
import { describe, expect, it } from 'vitest';
import type { TaskEventMessage, TaskRequest, TaskResult } from '../../../electron/api';
import { createTasksStore, cutNote, hasResult, runKey } from '../../../renderer/src/panes/tasksStore';

const CUT = {
  code: 'remote_failed' as const,
  message:
    'The connection to http://127.0.0.1:8000/v1 broke in the middle of a response (other side closed). Try again.',
};

/** A tasks store whose runs stream `pieces`, then resolve whole or cut. */
function store(pieces: string[], cut: boolean) {
  let listener: ((m: TaskEventMessage) => void) | null = null;
  const api = {
    onTaskEvent: (cb: (m: TaskEventMessage) => void) => {
      listener = cb;
      return () => (listener = null);
    },
    cancelTask: async () => undefined,
    runTask: async (req: TaskRequest): Promise<TaskResult> => {
      listener?.({ requestId: req.requestId, event: { kind: 'start', segment: 0, total: 1 } });
      for (const text of pieces)
        listener?.({
          requestId: req.requestId,
          event: { kind: 'token', segment: 0, alternative: 0, text, logprob: -1 },
        });
      const text = pieces.join('').trim();
      return {
        kind: req.kind,
        text,
        alternatives: [
          {
            text,
            raw: pieces.join(''),
            tokens: [],
            tokenCount: pieces.length,
            meanLogprob: -1,
            tokensPerS: 1,
            finishReason: cut ? 'cut' : 'stop',
          },
        ],
        model: { name: 'gpt2', precision: 'server' },
        prompt: 'p',
        stats: { promptTokens: 1, generatedTokens: pieces.length, elapsedMs: 1, tokensPerS: 1 },
        finishReason: cut ? 'cut' : 'stop',
        ...(cut ? { interrupted: CUT } : {}),
      };
    },
  };
  return createTasksStore(api);
}

const source = { kind: 'document' as const, text: 'Tom has a bike. He rides it to school.', from: 0, to: 38 };

describe('a pane run broken off mid-way', () => {
  it('summarize: the run is cut, keeps what arrived with the error and a note, and stays out of the history', async () => {
    const tasks = store([' Tom', ' rides', ' his'], true);
    const r = await tasks
      .getState()
      .start({ kind: 'summarize', docId: 'd1', text: source.text }, { doc: null, source });
    expect(r?.text).toBe('Tom rides his');
    const run = tasks.getState().runs[runKey('d1', 'summarize')];
    expect(run).toMatchObject({ status: 'cut', error: CUT.message, streams: [' Tom rides his'] });
    expect(run.result?.text).toBe('Tom rides his');
    expect(hasResult(run)).toBe(true);
    expect(cutNote(run)).toBe(
      'Cut off: the server stopped before finishing, so this is only what arrived. Use it as it is, or run again.',
    );
    expect(tasks.getState().history[runKey('d1', 'summarize')]).toBeUndefined();
  });

  it('ask: a cut answer is on show but is not a turn of the conversation; a whole one is', async () => {
    const cut = store([' Tom', ' and'], true);
    await cut
      .getState()
      .start(
        { kind: 'answer', docId: 'd1', passage: source.text, question: 'Who?', history: [] },
        { doc: null, source },
        { question: 'Who?' },
      );
    expect(cut.getState().runs[runKey('d1', 'answer')].status).toBe('cut');
    expect(cut.getState().conversations.d1).toBeUndefined();

    const whole = store([' Tom'], false);
    await whole
      .getState()
      .start(
        { kind: 'answer', docId: 'd1', passage: source.text, question: 'Who?', history: [] },
        { doc: null, source },
        { question: 'Who?' },
      );
    const run = whole.getState().runs[runKey('d1', 'answer')];
    expect(run).toMatchObject({ status: 'done', error: null });
    expect(cutNote(run)).toBeNull();
    expect(whole.getState().conversations.d1).toEqual([{ q: 'Who?', a: 'Tom' }]);
  });
});
