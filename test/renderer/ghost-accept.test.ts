/**
 * Partial accepts (word, line) and their undo: one generation is one undo step however many pieces
 * the writer took it in and however long they paused between them; typing after it is a step of
 * its own. Driven through real EditorState transactions with CodeMirror's history (no DOM), with
 * the clock of each transaction set the way the history reads it.
 */
import { describe, expect, it } from 'vitest';
import { EditorSelection, EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import { history, redo, undo, undoDepth } from '@codemirror/commands';
import {
  acceptLineSpec,
  acceptSpec,
  acceptWordSpec,
  acceptedGhost,
  appendGhost,
  countWords,
  docVersionField,
  finishGhost,
  ghostField,
  ghostOf,
  nextLine,
  startSpec,
  suggestionSize,
  visibleText,
  visibleTokens,
} from '../../renderer/src/editor/ghost-text/state';

function make(doc: string): EditorState {
  return EditorState.create({
    doc,
    selection: EditorSelection.cursor(doc.length),
    extensions: [history(), docVersionField, ghostField],
  });
}

/** Applies `spec` at clock time `at` (a time the spec sets itself wins, as in a real view). */
function at(state: EditorState, spec: TransactionSpec | null, time: number): EditorState {
  expect(spec).not.toBeNull();
  const own = ([] as unknown[]).concat(spec!.annotations ?? []);
  return state.update({ ...spec!, annotations: [...(own as never[]), Transaction.time.of(time)] }).state;
}

function command(state: EditorState, cmd: typeof undo): EditorState {
  let next = state;
  cmd({ state, dispatch: (tr) => void (next = tr.state) });
  return next;
}

function suggest(state: EditorState, id: string, alts: string[], tokens?: number[][]): EditorState {
  let s = state.update(startSpec(state, id, alts.length)).state;
  alts.forEach((text, alternative) => {
    s = s.update({
      effects: appendGhost.of({ requestId: id, alternative, text, ...(tokens ? { tokens: tokens[alternative] } : {}) }),
    }).state;
  });
  return s;
}

describe('accepting a suggestion in pieces', () => {
  it('undoes three words taken seconds apart with one Ctrl+Z, and redoes them with one', () => {
    let s = make('The night');
    s = at(
      s,
      { changes: { from: 9, insert: ' was' }, selection: EditorSelection.cursor(13), userEvent: 'input.type' },
      1_000,
    );
    s = suggest(s, 'r1', [' dark and stormy']);
    s = at(s, acceptWordSpec(s), 10_000);
    s = at(s, acceptWordSpec(s), 14_000);
    s = at(s, acceptWordSpec(s), 30_000);
    expect(s.doc.toString()).toBe('The night was dark and stormy');
    s = command(s, undo);
    expect(s.doc.toString()).toBe('The night was');
    s = command(s, undo);
    expect(s.doc.toString()).toBe('The night');
    expect(undoDepth(s)).toBe(0);
    s = command(command(s, redo), redo);
    expect(s.doc.toString()).toBe('The night was dark and stormy');
  });

  it('a word, then a line, then the rest are still one step', () => {
    let s = make('Notes:');
    s = suggest(s, 'r1', [' first\nsecond line\nthird']);
    s = at(s, acceptWordSpec(s), 1_000);
    s = at(s, acceptLineSpec(s), 1_100);
    // The rest of the line was empty: the line break comes with the next line.
    expect(s.doc.toString()).toBe('Notes: first\nsecond line\n');
    s = at(s, acceptSpec(s), 9_000);
    expect(s.doc.toString()).toBe('Notes: first\nsecond line\nthird');
    expect(ghostOf(s)).toBeNull();
    expect(command(s, undo).doc.toString()).toBe('Notes:');
  });

  it('typing right after the last piece is a step of its own', () => {
    let s = make('Go');
    s = suggest(s, 'r1', [' home now']);
    s = at(s, acceptWordSpec(s), 5_000);
    s = at(s, acceptWordSpec(s), 5_050);
    s = at(
      s,
      {
        changes: { from: s.doc.length, insert: '!' },
        selection: EditorSelection.cursor(s.doc.length + 1),
        userEvent: 'input.type',
      },
      5_060,
    );
    s = command(s, undo);
    expect(s.doc.toString()).toBe('Go home now');
    s = command(s, undo);
    expect(s.doc.toString()).toBe('Go');
  });

  it('two suggestions accepted one after the other are two steps', () => {
    let s = make('A');
    s = suggest(s, 'r1', [' b']);
    s = at(s, acceptSpec(s), 100);
    s = suggest(s, 'r2', [' c d']);
    s = at(s, acceptWordSpec(s), 150);
    s = at(s, acceptWordSpec(s), 160);
    expect(s.doc.toString()).toBe('A b c d');
    s = command(s, undo);
    expect(s.doc.toString()).toBe('A b');
  });

  it('marks every piece with what was accepted, the first one as first', () => {
    let s = make('x');
    s = suggest(s, 'r9', [' one two', ' uno']);
    const first = s.update(acceptWordSpec(s)!);
    expect(first.annotation(acceptedGhost)).toMatchObject({
      requestId: 'r9',
      alternative: 0,
      from: 1,
      text: ' one',
      first: true,
    });
    expect(first.annotation(acceptedGhost)!.alternatives).toEqual([' one two', ' uno']);
    const second = first.state.update(acceptSpec(first.state)!);
    expect(second.annotation(acceptedGhost)).toMatchObject({ from: 5, text: ' two', first: false });
  });
});

describe('accept the next line', () => {
  it('takes up to and including the first line break, leading breaks included', () => {
    expect(nextLine(' and then\nmore')).toBe(' and then\n');
    expect(nextLine('\n\nChapter 2\nIt was')).toBe('\n\nChapter 2\n');
    expect(nextLine(' no break at all')).toBe(' no break at all');
  });

  it('keeps the rest of the suggestion on show', () => {
    let s = make('List:');
    s = suggest(s, 'r1', ['\n- eggs\n- milk']);
    s = s.update(acceptLineSpec(s)!).state;
    expect(s.doc.toString()).toBe('List:\n- eggs\n');
    expect(visibleText(ghostOf(s)!)).toBe('- milk');
    s = s.update({ effects: finishGhost.of({ requestId: 'r1' }) }).state;
    s = s.update(acceptLineSpec(s)!).state;
    expect(s.doc.toString()).toBe('List:\n- eggs\n- milk');
    expect(ghostOf(s)).toBeNull();
  });
});

describe('the size label', () => {
  it('counts words the way writers do', () => {
    expect(countWords(" don't stop — the well-kept road, 2 miles ")).toBe(7);
    expect(countWords('   ')).toBe(0);
    expect(countWords('Été à Zürich')).toBe(3);
  });

  it('counts the tokens still on show after a partial accept', () => {
    let s = make('It');
    // ' was' ' a' ' dark' ' night': four tokens.
    s = suggest(s, 'r1', [' was a dark night'], [[4, 2, 5, 6]]);
    expect(visibleTokens(ghostOf(s)!)).toBe(4);
    expect(suggestionSize(visibleText(ghostOf(s)!), visibleTokens(ghostOf(s)!))).toBe('4 words · 4 tokens');
    s = s.update(acceptWordSpec(s)!).state;
    expect(visibleTokens(ghostOf(s)!)).toBe(3);
    expect(suggestionSize(' night', 1)).toBe('1 word · 1 token');
    expect(suggestionSize(' a b', null)).toBe('2 words');
  });
});
