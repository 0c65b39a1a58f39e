// Incremental tokenization must equal tokenizing the whole text, after any edit: random edits of
// every kind (typing, deleting, pasting, replacing, at the end, in the middle, at the start) over a
// real novel and over text made of the pre-tokenizer's corner cases (whitespace runs before words,
// contractions, numbers, symbols, CJK, emoji, lone surrogates).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Gpt2Tokenizer, IncrementalTokens } from '../../../electron/engine/tokenizer';
import { mapOldToken } from '../../../electron/engine/tokenizer/incremental';
import { prng } from './corpus';

const tok = Gpt2Tokenizer.gpt2();
const NOVEL = readFileSync(join(__dirname, '..', '..', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');

/** Pieces that sit on the regex's edges: whitespace before words, contractions, symbols, numbers. */
const TRICKY = [
  ' ',
  '  ',
  '   ',
  '\n',
  '\n\n',
  ' \n',
  '\t',
  "'s",
  "'t",
  "'re",
  "'ll",
  "'d",
  "'",
  'a',
  'b',
  'x',
  ' the',
  'The',
  '1',
  '23',
  ' 4',
  '.',
  ',',
  '!?',
  '—',
  '“',
  '”',
  '日本',
  '語',
  '😀',
  '👩‍💻',
  '\u0301',
  '\ud800',
  '\udc00',
  'é',
  ' é',
  '\r\n',
  '--',
  '...',
];

function randomText(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += TRICKY[Math.floor(rand() * TRICKY.length)];
  return s;
}

function randomEdit(rand: () => number, text: string, insertPool: () => string): string {
  const at = Math.floor(rand() * (text.length + 1));
  const kind = rand();
  if (kind < 0.4) return text.slice(0, at) + insertPool() + text.slice(at); // insert
  if (kind < 0.7) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(rand() * 8))); // delete
  if (kind < 0.85)
    return text.slice(0, at) + insertPool() + text.slice(Math.min(text.length, at + Math.floor(rand() * 5))); // replace
  return text + insertPool(); // type at the end
}

/** -1 when equal, else the first index where the arrays differ (plain loop: fast on 80k ids). */
function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('IncrementalTokens', () => {
  it('equals a full encode after each of 3,000 random edits of pre-tokenizer corner cases', () => {
    const rand = prng(7);
    const inc = new IncrementalTokens(tok);
    let text = randomText(rand, 400);
    inc.update(text);
    expect(inc.tokens).toEqual(tok.encode(text));
    for (let i = 0; i < 3000; i++) {
      const before = [...inc.tokens];
      text = randomEdit(rand, text, () => randomText(rand, 1 + Math.floor(rand() * 4)));
      const edit = inc.update(text);
      const full = tok.encode(text);
      expect(firstDifference(inc.tokens, full), `edit ${i}: ${JSON.stringify(text)}`).toBe(-1);
      // What the edit says stayed the same really did.
      expect(firstDifference(full.slice(0, edit.keptPrefix), before.slice(0, edit.keptPrefix))).toBe(-1);
      for (const run of edit.reused) {
        expect(
          firstDifference(
            full.slice(run.oldFrom + run.shift, run.oldTo + run.shift),
            before.slice(run.oldFrom, run.oldTo),
          ),
        ).toBe(-1);
      }
    }
  });

  it('equals a full encode after random edits of a 61,000-word novel, scanning only near each edit', () => {
    const rand = prng(11);
    const inc = new IncrementalTokens(tok);
    let text = NOVEL;
    expect(inc.update(text).scannedChars).toBe(text.length);
    const words = NOVEL.slice(0, 20_000).split(/(?<=\s)/);
    const phrase = () =>
      words
        .slice(Math.floor(rand() * 3000))
        .slice(0, 1 + Math.floor(rand() * 12))
        .join('');
    let scanned = 0;
    for (let i = 0; i < 60; i++) {
      text = randomEdit(rand, text, phrase);
      scanned += inc.update(text).scannedChars;
      expect(firstDifference(inc.tokens, tok.encode(text)), `edit ${i}`).toBe(-1);
    }
    // Each edit re-scans a few pre-tokens, not the book (the book is ~350,000 characters).
    expect(scanned / 60).toBeLessThan(500);
  });

  it('two edits far apart (chapter one, then the end): the text between them is reused, not scanned', () => {
    const inc = new IncrementalTokens(tok);
    inc.update(NOVEL);
    const before = [...inc.tokens];
    const text = NOVEL.replace('Call me Ishmael.', 'Call me, Ishmael.') + ' Then the end.';
    const edit = inc.update(text);
    const full = tok.encode(text);
    expect(firstDifference(inc.tokens, full)).toBe(-1);
    expect(edit.scannedChars).toBeLessThan(600);
    // The comma is one new token: everything after it is the old tokens, one place later.
    expect(mapOldToken(edit, 1000)).toBe(1001);
    expect(full[1001]).toBe(before[1000]);
  });

  it.each([
    ['the novel', (rand: () => number) => NOVEL.slice(0, 60_000).slice(Math.floor(rand() * 10))],
    ['corner cases', (rand: () => number) => randomText(rand, 4000)],
  ])('equals a full encode after random pairs of edits of %s', (_name, make) => {
    const rand = prng(5);
    const inc = new IncrementalTokens(tok);
    let text = make(rand);
    inc.update(text);
    for (let i = 0; i < 300; i++) {
      text = randomEdit(rand, text, () => randomText(rand, 1 + Math.floor(rand() * 4)));
      text = randomEdit(rand, text, () => randomText(rand, 1 + Math.floor(rand() * 4)));
      const before = [...inc.tokens];
      const edit = inc.update(text);
      const full = tok.encode(text);
      expect(firstDifference(inc.tokens, full), `edit ${i}`).toBe(-1);
      for (const run of edit.reused) {
        expect(
          firstDifference(
            full.slice(run.oldFrom + run.shift, run.oldTo + run.shift),
            before.slice(run.oldFrom, run.oldTo),
          ),
        ).toBe(-1);
      }
    }
  });

  it('re-reads the pre-tokens at the end of a reused stretch whose match looks past it', () => {
    const chunk = NOVEL.slice(0, 3000);
    // Edits at both ends of the stretch; the second lands right after a word or a space run, which
    // the stretch's last pre-token must not be copied across.
    for (const [end, added] of [
      ['word', 's'],
      ['word', "'s"],
      ['the  ', 'x'],
      ['the  ', ' '],
      ['1', '2'],
      ['...', '!'],
    ]) {
      const inc = new IncrementalTokens(tok);
      inc.update(`X${chunk}${end} rest of it.`);
      const text = `YY${chunk}${end}${added} rest of it.`;
      inc.update(text);
      expect(firstDifference(inc.tokens, tok.encode(text)), JSON.stringify([end, added])).toBe(-1);
    }
  });

  it('maps token and character positions', () => {
    const inc = new IncrementalTokens(tok);
    inc.update('Hello world.\nThe sea');
    const ids = tok.encode('Hello world.\nThe sea');
    expect(inc.tokens).toEqual(ids);
    expect(inc.charAtToken(0)).toBe(0);
    const t = inc.tokenAtOrAfter(6); // " world" starts at 5: the next pre-token is "." at 11
    expect(inc.charAtToken(t)).toBe(11);
    expect(inc.lineStartWithin(0, ids.length)).toEqual([tok.encode('Hello world.\n').length, 13]);
    expect(inc.charAtToken(ids.length)).toBe(20);
  });

  it('handles emptying and refilling the text', () => {
    const inc = new IncrementalTokens(tok);
    inc.update('Some words here.');
    expect(inc.update('').keptPrefix).toBe(0);
    expect(inc.tokens).toEqual([]);
    inc.update('New text');
    expect(inc.tokens).toEqual(tok.encode('New text'));
  });
});
