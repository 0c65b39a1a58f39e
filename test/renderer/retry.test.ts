/**
 * Retry, then Esc: a retry's fresh suggestion stands in for the newest generation without taking it
 * out of the text, so every way of not taking it (Esc, typing, a failure, the model writing nothing)
 * leaves the text, the undo history and the generation history exactly as they were, with the cursor
 * back where it was; Tab replaces the old text as one undo step. Real EditorState transactions with
 * CodeMirror's history (no DOM); the completion bridge with a stand-in view whose state is real.
 */
import { describe, expect, it, vi } from 'vitest';
import { EditorSelection, EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import { history, redoDepth, undo, undoDepth } from '@codemirror/commands';
import type { EditorView } from '@codemirror/view';
import type { GenerateResult, InklingApi } from '../../electron/api';
import { DEFAULT_SETTINGS } from '../../electron/api/settings';
import { createCompletionBridge } from '../../renderer/src/editor/completions';
import {
  acceptSpec,
  acceptWordSpec,
  appendGhost,
  dismissSpec,
  docVersionField,
  finishGhost,
  finishSpec,
  ghostAnnotation,
  ghostField,
  ghostOf,
  startSpec,
  visibleText,
} from '../../renderer/src/editor/ghost-text/state';
import {
  generatedText,
  generationsField,
  generationsOf,
  newestGeneration,
  retryTarget,
} from '../../renderer/src/editor/generations/state';
import { docIdFacet } from '../../renderer/src/editor/setup';
import { createGenerationStore } from '../../renderer/src/stores/generation';

const extensions = [history(), docVersionField, ghostField, generationsField];

function make(doc: string, cursor = doc.length): EditorState {
  return EditorState.create({ doc, selection: EditorSelection.cursor(cursor), extensions });
}

let clock = 1_000;
function apply(state: EditorState, spec: TransactionSpec | null): EditorState {
  expect(spec).not.toBeNull();
  clock += 1_000;
  const own = ([] as unknown[]).concat(spec!.annotations ?? []) as never[];
  return state.update({ ...spec!, annotations: [...own, Transaction.time.of(clock)] }).state;
}

function undone(state: EditorState): EditorState {
  let next = state;
  undo({ state, dispatch: (tr) => void (next = tr.state) });
  return next;
}

function stream(state: EditorState, id: string, alts: string[]): EditorState {
  let s = state;
  alts.forEach(
    (text, alternative) => (s = apply(s, { effects: appendGhost.of({ requestId: id, alternative, text }) })),
  );
  return s;
}

/** Alt+R as the command does it: a suggestion in place of what retryTarget names (as requestReplacement starts it). */
function retry(state: EditorState, id: string, count = 2, place?: string): EditorState {
  const target = retryTarget(state, place);
  expect(target).not.toBeNull();
  return apply(state, { ...startSpec(state, id, count, target!), annotations: ghostAnnotation.of(true) });
}

/** 'Dawn came' + an accepted ' slowly.' (with ' grey.' not chosen); the cursor after it. */
function accepted(): EditorState {
  let s = apply(make('Dawn came'), startSpec(make('Dawn came'), 'r1', 2));
  s = stream(s, 'r1', [' slowly.', ' grey.']);
  s = apply(s, { effects: finishGhost.of({ requestId: 'r1' }) });
  return apply(s, acceptSpec(s));
}

const tries = (s: EditorState) => generationsOf(s).list.map((g) => g.tries.map((t) => `${t.source}:${t.text}`));

/** Everything Esc must leave as it was. */
function snapshot(s: EditorState) {
  return {
    doc: s.doc.toString(),
    selection: s.selection.toJSON() as unknown,
    undo: undoDepth(s),
    redo: redoDepth(s),
    generations: generationsOf(s),
  };
}

function expectUnchanged(after: EditorState, before: EditorState): void {
  const a = snapshot(after);
  const b = snapshot(before);
  expect(a.doc).toBe(b.doc);
  expect(a.selection).toEqual(b.selection);
  expect([a.undo, a.redo]).toEqual([b.undo, b.redo]);
  // The very same history: the cancelled retry recorded nothing (and nothing is saved for it).
  expect(a.generations).toBe(b.generations);
  expect(ghostOf(after)).toBeNull();
}

describe('Retry', () => {
  it('keeps the old text in the document while the fresh suggestion is on show, the cursor at its end', () => {
    const before = accepted();
    let s = retry(before, 'r2');
    expect(s.doc.toString()).toBe('Dawn came slowly.');
    expect(ghostOf(s)?.replace).toMatchObject({ from: 9, to: 17 });
    expect(ghostOf(s)?.pos).toBe(17);
    expect(s.selection.main.head).toBe(17);
    s = stream(s, 'r2', [' at last.']);
    expect(visibleText(ghostOf(s)!)).toBe(' at last.');
    expect(undoDepth(s)).toBe(undoDepth(before));
    expect(generationsOf(s)).toBe(generationsOf(before));
  });

  it('Esc while it streams, and Esc once it is done, leave text, cursor, undo and history as they were', () => {
    const before = accepted();
    const streaming = stream(retry(before, 'r2'), 'r2', [' at']);
    expectUnchanged(apply(streaming, dismissSpec(streaming)), before);
    const done = apply(stream(retry(before, 'r3'), 'r3', [' at last.']), {
      effects: finishGhost.of({ requestId: 'r3' }),
    });
    const esc = apply(done, dismissSpec(done));
    expectUnchanged(esc, before);
    // No stray undo step: one undo takes back the generation itself.
    expect(undone(esc).doc.toString()).toBe('Dawn came');
  });

  it('with the cursor elsewhere: Retry goes to the generation, Esc brings the cursor back', () => {
    const before = apply(accepted(), { selection: EditorSelection.cursor(2) });
    const s = stream(retry(before, 'r2'), 'r2', [' at last.']);
    expect(s.selection.main.head).toBe(17);
    const esc = apply(s, dismissSpec(s));
    expect(esc.selection.main.head).toBe(2);
    expectUnchanged(esc, before);
  });

  it('twice, then Esc: the second asks again for the same place; Esc goes back to before the first', () => {
    const before = apply(accepted(), { selection: EditorSelection.range(0, 4) });
    let s = stream(retry(before, 'r2'), 'r2', [' at last.']);
    s = apply(s, { effects: finishGhost.of({ requestId: 'r2' }) });
    s = retry(s, 'r3');
    expect(ghostOf(s)).toMatchObject({ requestId: 'r3', pending: true, replace: { from: 9, to: 17 } });
    s = stream(s, 'r3', [' grey and cold.']);
    const esc = apply(s, dismissSpec(s));
    expect(esc.selection.main).toMatchObject({ anchor: 0, head: 4 });
    expectUnchanged(esc, before);
  });

  it('Tab replaces the old text in one undo step; the history records the retry and its alternatives', () => {
    const before = accepted();
    let s = stream(retry(before, 'r2'), 'r2', [' at last.', ' late.']);
    s = apply(s, acceptSpec(s));
    expect(s.doc.toString()).toBe('Dawn came at last.');
    expect(s.selection.main.head).toBe(s.doc.length);
    expect(undoDepth(s)).toBe(undoDepth(before) + 1);
    expect(tries(s)).toEqual([['suggestion: slowly.', 'alternative: grey.', 'retry: at last.', 'alternative: late.']]);
    expect(newestGeneration(s)?.current).toBe(2);
    const back = undone(s);
    expect(back.doc.toString()).toBe('Dawn came slowly.');
    expect(undone(back).doc.toString()).toBe('Dawn came');
  });

  it('taken word by word: the first word replaces the old text, and one undo brings it all back', () => {
    let s = stream(retry(accepted(), 'r2'), 'r2', [' at last.']);
    s = apply(s, acceptWordSpec(s));
    expect(s.doc.toString()).toBe('Dawn came at');
    expect(ghostOf(s)).toMatchObject({ pos: 12, pending: true });
    expect(ghostOf(s)?.replace).toBeUndefined();
    s = apply(s, acceptSpec(s));
    expect(s.doc.toString()).toBe('Dawn came at last.');
    expect(tries(s)[0]).toContain('retry: at last.');
    expect(currentOf(s)).toBe(' at last.');
    expect(undone(s).doc.toString()).toBe('Dawn came slowly.');
  });

  it('typing instead of Esc: the old text stays, and the typing is an undo step of its own', () => {
    const before = accepted();
    let s = stream(retry(before, 'r2'), 'r2', [' at last.']);
    s = apply(s, {
      changes: { from: 17, insert: ' Birds' },
      selection: EditorSelection.cursor(23),
      userEvent: 'input.type',
    });
    expect(ghostOf(s)).toBeNull();
    expect(s.doc.toString()).toBe('Dawn came slowly. Birds');
    expect(tries(s)).toEqual(tries(before));
    expect(generationsOf(s).list[0]).toMatchObject({ from: 9, to: 17 });
    s = undone(s);
    expect(s.doc.toString()).toBe('Dawn came slowly.');
    expect(undone(s).doc.toString()).toBe('Dawn came');
  });

  it("keeps the writer's own edit of the text as a try when the retry replaces it", () => {
    let s = accepted();
    s = apply(s, { changes: { from: 16, insert: ', at dawn' }, userEvent: 'input.type' });
    expect(s.doc.toString()).toBe('Dawn came slowly, at dawn.');
    s = stream(retry(s, 'r2', 1), 'r2', [' late.']);
    s = apply(s, acceptSpec(s));
    expect(s.doc.toString()).toBe('Dawn came late.');
    expect(tries(s)[0]).toEqual([
      'suggestion: slowly.',
      'alternative: grey.',
      'edited: slowly, at dawn.',
      'retry: late.',
    ]);
  });

  it('retries the place the history popover names, and Alt+R again keeps to it', () => {
    let s = accepted();
    s = apply(s, {
      changes: { from: s.doc.length, insert: ' The end.' },
      selection: EditorSelection.cursor(s.doc.length + 9),
      annotations: generatedText.of({ source: 'pane', text: ' The end.' }),
    });
    const older = generationsOf(s).list.find((g) => g.tries[0].source === 'suggestion')!;
    expect(newestGeneration(s)?.id).not.toBe(older.id);
    s = retry(s, 'r2', 1, older.id);
    expect(ghostOf(s)?.replace).toMatchObject({ from: 9, to: 17, id: older.id });
    s = retry(s, 'r3', 1);
    expect(ghostOf(s)?.replace).toMatchObject({ from: 9, to: 17, id: older.id });
    s = stream(s, 'r3', [' late.']);
    s = apply(s, acceptSpec(s));
    expect(s.doc.toString()).toBe('Dawn came late. The end.');
    expect(newestGeneration(s)?.id).toBe(older.id);
  });

  it('the model writes nothing: the suggestion goes and the cursor comes back, as on Esc', () => {
    const before = apply(accepted(), { selection: EditorSelection.cursor(0) });
    const s = retry(before, 'r2');
    const spec = finishSpec(s, 'r2', ['', '']);
    expectUnchanged(apply(s, spec), before);
    // A finish that leaves something to show does not move the cursor.
    const some = stream(retry(before, 'r3'), 'r3', [' late.']);
    expect(finishSpec(some, 'r3').selection).toBeUndefined();
    expect(apply(some, finishSpec(some, 'r3')).selection.main.head).toBe(17);
  });

  it("dismissing another request's suggestion does nothing", () => {
    const s = retry(accepted(), 'r2');
    expect(dismissSpec(s, 'r1')).toBeNull();
    expect(dismissSpec(accepted())).toBeNull();
  });

  it('nothing to retry in a document without generations', () => {
    expect(retryTarget(make('Just my words.'))).toBeNull();
  });
});

function currentOf(s: EditorState): string {
  const g = newestGeneration(s)!;
  return g.tries[g.current].text;
}

describe('the host dies during a retry', () => {
  it('the old text stays, the cursor comes back, and the status says the retry stopped', async () => {
    let fail: (err: unknown) => void = () => undefined;
    const api = {
      complete: () => new Promise<GenerateResult>((_resolve, reject) => (fail = reject)),
      cancelCompletion: async () => undefined,
      onCompletionEvent: () => () => undefined,
    } as Pick<InklingApi, 'complete' | 'cancelCompletion' | 'onCompletionEvent'>;
    const generation = createGenerationStore({
      describeWindow: async () => {
        throw new Error('not measured here');
      },
    });
    const bridge = createCompletionBridge(api, generation, () => DEFAULT_SETTINGS, { params: () => ({}) });
    // The view stand-in: a real state that each dispatch advances (only what the bridge touches).
    const view = {
      dom: { isConnected: true },
      state: EditorState.create({
        doc: 'Dawn came slowly.',
        selection: EditorSelection.cursor(3),
        extensions: [...extensions, docIdFacet.of('doc-1')],
      }),
      dispatch(spec: TransactionSpec) {
        this.state = this.state.update(spec).state;
      },
    };
    // Retry of ' slowly.' (as requestReplacement starts it) while the cursor was at 3.
    const target = { from: 9, to: 17, id: 'g1', back: view.state.selection };
    view.dispatch({ ...startSpec(view.state, 'q1', 2, target), annotations: ghostAnnotation.of(true) });
    expect(ghostOf(view.state)?.replace).toBeDefined();
    bridge.config.onRequest({ requestId: 'q1', textBefore: 'Dawn came', pos: 9, view: view as unknown as EditorView });
    fail(
      Object.assign(new Error('The engine stopped unexpectedly (SIGKILL). The request was not completed; try again.'), {
        code: 'engine_crashed',
      }),
    );
    await vi.waitFor(() => expect(ghostOf(view.state)).toBeNull());
    expect(view.state.doc.toString()).toBe('Dawn came slowly.');
    expect(view.state.selection.main.head).toBe(3);
    expect(generation.getState().failedWhat).toBe('retry');
    expect(generation.getState().error).toMatch(/^Retry stopped: The engine stopped unexpectedly.*still there\.$/);
    // The next request clears the status.
    generation.getState().started('q2', 'doc-1');
    expect(generation.getState()).toMatchObject({ error: null, failedWhat: null });
    bridge.dispose();
  });

  it('a plain suggestion that fails says so as before', () => {
    const generation = createGenerationStore({ describeWindow: async () => Promise.reject(new Error('x')) });
    generation.getState().started('q1', 'd');
    generation.getState().failed('q1', new Error('The engine stopped.'));
    expect(generation.getState()).toMatchObject({ error: 'The engine stopped.', failedWhat: 'suggestion' });
  });
});
