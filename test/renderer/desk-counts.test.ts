/** The status bar's word count: words as writers count them, characters, reading time, the tooltip. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import {
  countLabel,
  countTooltip,
  docCounts,
  rangeCounts,
  readingTime,
  textCounts,
} from '../../renderer/src/desk/counts';
import { seeded } from '../security/payloads';

const NOVEL = readFileSync(path.join(__dirname, '..', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');

/** Every node of a document's tree. */
function nodes(doc: Text): Text[] {
  return [doc, ...(doc.children ?? []).flatMap(nodes)];
}

describe('word count', () => {
  it('counts words, characters (code points) and characters without spaces', () => {
    expect(textCounts('# Chapter One\n\nIt was — said the well-kept man — 3 o’clock.')).toEqual({
      words: 10,
      characters: 59,
      charactersNoSpaces: 46,
    });
    expect(textCounts('')).toEqual({ words: 0, characters: 0, charactersNoSpaces: 0 });
    // An emoji is one character, not two UTF-16 units.
    expect(textCounts('ok 👍').characters).toBe(4);
  });

  it('says the reading time in plain words', () => {
    expect(readingTime(0)).toBe('nothing to read');
    expect(readingTime(100)).toBe('under a minute');
    expect(readingTime(230)).toBe('1 minute');
    expect(readingTime(2_300)).toBe('10 minutes');
    expect(readingTime(230 * 65)).toBe('1 h 5 min');
  });

  it('labels the selection against the document, and puts tokens in the tooltip when counted', () => {
    const doc = textCounts('one two three four');
    const sel = textCounts('two three');
    expect(countLabel(doc, null)).toBe('4 words');
    expect(countLabel(doc, sel)).toBe('2 of 4 words');
    expect(countTooltip(doc, sel, { document: 5, selection: 2 })).toBe(
      'Document: 4 words, 18 characters (15 without spaces), under a minute to read.\n' +
        'Selection: 2 words, 9 characters.\nGPT-2 tokens: 5 tokens in the document, 2 tokens selected.',
    );
    expect(countTooltip(doc, null, { document: null, selection: null })).toMatch(
      /GPT-2 tokens: counted once a model is loaded\.$/,
    );
  });
});

describe('counting a long manuscript as it is edited', () => {
  it('gives the whole-text counts after every edit, recounting only the nodes the edit made', () => {
    const r = seeded(4242);
    // ~110,000 words: a tree several levels deep.
    let doc = Text.of((NOVEL + '\n\n' + NOVEL + '\n\n' + NOVEL).split('\n'));
    expect(doc.children).not.toBeNull();
    const cache = new WeakMap<Text, ReturnType<typeof textCounts>>();
    const counted: Text[] = [];
    const recording = {
      get: (n: Text) => cache.get(n),
      set: (n: Text, c: ReturnType<typeof textCounts>) => (counted.push(n), cache.set(n, c)),
    };
    expect(docCounts(doc, recording)).toEqual(textCounts(doc.toString()));
    expect(counted.length).toBe(nodes(doc).length);
    const inserts = ['a', ' ', 'whale ', '\n', '\n\nChapter 137. ', 'don’t 👍 ', '—'];
    for (let k = 0; k < 60; k++) {
      const before = new Set(nodes(doc));
      const at = r.int(doc.length + 1);
      // Every third edit a deletion (possibly across lines), else an insertion.
      const to = k % 3 === 2 ? Math.min(doc.length, at + 1 + r.int(200)) : at;
      const insert = k % 3 === 2 ? '' : inserts[r.int(inserts.length)];
      doc = doc.replace(at, to, Text.of(insert.split('\n')));
      const made = nodes(doc).filter((n) => !before.has(n));
      // A keystroke's edit makes a handful of nodes, out of hundreds, and only those are counted.
      expect(made.length).toBeLessThan(12);
      expect(nodes(doc).length).toBeGreaterThan(100);
      counted.length = 0;
      expect(docCounts(doc, recording), `edit ${k}`).toEqual(textCounts(doc.toString()));
      expect(new Set(counted)).toEqual(new Set(made));
    }
  });
});

describe('counting a selection of a long manuscript', () => {
  it('gives the counts of the selected text, for any range', () => {
    const r = seeded(99);
    const doc = Text.of((NOVEL + '\n\nok 👍 don’t\n' + NOVEL).split('\n'));
    const ranges: [number, number][] = [
      [0, doc.length],
      [0, 0],
      [5, 5],
      [0, 1],
      [doc.length - 1, doc.length],
      [-3, doc.length + 3],
    ];
    for (let k = 0; k < 60; k++) {
      const a = r.int(doc.length + 1);
      const b = k % 2 ? Math.min(doc.length, a + r.int(2000)) : r.int(doc.length + 1);
      ranges.push([Math.min(a, b), Math.max(a, b)]);
    }
    // Around the emoji: a range may begin or end inside its surrogate pair, as a slice would.
    const emoji = doc.toString().indexOf('👍');
    ranges.push([emoji + 1, emoji + 10], [emoji - 3, emoji + 1]);
    for (const [from, to] of ranges)
      expect(rangeCounts(doc, from, to), `${from}..${to}`).toEqual(
        textCounts(doc.sliceString(Math.max(0, from), Math.min(doc.length, to))),
      );
  });
});
