/**
 * The ghost-text state machine, driven through real EditorState transactions (no DOM): effects set
 * and grow the suggestion, edits and cursor moves clear it, stale events are dropped, accepting is
 * one transaction and one undo step.
 */
import { describe, expect, it } from 'vitest';
import { EditorSelection, EditorState, type TransactionSpec } from '@codemirror/state';
import { history, undo, undoDepth } from '@codemirror/commands';
import {
  acceptSpec,
  acceptWordSpec,
  appendGhost,
  clearGhost,
  cycleSpec,
  finishGhost,
  ghostField,
  ghostOf,
  ghostPosition,
  nextWord,
  startGhost,
  startSpec,
  visibleText,
} from '../../renderer/src/editor/ghost-text/state';
import { docVersionField } from '../../renderer/src/editor/ghost-text/state';

function make(doc: string, cursor = doc.length): EditorState {
  return EditorState.create({
    doc,
    selection: EditorSelection.cursor(cursor),
    extensions: [history(), docVersionField, ghostField],
  });
}

function apply(state: EditorState, ...specs: TransactionSpec[]): EditorState {
  return specs.reduce((s, spec) => s.update(spec).state, state);
}

/** A suggestion for request `id` with the given streamed alternatives (still pending). */
function streamed(state: EditorState, id: string, alts: string[]): EditorState {
  let s = apply(state, startSpec(state, id, alts.length));
  alts.forEach((text, alternative) => {
    s = apply(s, { effects: appendGhost.of({ requestId: id, alternative, text }) });
  });
  return s;
}

describe('ghost text state', () => {
  it('starts pending and empty, then grows with streamed tokens per alternative', () => {
    let s = apply(make('Once upon'), startSpec(make('Once upon'), 'r1', 3));
    expect(ghostOf(s)).toMatchObject({ requestId: 'r1', pos: 9, pending: true, alternatives: ['', '', ''], index: 0 });
    s = apply(
      s,
      { effects: appendGhost.of({ requestId: 'r1', alternative: 0, text: ' a' }) },
      { effects: appendGhost.of({ requestId: 'r1', alternative: 1, text: ' the' }) },
      { effects: appendGhost.of({ requestId: 'r1', alternative: 0, text: ' time' }) },
    );
    const g = ghostOf(s)!;
    expect(g.alternatives).toEqual([' a time', ' the', '']);
    expect(visibleText(g)).toBe(' a time');
    // The document itself is untouched: ghost text is decoration only.
    expect(s.doc.toString()).toBe('Once upon');
  });

  it('drops events for another request id (stale or cancelled requests)', () => {
    let s = streamed(make('Hi'), 'r1', [' there']);
    s = apply(s, { effects: appendGhost.of({ requestId: 'old', alternative: 0, text: ' XXX' }) });
    s = apply(s, { effects: finishGhost.of({ requestId: 'old', alternatives: ['nope'] }) });
    expect(visibleText(ghostOf(s)!)).toBe(' there');
    expect(ghostOf(s)!.pending).toBe(true);
  });

  it('ignores a start whose document version or cursor moved in the meantime', () => {
    const base = make('abc');
    const startedEarlier = startGhost.of({ requestId: 'r1', pos: 3, docVersion: 0, count: 1 });
    const edited = apply(base, { changes: { from: 3, insert: 'd' } });
    expect(ghostOf(apply(edited, { effects: startedEarlier }))).toBeNull();
    const moved = apply(base, { selection: EditorSelection.cursor(1) });
    expect(ghostOf(apply(moved, { effects: startedEarlier }))).toBeNull();
    expect(ghostOf(apply(base, { effects: startedEarlier }))).not.toBeNull();
  });

  it('is cleared by typing, by deleting and by moving the cursor', () => {
    const s = streamed(make('Hello'), 'r1', [' world']);
    expect(ghostOf(apply(s, { changes: { from: 5, insert: '!' }, userEvent: 'input.type' }))).toBeNull();
    expect(ghostOf(apply(s, { changes: { from: 4, to: 5 }, userEvent: 'delete.backward' }))).toBeNull();
    expect(ghostOf(apply(s, { selection: EditorSelection.cursor(2) }))).toBeNull();
    // A transaction that re-sets the same cursor does not count as a move.
    expect(ghostOf(apply(s, { selection: EditorSelection.cursor(5) }))).not.toBeNull();
    // Unrelated effects (e.g. another extension's) leave it alone.
    expect(ghostOf(apply(s, { effects: [] }))).not.toBeNull();
  });

  it('events arriving after the field was cleared by an edit are dropped', () => {
    let s = streamed(make('Hello'), 'r1', [' wor']);
    s = apply(s, { changes: { from: 5, insert: '.' } });
    s = apply(s, { effects: appendGhost.of({ requestId: 'r1', alternative: 0, text: 'ld' }) });
    expect(ghostOf(s)).toBeNull();
    expect(s.doc.toString()).toBe('Hello.');
  });

  it('clearGhost with a request id only clears that request', () => {
    const s = streamed(make('x'), 'r2', [' y']);
    expect(ghostOf(apply(s, { effects: clearGhost.of({ requestId: 'r1' }) }))).not.toBeNull();
    expect(ghostOf(apply(s, { effects: clearGhost.of({ requestId: 'r2' }) }))).toBeNull();
    expect(ghostOf(apply(s, { effects: clearGhost.of(null) }))).toBeNull();
  });

  it('finish replaces the streamed text and disappears when every alternative is empty', () => {
    let s = streamed(make('A'), 'r1', [' b', ' c']);
    s = apply(s, { effects: finishGhost.of({ requestId: 'r1', alternatives: [' b.', ' c.'] }) });
    expect(ghostOf(s)).toMatchObject({ pending: false, alternatives: [' b.', ' c.'] });
    const empty = apply(make('A'), startSpec(make('A'), 'r2', 2), {
      effects: finishGhost.of({ requestId: 'r2', alternatives: ['', ''] }),
    });
    expect(ghostOf(empty)).toBeNull();
  });

  it('finish moves off an empty alternative to one that has text', () => {
    let s = streamed(make('A'), 'r1', ['', ' two']);
    expect(ghostOf(s)!.index).toBe(0);
    s = apply(s, { effects: finishGhost.of({ requestId: 'r1' }) });
    expect(ghostOf(s)!.index).toBe(1);
    expect(visibleText(ghostOf(s)!)).toBe(' two');
  });

  it('accept inserts the visible text in one transaction, moves the cursor, clears, and undoes in one step', () => {
    let s = apply(make(''), {
      changes: { from: 0, insert: 'The cat' },
      selection: EditorSelection.cursor(7),
      userEvent: 'input.type',
    });
    s = streamed(s, 'r1', [' sat on the mat', ' ran']);
    const depthBefore = undoDepth(s);
    const spec = acceptSpec(s)!;
    const tr = s.update(spec);
    expect(tr.isUserEvent('input.complete')).toBe(true);
    s = tr.state;
    expect(s.doc.toString()).toBe('The cat sat on the mat');
    expect(s.selection.main.head).toBe(s.doc.length);
    expect(ghostOf(s)).toBeNull();
    expect(undoDepth(s)).toBe(depthBefore + 1);
    // Typing right after accepting is a separate undo step (accepting is isolated in history).
    s = apply(s, {
      changes: { from: s.doc.length, insert: '.' },
      userEvent: 'input.type',
      selection: EditorSelection.cursor(s.doc.length + 1),
    });
    let undone: EditorState = s;
    undo({ state: undone, dispatch: (t) => (undone = t.state) });
    expect(undone.doc.toString()).toBe('The cat sat on the mat');
    undo({ state: undone, dispatch: (t) => (undone = t.state) });
    expect(undone.doc.toString()).toBe('The cat');
  });

  it('accept returns null when nothing is visible yet', () => {
    const s = apply(make('x'), startSpec(make('x'), 'r1', 3));
    expect(acceptSpec(s)).toBeNull();
    expect(acceptSpec(make('x'))).toBeNull();
  });

  it('accepting a word keeps the rest on show, keeps streaming, then accepts the rest', () => {
    let s = streamed(make('It was'), 'r1', [' a dark and', ' the best']);
    s = apply(s, acceptWordSpec(s)!);
    expect(s.doc.toString()).toBe('It was a');
    const g = ghostOf(s)!;
    expect(g.pos).toBe(8);
    expect(visibleText(g)).toBe(' dark and');
    // ' the best' does not start with ' a': it is no longer offered.
    expect(ghostPosition(g)).toEqual({ current: 1, total: 1 });
    // Tokens keep streaming into the accepted alternative.
    s = apply(s, { effects: appendGhost.of({ requestId: 'r1', alternative: 0, text: ' stormy' }) });
    expect(visibleText(ghostOf(s)!)).toBe(' dark and stormy');
    s = apply(s, acceptWordSpec(s)!);
    expect(s.doc.toString()).toBe('It was a dark');
    s = apply(s, acceptSpec(s)!);
    expect(s.doc.toString()).toBe('It was a dark and stormy');
    expect(ghostOf(s)).toBeNull();
  });

  it('accepting the last word of a finished suggestion clears it', () => {
    let s = streamed(make('Go'), 'r1', [' home']);
    s = apply(s, { effects: finishGhost.of({ requestId: 'r1' }) });
    s = apply(s, acceptWordSpec(s)!);
    expect(s.doc.toString()).toBe('Go home');
    expect(ghostOf(s)).toBeNull();
  });

  it('nextWord takes leading whitespace (newlines too) and one run of non-space', () => {
    expect(nextWord(' dark and')).toBe(' dark');
    expect(nextWord('\n\nChapter 2')).toBe('\n\nChapter');
    expect(nextWord('word, next')).toBe('word,');
    expect(nextWord('   ')).toBe('   ');
  });

  it('cycles through alternatives both ways and wraps around', () => {
    let s = streamed(make('A'), 'r1', [' one', ' two', ' three']);
    expect(ghostPosition(ghostOf(s)!)).toEqual({ current: 1, total: 3 });
    s = apply(s, cycleSpec(s, 1)!);
    expect(visibleText(ghostOf(s)!)).toBe(' two');
    s = apply(s, cycleSpec(s, 1)!, cycleSpec(s, 1)!);
    expect(visibleText(ghostOf(s)!)).toBe(' one');
    s = apply(s, cycleSpec(s, -1)!);
    expect(visibleText(ghostOf(s)!)).toBe(' three');
    expect(ghostPosition(ghostOf(s)!)).toEqual({ current: 3, total: 3 });
    // The cycled alternative is the one accepted.
    expect(apply(s, acceptSpec(s)!).doc.toString()).toBe('A three');
    // Streaming keeps the cycled choice.
    s = apply(s, { effects: appendGhost.of({ requestId: 'r1', alternative: 2, text: '!' }) });
    expect(visibleText(ghostOf(s)!)).toBe(' three!');
  });

  it('cycling is unavailable with a single alternative', () => {
    const s = streamed(make('A'), 'r1', [' one']);
    expect(cycleSpec(s, 1)).toBeNull();
  });
});
