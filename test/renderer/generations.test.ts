/**
 * The generation history's state: what is recorded for each way model text enters the document,
 * how a place follows edits, Retry, swapping a try in, undo/redo, and finding places again from the
 * stored text around them. Real EditorState transactions with CodeMirror's history (no DOM).
 */
import { describe, expect, it } from 'vitest';
import { EditorSelection, EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import { history, redo, undo } from '@codemirror/commands';
import {
  acceptSpec,
  acceptWordSpec,
  appendGhost,
  docVersionField,
  finishGhost,
  ghostField,
  startSpec,
  type GhostReplace,
} from '../../renderer/src/editor/ghost-text/state';
import {
  currentText,
  fromStored,
  generatedText,
  generationAt,
  generationsField,
  generationsOf,
  growGeneration,
  loadGenerations,
  newestGeneration,
  relocate,
  retryTarget,
  swapSpec,
  toStored,
} from '../../renderer/src/editor/generations/state';
import type { StoredGeneration } from '../../electron/api/generations';

function make(doc: string): EditorState {
  return EditorState.create({
    doc,
    selection: EditorSelection.cursor(doc.length),
    extensions: [history(), docVersionField, ghostField, generationsField],
  });
}

let clock = 1_000;
function apply(state: EditorState, spec: TransactionSpec | null): EditorState {
  expect(spec).not.toBeNull();
  clock += 1_000;
  const own = ([] as unknown[]).concat(spec!.annotations ?? []) as never[];
  return state.update({ ...spec!, annotations: [...own, Transaction.time.of(clock)] }).state;
}

function command(state: EditorState, cmd: typeof undo): EditorState {
  let next = state;
  cmd({ state, dispatch: (tr) => void (next = tr.state) });
  return next;
}

/** A suggestion for request `id` (with `replace`: a retry's, in place of that text). */
function suggest(state: EditorState, id: string, alts: string[], finish = true, replace?: GhostReplace): EditorState {
  let s = state.update(startSpec(state, id, alts.length, replace)).state;
  alts.forEach(
    (text, alternative) => (s = s.update({ effects: appendGhost.of({ requestId: id, alternative, text }) }).state),
  );
  if (finish) s = s.update({ effects: finishGhost.of({ requestId: id }) }).state;
  return s;
}

function type(state: EditorState, at: number, text: string): EditorState {
  return apply(state, { changes: { from: at, insert: text }, userEvent: 'input.type' });
}

describe('recording generations', () => {
  it('records an accepted suggestion with the alternatives not chosen', () => {
    let s = suggest(make('She opened the door'), 'r1', [' and screamed.', ' slowly.', ' to the garden.']);
    s = apply(s, acceptSpec(s));
    const [g] = generationsOf(s).list;
    expect(currentText(s, g)).toBe(' and screamed.');
    expect(g.tries.map((t) => [t.source, t.text])).toEqual([
      ['suggestion', ' and screamed.'],
      ['alternative', ' slowly.'],
      ['alternative', ' to the garden.'],
    ]);
    expect(g.current).toBe(0);
  });

  it('a suggestion taken word by word is one place that grows', () => {
    let s = suggest(make('It was'), 'r1', [' a dark night']);
    s = apply(s, acceptWordSpec(s));
    s = apply(s, acceptWordSpec(s));
    s = apply(s, acceptSpec(s));
    expect(generationsOf(s).list).toHaveLength(1);
    const g = generationsOf(s).list[0];
    expect(currentText(s, g)).toBe(' a dark night');
    expect(g.tries[g.current].text).toBe(' a dark night');
  });

  it('follows typing before it, and typing inside it changes its text but not its tries', () => {
    let s = suggest(make('Rain fell'), 'r1', [' all night.']);
    s = apply(s, acceptSpec(s));
    s = type(s, 0, 'Cold ');
    let g = generationsOf(s).list[0];
    expect(currentText(s, g)).toBe(' all night.');
    // Typing right after it is not part of it.
    s = type(s, s.doc.length, ' Then');
    g = generationsOf(s).list[0];
    expect(currentText(s, g)).toBe(' all night.');
    s = type(s, g.from + 4, ' the');
    g = generationsOf(s).list[0];
    expect(currentText(s, g)).toBe(' all the night.');
    expect(g.tries.map((t) => t.text)).toEqual([' all night.']);
  });

  it('records a card with the other cards, and a pane result', () => {
    let s = make('Once.');
    s = apply(s, {
      changes: { from: 5, insert: ' Twice.' },
      annotations: generatedText.of({ source: 'card', text: ' Twice.', others: [' Thrice.', ' Never.'] }),
    });
    s = apply(s, {
      changes: { from: s.doc.length, insert: '\n\nA summary.' },
      annotations: generatedText.of({ source: 'pane', text: 'A summary.' }),
    });
    const [card, pane] = generationsOf(s).list;
    expect(card.tries.map((t) => `${t.source}:${t.text}`)).toEqual(['card: Twice.', 'card: Thrice.', 'card: Never.']);
    expect(currentText(s, pane)).toBe('A summary.');
    expect(generationAt(s, s.doc.length)?.id).toBe(pane.id);
  });

  it('a branch inside a generation is another try at that place, and its streamed pieces extend it', () => {
    let s = suggest(make('The cat'), 'r1', [' sat on the mat.']);
    s = apply(s, acceptSpec(s));
    const on = s.doc.toString().indexOf(' on');
    // The writer picks " under" for " on": it replaces the run from there on, then the model streams.
    s = apply(s, {
      changes: { from: on, to: s.doc.length, insert: ' under' },
      annotations: generatedText.of({ source: 'branch', text: ' under' }),
    });
    s = apply(s, { changes: { from: s.doc.length, insert: ' the table.' }, annotations: growGeneration.of(true) });
    const list = generationsOf(s).list;
    expect(list).toHaveLength(1);
    expect(currentText(s, list[0])).toBe(' sat under the table.');
    expect(list[0].tries.map((t) => `${t.source}:${t.text}`)).toEqual([
      'suggestion: sat on the mat.',
      'branch: sat under the table.',
    ]);
  });
});

describe('retry, swap, undo', () => {
  it('Retry offers a fresh suggestion in place of the newest generation; accepted, it is its new try', () => {
    let s = suggest(make('Dawn came'), 'r1', [' slowly.']);
    s = apply(s, acceptSpec(s));
    s = type(s, 0, '> ');
    s = suggest(s, 'r2', [' at last.', ' grey.'], true, retryTarget(s)!);
    // The old text stays until the fresh one is taken.
    expect(s.doc.toString()).toBe('> Dawn came slowly.');
    expect(s.selection.main.head).toBe(s.doc.length);
    s = apply(s, acceptSpec(s));
    expect(s.doc.toString()).toBe('> Dawn came at last.');
    const list = generationsOf(s).list;
    expect(list).toHaveLength(1);
    expect(list[0].tries.map((t) => `${t.source}:${t.text}`)).toEqual([
      'suggestion: slowly.',
      'retry: at last.',
      'alternative: grey.',
    ]);
    // Swap the first try back in: one step, and the history says which is on show.
    s = apply(s, swapSpec(s, list[0].id, 0));
    expect(s.doc.toString()).toBe('> Dawn came slowly.');
    expect(generationsOf(s).list[0].current).toBe(0);
    s = command(s, undo);
    expect(s.doc.toString()).toBe('> Dawn came at last.');
  });

  it("swapping keeps the writer's edited version as a try", () => {
    let s = suggest(make('He said'), 'r1', [' yes.', ' no.']);
    s = apply(s, acceptSpec(s));
    s = type(s, s.doc.length - 1, ', twice');
    const g = generationsOf(s).list[0];
    s = apply(s, swapSpec(s, g.id, 1));
    expect(s.doc.toString()).toBe('He said no.');
    const after = generationsOf(s).list[0];
    expect(after.tries.map((t) => `${t.source}:${t.text}`)).toContain('edited: yes, twice.');
    const edited = after.tries.findIndex((t) => t.source === 'edited');
    s = apply(s, swapSpec(s, g.id, edited));
    expect(s.doc.toString()).toBe('He said yes, twice.');
  });

  it('undo takes a generation out and redo puts it back in the same place', () => {
    let s = suggest(make('Go'), 'r1', [' home.']);
    s = apply(s, acceptSpec(s));
    s = command(s, undo);
    expect(s.doc.toString()).toBe('Go');
    const g = generationsOf(s).list[0];
    expect(g.from).toBe(g.to);
    s = command(s, redo);
    expect(currentText(s, generationsOf(s).list[0])).toBe(' home.');
    expect(newestGeneration(s)?.id).toBe(g.id);
  });
});

describe('finding places again after a reload', () => {
  const stored = (over: Partial<StoredGeneration>): StoredGeneration => ({
    id: 'g1',
    from: 0,
    text: '',
    before: '',
    after: '',
    tries: [],
    at: 1,
    ...over,
  });

  it('keeps a place whose text and surroundings are unchanged, and finds it after an edit before it', () => {
    let s = suggest(make('Chapter one. The storm'), 'r1', [' broke at midnight.']);
    s = apply(s, acceptSpec(s));
    s = type(s, s.doc.length, ' Nobody slept.');
    const [g] = toStored(s);
    expect(g).toMatchObject({ text: ' broke at midnight.', before: 'Chapter one. The storm', after: ' Nobody slept.' });
    expect(relocate(s.doc.toString(), g)).toEqual({ from: 22, to: 41 });
    // Edited elsewhere while Inkling was closed: a new first line.
    const edited = 'Draft 2\n' + s.doc.toString();
    expect(relocate(edited, g)).toEqual({ from: 30, to: 49 });
    const [back] = fromStored(edited, [g]);
    expect(edited.slice(back.from, back.to)).toBe(' broke at midnight.');
    expect(back.current).toBe(0);
  });

  it('picks the occurrence whose surroundings match, and gives up when none does', () => {
    const doc = 'yes. He said yes. She said yes. Done.';
    const g = stored({ from: 3, text: ' yes.', before: 'She said', after: ' Done.' });
    expect(relocate(doc, g)).toEqual({ from: 26, to: 31 });
    expect(
      relocate('yes. no. yes. maybe.', stored({ from: 50, text: ' yes.', before: 'zzzz', after: 'qqqq' })),
    ).toBeNull();
    expect(relocate('nothing here', stored({ text: ' gone' }))).toBeNull();
  });

  it('finds a taken-out place where its surroundings meet', () => {
    const g = stored({ from: 0, text: '', before: 'The end is near', after: '. Or is it?' });
    expect(relocate('Intro. The end is near. Or is it?', g)).toEqual({ from: 22, to: 22 });
  });

  it('loaded places join the ones recorded since the document opened', () => {
    let s = suggest(make('A b'), 'r1', [' c']);
    s = apply(s, acceptSpec(s));
    s = s.update({
      effects: loadGenerations.of([
        { id: 'old', from: 0, to: 1, tries: [{ text: 'A', source: 'pane', at: 1 }], current: 0, at: 1 },
      ]),
    }).state;
    expect(generationsOf(s).list.map((g) => g.id)).toContain('old');
    expect(generationsOf(s).list).toHaveLength(2);
    expect(newestGeneration(s)?.id).not.toBe('old');
  });
});

describe("storing within the host's limits", () => {
  it("drops the oldest places when the history's text would be over the limit", () => {
    let s = make('Start.');
    const big = 'y'.repeat(1_500_000);
    for (let i = 0; i < 3; i++) {
      s = apply(s, {
        changes: { from: s.doc.length, insert: ` ${i}${big}` },
        annotations: generatedText.of({ source: 'pane', text: ` ${i}${big}` }),
      });
    }
    // Each place counts its text and its try: 3 MB each, so only the newest fits under 4 M characters.
    const stored = toStored(s);
    expect(stored).toHaveLength(1);
    expect(stored[0].text.startsWith(' 2')).toBe(true);
  });
});
