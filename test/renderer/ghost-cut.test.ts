/**
 * A suggestion whose server stopped mid-stream: the completion resolves with what arrived and
 * `interrupted`; the ghost text stays on show, marked cut, with a note in words; Tab takes it (one
 * undo step), Esc drops it; the document never changes before the writer accepts; the status bar
 * says the suggestion was cut off, and why. Real EditorState transactions with CodeMirror's history
 * (no DOM); the completion bridge with a stand-in view whose state is real.
 */
import { describe, expect, it, vi } from 'vitest';
import { EditorSelection, EditorState, type TransactionSpec } from '@codemirror/state';
import { history, undo, undoDepth } from '@codemirror/commands';
import type { EditorView } from '@codemirror/view';
import type { CompletionEvent, GenerateResult, InklingApi } from '../../electron/api';
import { DEFAULT_SETTINGS } from '../../electron/api/settings';
import { createCompletionBridge } from '../../renderer/src/editor/completions';
import {
  acceptSpec,
  acceptWordSpec,
  cutNote,
  dismissSpec,
  docVersionField,
  finishSpec,
  ghostAnnotation,
  ghostField,
  ghostOf,
  startSpec,
  visibleText,
} from '../../renderer/src/editor/ghost-text/state';
import { docIdFacet } from '../../renderer/src/editor/setup';
import { createGenerationStore } from '../../renderer/src/stores/generation';

const ARRIVED = [' The fog lifted over the harbour', ' A gull cried'];
const CUT = {
  code: 'remote_failed' as const,
  message:
    'The connection to http://127.0.0.1:8000/v1 broke in the middle of a response (other side closed). Try again.',
};

function cutResult(texts: string[]): GenerateResult {
  return {
    alternatives: texts.map((text) => ({ text, tokenIds: [], logprobs: [], finishReason: 'cut' as const })),
    stats: {
      promptTokens: 4,
      reusedTokens: 0,
      readTokens: 4,
      documentTokens: 4,
      memoryTokens: 0,
      windowStart: 0,
      scannedChars: 0,
      truncatedTokens: 0,
      prefillMs: 1,
      timeToFirstTokenMs: 1,
      decodeTokensPerS: 1,
      generatedTokens: 9,
    },
    interrupted: CUT,
  };
}

/** The bridge with a real editor state behind a stand-in view; `answer` resolves the completion. */
function harness(doc: string, replace?: { from: number; to: number }) {
  let emit: (e: CompletionEvent) => void = () => undefined;
  let answer: (r: GenerateResult) => void = () => undefined;
  const api = {
    complete: () => new Promise<GenerateResult>((resolve) => (answer = resolve)),
    cancelCompletion: async () => undefined,
    onCompletionEvent: (cb: (e: CompletionEvent) => void) => {
      emit = cb;
      return () => undefined;
    },
  } as Pick<InklingApi, 'complete' | 'cancelCompletion' | 'onCompletionEvent'>;
  const generation = createGenerationStore({
    describeWindow: async () => {
      throw new Error('not measured here');
    },
  });
  const bridge = createCompletionBridge(api, generation, () => DEFAULT_SETTINGS, { params: () => ({}) });
  const view = {
    dom: { isConnected: true },
    state: EditorState.create({
      doc,
      selection: EditorSelection.cursor(doc.length),
      extensions: [history(), docVersionField, ghostField, docIdFacet.of('doc-1')],
    }),
    dispatch(spec: TransactionSpec) {
      this.state = this.state.update(spec).state;
    },
  };
  const target = replace ? { ...replace, id: 'g1', back: view.state.selection } : undefined;
  view.dispatch({ ...startSpec(view.state, 'q1', 2, target), annotations: ghostAnnotation.of(true) });
  generation.getState().started('q1', 'doc-1');
  const pos = replace ? replace.from : doc.length;
  bridge.config.onRequest({
    requestId: 'q1',
    textBefore: doc.slice(0, pos),
    pos,
    view: view as unknown as EditorView,
  });
  const stream = (texts: string[]) =>
    texts.forEach((text, alternative) =>
      emit({ requestId: 'q1', event: { kind: 'token', alternative, tokenId: -1, text, logprob: -1 } }),
    );
  return { view, generation, bridge, stream, answer: (r: GenerateResult) => answer(r) };
}

describe('a suggestion the server broke off mid-stream', () => {
  it('stays on show with what arrived, marked cut; the status says it was cut off and why; the text is untouched', async () => {
    const h = harness('Dawn came.');
    h.stream(ARRIVED);
    h.answer(cutResult(ARRIVED));
    await vi.waitFor(() => expect(ghostOf(h.view.state)?.pending).toBe(false));
    const g = ghostOf(h.view.state)!;
    expect(g).toMatchObject({ alternatives: ARRIVED, cut: 'server', index: 0 });
    expect(visibleText(g)).toBe(' The fog lifted over the harbour');
    expect(h.view.state.doc.toString()).toBe('Dawn came.');
    expect(h.generation.getState()).toMatchObject({
      active: null,
      error: CUT.message,
      failedWhat: 'cut',
      last: { finishReason: 'cut' },
    });
    // The next request clears the status, as after any failure.
    h.generation.getState().started('q2', 'doc-1');
    expect(h.generation.getState()).toMatchObject({ error: null, failedWhat: null });
    h.bridge.dispose();
  });

  it('Tab takes what arrived as one undo step; Esc instead leaves the document as it was', async () => {
    const h = harness('Dawn came.');
    h.stream(ARRIVED);
    h.answer(cutResult(ARRIVED));
    await vi.waitFor(() => expect(ghostOf(h.view.state)?.cut).toBe('server'));
    const before = h.view.state;

    const dismissed = before.update(dismissSpec(before)!).state;
    expect(dismissed.doc.toString()).toBe('Dawn came.');
    expect(ghostOf(dismissed)).toBeNull();
    expect(undoDepth(dismissed)).toBe(undoDepth(before));

    // A word first (the rest stays on show, still marked), then Tab for the rest.
    let s = before.update(acceptWordSpec(before)!).state;
    expect(s.doc.toString()).toBe('Dawn came. The');
    expect(ghostOf(s)?.cut).toBe('server');
    s = s.update(acceptSpec(s)!).state;
    expect(s.doc.toString()).toBe('Dawn came. The fog lifted over the harbour');
    expect(ghostOf(s)).toBeNull();
    let back = s;
    undo({ state: back, dispatch: (tr) => void (back = tr.state) });
    expect(back.doc.toString()).toBe('Dawn came.');
    h.bridge.dispose();
  });

  it('a cut retry keeps the struck text in the document until Tab puts what arrived in its place', async () => {
    const h = harness('Dawn came slowly.', { from: 9, to: 17 });
    h.stream([' at last', '']);
    h.answer(cutResult([' at last', '']));
    await vi.waitFor(() => expect(ghostOf(h.view.state)?.cut).toBe('server'));
    expect(h.view.state.doc.toString()).toBe('Dawn came slowly.');
    const s = h.view.state.update(acceptSpec(h.view.state)!).state;
    expect(s.doc.toString()).toBe('Dawn came at last');
    h.bridge.dispose();
  });

  it('a finish without a cut carries no mark (a whole suggestion)', () => {
    let s = EditorState.create({
      doc: 'A',
      selection: EditorSelection.cursor(1),
      extensions: [docVersionField, ghostField],
    });
    s = s.update(startSpec(s, 'r1', 1)).state;
    s = s.update(finishSpec(s, 'r1', [' b'])).state;
    expect(ghostOf(s)).toMatchObject({ alternatives: [' b'], pending: false });
    expect(ghostOf(s)?.cut).toBeUndefined();
  });

  it('says in words who stopped and after how much', () => {
    expect(cutNote('server', ' The fog lifted over the old harbour, and the gulls cried.')).toBe(
      'The server stopped after 11 words; Tab keeps what arrived.',
    );
    expect(cutNote('server', ' Fog')).toBe('The server stopped after 1 word; Tab keeps what arrived.');
    expect(cutNote('engine', ' …')).toBe('The engine stopped before finishing; Tab keeps what arrived.');
  });
});
