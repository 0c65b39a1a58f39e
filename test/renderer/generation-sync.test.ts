/**
 * The renderer's side of the history's storage: a document's places are loaded when its editor
 * state is created (found again in the current text), saved after a change (nothing is saved for a
 * document without one), and a failing save is said once, not on every keystroke.
 * A fake API records calls (the host's side is tested in test/services/generations.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { EditorSelection, EditorState, type TransactionSpec } from '@codemirror/state';
import type { GenerationHistory, StoredGeneration } from '../../electron/api';
import { createGenerationSync } from '../../renderer/src/desk/generationSync';
import { generatedText, generationsField, generationsOf } from '../../renderer/src/editor/generations/state';

function harness(stored: StoredGeneration[] = [], failSaves = false, delayMs = 0) {
  let state = EditorState.create({
    doc: 'Intro. The tide turned at last.',
    selection: EditorSelection.cursor(0),
    extensions: [generationsField],
  });
  const saves: GenerationHistory[] = [];
  const notices: string[] = [];
  const sync = createGenerationSync({
    api: {
      getGenerationHistory: async (docId) => ({ docId, generations: stored }),
      setGenerationHistory: async (h) => {
        if (failSaves) throw new Error('[internal] disk full');
        saves.push(h);
      },
    },
    stateOf: () => state,
    apply: (_id, spec) => {
      state = state.update(spec).state;
      return true;
    },
    notify: (_kind, text) => void notices.push(text),
    delayMs,
  });
  const edit = (spec: TransactionSpec) => {
    state = state.update(spec).state;
    sync.changed('d1');
  };
  return { sync, saves, notices, edit, state: () => state };
}

const place: StoredGeneration = {
  id: 'g1',
  from: 3,
  text: ' turned at last.',
  before: 'Intro. The tide',
  after: '',
  tries: [
    { text: ' turned at last.', source: 'suggestion', at: 5 },
    { text: ' rose.', source: 'alternative', at: 5 },
  ],
  at: 5,
};

describe('generation history sync', () => {
  it('loads the stored places into the document, found again where the text now is', async () => {
    const h = harness([place]);
    await h.sync.created('d1');
    const [g] = generationsOf(h.state()).list;
    expect(h.state().doc.sliceString(g.from, g.to)).toBe(' turned at last.');
    expect(g.tries).toHaveLength(2);
  });

  it('saves after a change with the text around each place; with no history, saves nothing', async () => {
    const h = harness();
    await h.sync.created('d1');
    h.edit({
      changes: { from: 6, insert: ' Dawn.' },
      annotations: generatedText.of({ source: 'pane', text: ' Dawn.' }),
    });
    await vi.waitFor(() => expect(h.saves).toHaveLength(1));
    expect(h.saves[0].generations[0]).toMatchObject({ text: ' Dawn.', before: 'Intro.' });
    // Typing elsewhere while there is no history at all saves nothing.
    const quiet = harness();
    quiet.edit({ changes: { from: 0, insert: 'x' } });
    await quiet.sync.flush();
    expect(quiet.saves).toHaveLength(0);
  });

  it('says a failing save once, however many changes follow', async () => {
    const h = harness([], true);
    h.edit({ changes: { from: 6, insert: ' A.' }, annotations: generatedText.of({ source: 'pane', text: ' A.' }) });
    await h.sync.flush();
    h.edit({ changes: { from: 0, insert: 'y' } });
    await h.sync.flush();
    expect(h.notices).toEqual(['The generation history could not be saved (your text is safe): disk full']);
  });
});

describe('closing a document', () => {
  it('sends a pending save at once, before the close reaches the host', async () => {
    const h = harness([], false, 3_600_000); // a save that would otherwise wait an hour
    h.edit({ changes: { from: 6, insert: ' B.' }, annotations: generatedText.of({ source: 'pane', text: ' B.' }) });
    expect(h.saves).toHaveLength(0);
    // Closing sends it in the same turn, before the documents store tells the host of the close.
    h.sync.dropped('d1');
    expect(h.saves).toHaveLength(1);
    expect(h.saves[0].generations[0].text).toBe(' B.');
    h.sync.dispose();
  });
});
