// The merge loop against a deliberately naive reference (GPT-2's original formulation: find the
// lowest-ranked adjacent pair, merge every occurrence left to right, repeat), on random vocabularies
// and on pieces long enough to take the heap-based path.
import { afterAll, describe, expect, it } from 'vitest';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer/index';
import { BYTE_TO_CHAR } from '../../../electron/engine/tokenizer/bytes';
import { prng } from './corpus';
import { randomMerges, removeTempDirs, tinyTokenizer, writeTiny, type TinyTokenizer } from './tiny';

afterAll(removeTempDirs);

const PIECES = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

function referenceEncode(tiny: TinyTokenizer, text: string): number[] {
  const rank = new Map(tiny.merges.map(([a, b], i) => [`${a} ${b}`, i]));
  const ids: number[] = [];
  for (const [piece] of text.matchAll(PIECES)) {
    let word = [...new TextEncoder().encode(piece)].map((b) => BYTE_TO_CHAR[b]);
    for (;;) {
      let best: [string, string] | null = null;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = rank.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [[word[i], word[i + 1]], r];
      }
      if (best === null) break;
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === best[0] && word[i + 1] === best[1]) {
          merged.push(best[0] + best[1]);
          i++;
        } else merged.push(word[i]);
      }
      word = merged;
    }
    for (const t of word) ids.push(tiny.vocab[t]);
  }
  return ids;
}

describe('BPE merging', () => {
  it('equals the naive reference on random vocabularies, short and long pieces', () => {
    const rand = prng(2024);
    for (let v = 0; v < 6; v++) {
      const tiny = tinyTokenizer(randomMerges(rand, ['a', 'b', 'c', 'Ġ'], 120));
      const tok = Gpt2Tokenizer.fromDir(writeTiny(tiny));
      for (let i = 0; i < 150; i++) {
        // Lengths up to 400 letters: pieces longer than 48 bytes take the heap-based path.
        const len = i % 3 === 0 ? 50 + Math.floor(rand() * 350) : 1 + Math.floor(rand() * 40);
        const text = Array.from({ length: len }, () => 'abc  '[Math.floor(rand() * (i % 2 ? 3 : 5))]).join('');
        expect(tok.encode(text), `vocab ${v}: ${JSON.stringify(text)}`).toEqual(referenceEncode(tiny, text));
      }
    }
  });

  it('merges overlapping runs leftmost first ("aaa" -> "aa" "a")', () => {
    const tiny = tinyTokenizer([['a', 'a']]);
    const tok = Gpt2Tokenizer.fromDir(writeTiny(tiny));
    const aa = tiny.vocab.aa;
    const a = tiny.vocab.a;
    expect(tok.encode('aaa')).toEqual([aa, a]);
    expect(tok.encode('aaaaa')).toEqual([aa, aa, a]);
    expect(tok.encode('a'.repeat(101))).toEqual([...Array(50).fill(aa), a]);
  });

  it('keeps the first rank of a duplicated merge', () => {
    const merges: Array<[string, string]> = [
      ['b', 'c'],
      ['a', 'b'],
      ['b', 'c'],
    ];
    const tiny = tinyTokenizer(merges);
    const tok = Gpt2Tokenizer.fromDir(writeTiny(tiny));
    expect(tok.encode('abc')).toEqual([tiny.vocab.a, tiny.vocab.bc]);
  });

  it('keeps the word cache bounded and correct after eviction', () => {
    const tok = Gpt2Tokenizer.fromDir(
      writeTiny(
        tinyTokenizer([
          ['a', 'b'],
          ['Ġ', 'ab'],
        ]),
      ),
    );
    const words = Array.from(
      { length: 50_000 },
      (_, i) => ` ab${i.toString(36).replace(/\d/g, (d) => 'cdefghijkl'[Number(d)])}`,
    );
    const first = tok.encode(words.slice(0, 100).join(''));
    tok.encode(words.join(''));
    expect(tok.cachedPieces).toBeLessThanOrEqual(2 * 16384);
    expect(tok.cachedPieces).toBeGreaterThan(1000);
    expect(tok.encode(words.slice(0, 100).join(''))).toEqual(first);
    expect(first).toEqual(
      referenceEncode(
        tinyTokenizer([
          ['a', 'b'],
          ['Ġ', 'ab'],
        ]),
        words.slice(0, 100).join(''),
      ),
    );
  });
});
