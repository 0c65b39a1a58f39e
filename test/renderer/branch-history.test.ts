/**
 * Branching from a token is one undo step, like an accepted suggestion: the chosen token and every
 * piece the model streams after it come back out with a single Ctrl+Z, however slowly they arrived.
 * Driven through real EditorState transactions with CodeMirror's history (no DOM).
 */
import { describe, expect, it } from 'vitest';
import { EditorSelection, EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import { history, redo, undo, undoDepth } from '@codemirror/commands';
import { branchEndSpec, branchField, branchStartSpec, branchTokenSpec } from '../../renderer/src/probabilities/branch';

function run(state: EditorState, spec: TransactionSpec | null, at: number): EditorState {
  if (!spec) return state;
  // The clock of each transaction, as the history sees it: tokens arrive far apart here.
  const annotations = [...([] as never[]).concat((spec.annotations ?? []) as never[]), Transaction.time.of(at)];
  return state.update({ ...spec, annotations }).state;
}

function command(state: EditorState, cmd: typeof undo): EditorState {
  let next = state;
  cmd({ state, dispatch: (tr) => void (next = tr.state) });
  return next;
}

describe('branch history', () => {
  const before = 'The train left the station at dawn and the city fell away.';
  const token = { text: ' at', logprob: -1, top: [] };

  it('undoes a branch of 29 streamed pieces with one Ctrl+Z, and redoes it with one', () => {
    let state = EditorState.create({
      doc: before,
      selection: EditorSelection.cursor(before.length),
      extensions: [history(), branchField],
    });
    // Typing before the branch is its own step.
    state = run(state, { changes: { from: state.doc.length, insert: ' Then' }, userEvent: 'input.type' }, 1_000);
    const typed = state.doc.toString();
    const from = typed.indexOf(' at dawn');
    state = run(state, branchStartSpec({ from, to: typed.length, text: ' before', token, requestId: 'b1' }), 60_000);
    const pieces = Array.from({ length: 29 }, (_, i) => ` w${i}`);
    pieces.forEach((p, i) => (state = run(state, branchTokenSpec(state, p), 60_000 + (i + 1) * 700)));
    state = run(state, branchEndSpec(state), 90_000);
    expect(state.doc.toString()).toBe(typed.slice(0, from) + ' before' + pieces.join(''));
    expect(state.field(branchField)).toBeNull();

    state = command(state, undo);
    expect(state.doc.toString()).toBe(typed);
    state = command(state, undo);
    expect(state.doc.toString()).toBe(before);
    expect(undoDepth(state)).toBe(0);
    state = command(command(state, redo), redo);
    expect(state.doc.toString()).toBe(typed.slice(0, from) + ' before' + pieces.join(''));
  });

  it('typing after the branch is a step of its own', () => {
    let state = EditorState.create({ doc: before, extensions: [history(), branchField] });
    const from = before.indexOf(' at dawn');
    state = run(state, branchStartSpec({ from, to: before.length, text: ' by', token, requestId: 'b2' }), 5_000);
    state = run(state, branchTokenSpec(state, ' noon.'), 5_100);
    state = run(state, branchEndSpec(state), 5_200);
    const branched = state.doc.toString();
    state = run(state, { changes: { from: state.doc.length, insert: ' Yes' }, userEvent: 'input.type' }, 5_300);
    state = command(state, undo);
    expect(state.doc.toString()).toBe(branched);
    state = command(state, undo);
    expect(state.doc.toString()).toBe(before);
  });
});
