// What a pane shows of its source while the writer types (viewSource) is what it would run on
// (readSource), without copying the whole document on each key press.
import { EditorState, EditorSelection } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { readSource, viewSource } from '../../../renderer/src/panes/editorText';

function rand(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('viewSource', () => {
  it('names the same source as readSource, with its text trimmed and cut at 600 characters', () => {
    const r = rand(11);
    const pieces = ['word ', 'Line.\n', '\n\n', '   ', '\t', 'é😀 ', 'a'.repeat(300), ' '.repeat(700), '\n'];
    for (let n = 0; n < 300; n++) {
      let text = '';
      const len = Math.floor(r() * 40);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(r() * pieces.length)];
      const a = Math.floor(r() * (text.length + 1));
      const b = r() < 0.4 ? a : Math.floor(r() * (text.length + 1));
      const state = EditorState.create({ doc: text, selection: EditorSelection.single(a, b) });
      const view = { state };
      for (const fallback of ['paragraph', 'document'] as const) {
        const full = readSource(view, fallback);
        const shown = viewSource(view, fallback);
        expect(shown.kind).toBe(full.kind);
        expect([shown.from, shown.to]).toEqual([full.from, full.to]);
        expect(shown.preview).toBe(full.text.trim().slice(0, 600));
        expect(shown.blank).toBe(full.text.trim() === '');
      }
    }
  });
});
