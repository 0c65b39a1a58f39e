/** The status bar's word count: words as writers count them, characters, reading time, the tooltip. */
import { describe, expect, it } from 'vitest';
import { countLabel, countTooltip, readingTime, textCounts } from '../../renderer/src/desk/counts';

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
