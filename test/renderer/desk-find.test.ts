/** The find panel's match count: total, which match the selection is on, the cap, a bad pattern. */
import { describe, expect, it } from 'vitest';
import { EditorSelection, EditorState } from '@codemirror/state';
import { SearchQuery } from '@codemirror/search';
import { countMatches, matchLabel } from '../../renderer/src/desk/findPanel';

const state = (doc: string, from = 0, to = from) =>
  EditorState.create({ doc, selection: EditorSelection.single(from, to) });

describe('find: match count', () => {
  it('counts matches and says which one is selected', () => {
    const doc = 'The cat and the hat and THE bat.';
    const q = new SearchQuery({ search: 'the' });
    expect(countMatches(state(doc), q)).toMatchObject({ total: 3, current: 0 });
    expect(matchLabel(countMatches(state(doc), q), true)).toBe('3 matches');
    const second = doc.indexOf('the');
    const c = countMatches(state(doc, second, second + 3), q);
    expect(c).toMatchObject({ total: 3, current: 2 });
    expect(matchLabel(c, true)).toBe('2 of 3');
    expect(countMatches(state(doc), new SearchQuery({ search: 'the', caseSensitive: true })).total).toBe(1);
    expect(countMatches(state(doc), new SearchQuery({ search: 'at', wholeWord: true })).total).toBe(0);
    expect(countMatches(state(doc), new SearchQuery({ search: '[bch]at', regexp: true })).total).toBe(3);
  });

  it('says when nothing matches, when the pattern is bad, and caps huge counts', () => {
    expect(matchLabel(countMatches(state('abc'), new SearchQuery({ search: 'z' })), true)).toBe('No matches');
    expect(matchLabel(countMatches(state('abc'), new SearchQuery({ search: '(', regexp: true })), true)).toBe(
      'Not a valid pattern',
    );
    expect(matchLabel(countMatches(state('abc'), new SearchQuery({ search: '' })), false)).toBe('');
    const many = countMatches(state('e'.repeat(50)), new SearchQuery({ search: 'e' }), 20);
    expect(many).toMatchObject({ total: 20, capped: true });
    expect(matchLabel(many, true)).toBe('20+ matches');
  });
});
