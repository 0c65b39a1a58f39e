/**
 * The panes' editor state without a DOM: where a task's source comes from, generated-token marks
 * following edits, accepted ghost text keeping its tokens, heat decorations by rank bucket, and the
 * tasks store routing streamed events.
 */
import { EditorState } from '@codemirror/state';
import { Decoration, type DecorationSet } from '@codemirror/view';
import { describe, expect, it } from 'vitest';
import type { GenerateResult, TaskEventMessage, TaskRequest, TaskResult } from '../../../electron/api';
import { acceptSpec, appendGhost, finishGhost, ghostField, startSpec } from '../../../renderer/src/editor/ghost-text';
import { docVersionField } from '../../../renderer/src/editor/ghost-text/state';
import { paragraphAt } from '../../../renderer/src/panes/editorText';
import { createTasksStore, runKey } from '../../../renderer/src/panes/tasksStore';
import { heatDecorations } from '../../../renderer/src/probabilities/heatmap';
import { TokenRecorder } from '../../../renderer/src/probabilities/recorder';
import { generatedTokens, markAt, recordTokens, runEnd } from '../../../renderer/src/probabilities/tokens';

function ranges(set: DecorationSet, doc: string): string[] {
  const out: string[] = [];
  set.between(0, doc.length, (f, t) => void out.push(doc.slice(f, t)));
  return out;
}

describe('task sources', () => {
  it('the paragraph at the cursor is the lines between blank lines (on a blank line: the one above)', () => {
    const doc = EditorState.create({ doc: 'Title\n\nFirst line\nsecond line\n\n\nLast.' }).doc;
    const at = (pos: number) => {
      const p = paragraphAt(doc, pos);
      return doc.sliceString(p.from, p.to);
    };
    expect(at(10)).toBe('First line\nsecond line');
    expect(at(2)).toBe('Title');
    expect(at(doc.toString().indexOf('\n\n\n') + 2)).toBe('First line\nsecond line');
    expect(at(doc.length)).toBe('Last.');
  });
});

describe('generated tokens', () => {
  const field = generatedTokens(null);
  const make = () => EditorState.create({ doc: 'Start.', extensions: [field] });
  const tokens = [' The', ' cat', ' sat', '.'].map((text, i) => ({
    text,
    logprob: -i - 1,
    top: [{ text, logprob: -0.5 }],
  }));

  it('marks inserted text token by token; edits inside a token forget it, edits beside keep it', () => {
    let s = make();
    s = s.update({
      changes: { from: 6, insert: ' The cat sat.' },
      effects: recordTokens.of({ from: 6, tokens }),
    }).state;
    expect(ranges(s.field(field), s.doc.toString())).toEqual([' The', ' cat', ' sat', '.']);
    expect(markAt(s.field(field), 12)?.info.text).toBe(' cat');
    expect(runEnd(s, field, 10)).toEqual({ end: 19, tokens: 3 }); // " cat", " sat", "." follow " The"
    s = s.update({ changes: { from: 11, insert: 'X' } }).state; // inside " cat"
    expect(ranges(s.field(field), s.doc.toString())).toEqual([' The', ' sat', '.']);
    s = s.update({ changes: { from: 0, insert: '>> ' } }).state; // before everything: marks move
    expect(ranges(s.field(field), s.doc.toString())).toEqual([' The', ' sat', '.']);
  });

  it('an accepted suggestion keeps its tokens and their top alternatives (filled in when the result arrives)', () => {
    const recorder = new TokenRecorder();
    const f = generatedTokens(recorder);
    let s = EditorState.create({ doc: 'Once', selection: { anchor: 4 }, extensions: [docVersionField, ghostField, f] });
    s = s.update(startSpec(s, 'r1', 1)).state;
    for (const text of [' upon', ' a', ' time']) {
      recorder.onEvent({ requestId: 'r1', event: { kind: 'token', alternative: 0, tokenId: 1, text, logprob: -1 } });
      s = s.update({ effects: appendGhost.of({ requestId: 'r1', alternative: 0, text }) }).state;
    }
    s = s.update({ effects: finishGhost.of({ requestId: 'r1' }) }).state;
    s = s.update(acceptSpec(s)!).state;
    expect(s.doc.toString()).toBe('Once upon a time');
    expect(ranges(s.field(f), s.doc.toString())).toEqual([' upon', ' a', ' time']);
    const result: GenerateResult = {
      alternatives: [
        {
          text: ' upon a time',
          tokenIds: [1, 2, 3],
          logprobs: [-1, -1, -1],
          top: [[{ id: 9, text: ' in', logprob: -0.2 }], [], []],
          finishReason: 'length',
        },
      ],
      stats: {
        promptTokens: 1,
        reusedTokens: 0,
        readTokens: 1,
        documentTokens: 1,
        memoryTokens: 0,
        windowStart: 0,
        scannedChars: 1,
        truncatedTokens: 0,
        prefillMs: 0,
        timeToFirstTokenMs: 0,
        decodeTokensPerS: 0,
        generatedTokens: 3,
      },
    };
    recorder.onResult('r1', result);
    expect(markAt(s.field(f), 6)?.info.top).toEqual([{ text: ' in', logprob: -0.2 }]);
  });
});

describe('heat map', () => {
  it('tints each scored token by its GLTR rank bucket; unscored tokens stay plain', () => {
    const spans = [
      { from: 0, to: 3, logprob: null, rank: null, top: [] },
      { from: 3, to: 7, logprob: -1, rank: 1, top: [] },
      { from: 7, to: 11, logprob: -3, rank: 50, top: [] },
      { from: 11, to: 15, logprob: -6, rank: 999, top: [] },
      { from: 15, to: 19, logprob: -9, rank: 5000, top: [] },
    ];
    const set = heatDecorations(0, spans, 19);
    const classes: string[] = [];
    set.between(0, 19, (_f, _t, v) => void classes.push(String((v.spec as { class: string }).class)));
    expect(classes).toEqual(['cm-heat cm-heat-0', 'cm-heat cm-heat-1', 'cm-heat cm-heat-2', 'cm-heat cm-heat-3']);
    // Spans past the document's end (it shrank meanwhile) are left out.
    expect(heatDecorations(0, spans, 12)).not.toBe(Decoration.none);
    let n = 0;
    heatDecorations(0, spans, 12).between(0, 12, () => void n++);
    expect(n).toBe(2);
  });
});

describe('tasks store', () => {
  it('routes streamed events to the run they belong to, keeps history and the Q/A conversation', async () => {
    let listener: ((m: TaskEventMessage) => void) | null = null;
    const calls: TaskRequest[] = [];
    const cancelled: string[] = [];
    const api = {
      onTaskEvent: (cb: (m: TaskEventMessage) => void) => {
        listener = cb;
        return () => (listener = null);
      },
      cancelTask: async (id: string) => void cancelled.push(id),
      runTask: async (req: TaskRequest): Promise<TaskResult> => {
        calls.push(req);
        listener?.({ requestId: req.requestId, event: { kind: 'start', segment: 0, total: 1 } });
        listener?.({
          requestId: req.requestId,
          event: { kind: 'token', segment: 0, alternative: 0, text: ' Tom', logprob: -1 },
        });
        listener?.({
          requestId: 'someone-else',
          event: { kind: 'token', segment: 0, alternative: 0, text: 'x', logprob: -1 },
        });
        return {
          kind: req.kind,
          text: 'Tom',
          alternatives: [],
          model: { name: 'tiny', precision: 'fp32' },
          prompt: 'p',
          stats: { promptTokens: 1, generatedTokens: 1, elapsedMs: 1, tokensPerS: 1 },
          finishReason: 'stop',
        };
      },
    };
    const store = createTasksStore(api as never);
    const src = { kind: 'document' as const, text: 'Tom has a bike.', from: 0, to: 15 };
    const streamed: string[] = [];
    const off = store.subscribe((s) => {
      const r = s.runs[runKey('d1', 'answer')];
      if (r?.status === 'running' && r.streams[0]) streamed.push(r.streams[0]);
    });
    const r = await store
      .getState()
      .start(
        { kind: 'answer', docId: 'd1', passage: src.text, question: 'Who?', history: [] },
        { doc: null, source: src },
        { question: 'Who?' },
      );
    off();
    expect(r?.text).toBe('Tom');
    expect(streamed).toEqual([' Tom']);
    const run = store.getState().runs[runKey('d1', 'answer')];
    expect(run.status).toBe('done');
    expect(store.getState().conversations.d1).toEqual([{ q: 'Who?', a: 'Tom' }]);
    expect(store.getState().history[runKey('d1', 'answer')][0]).toMatchObject({
      input: 'Who?',
      output: 'Tom',
      model: 'tiny · fp32',
    });
    expect(calls[0].requestId).toMatch(/^answer-/);
    store.getState().stop('d1', 'answer');
    expect(cancelled).toEqual([run.requestId]);
  });
});
