// Our ids must be exactly tiktoken's r50k_base ids (the GPT-2 encoding) on a > 1 MB varied corpus.
import { getEncoding } from 'js-tiktoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer/index';
import { corpus, prng, randomString, type Chunk } from './corpus';

const PIECES = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

describe('GPT-2 ids match js-tiktoken r50k_base', () => {
  const tok = Gpt2Tokenizer.gpt2();
  const r50k = getEncoding('r50k_base');
  // tiktoken: no special tokens allowed, and none disallowed (so "<|endoftext|>" is plain text).
  const reference = (text: string) => r50k.encode(text, [], []);
  let chunks: Chunk[];

  beforeAll(() => {
    chunks = corpus();
  });

  /** On a mismatch, names the first pre-tokenized piece that differs, not just the chunk. */
  function explain(chunk: Chunk): string {
    for (const m of chunk.text.matchAll(PIECES)) {
      const ours = tok.encode(m[0]);
      const theirs = reference(m[0]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        return `${chunk.label}: piece ${JSON.stringify(m[0])} at ${m.index}: ours [${ours}] vs r50k_base [${theirs}]`;
      }
    }
    return `${chunk.label}: ids differ though every piece matches on its own (pre-tokenization differs?)`;
  }

  it('uses a corpus of more than 1 MB covering prose, code and generated Unicode', () => {
    const bytes = chunks.reduce((n, c) => n + Buffer.byteLength(c.text), 0);
    expect(bytes).toBeGreaterThan(1_000_000);
    const labels = new Set(chunks.map((c) => c.label.split(' ')[0]));
    for (const kind of [
      'cjk',
      'emoji',
      'combining',
      'rtl',
      'accented',
      'whitespace',
      'contractions',
      'numbers',
      'long-runs',
      'fuzz',
    ]) {
      expect(labels.has(kind), `corpus part ${kind}`).toBe(true);
    }
    expect(chunks.some((c) => c.label.endsWith('.md') || /README/i.test(c.label))).toBe(true);
    expect(chunks.some((c) => /\.(js|mjs|cjs) @/.test(c.label))).toBe(true);
  });

  it('gives identical ids chunk by chunk', () => {
    const mismatches: string[] = [];
    let tokens = 0;
    for (const chunk of chunks) {
      const ours = tok.encode(chunk.text);
      const theirs = reference(chunk.text);
      tokens += ours.length;
      if (ours.length !== theirs.length || ours.some((id, i) => id !== theirs[i])) mismatches.push(explain(chunk));
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(tokens).toBeGreaterThan(200_000);
  });

  it('matches on hand-picked edge cases', () => {
    const cases = [
      '',
      ' ',
      'a',
      "It's",
      "IT'S",
      "we'LL",
      "'s",
      "''s",
      "'''",
      "'s'",
      'don’t',
      'Hello world',
      '  Hello',
      'Hello  world',
      'Hello \n world',
      'x \n\n y',
      'tail   ',
      '\n',
      '\r\n',
      '\t\tx',
      '123456789012345',
      '3.14159',
      '1,000,000',
      '١٢٣',
      'Ⅻ',
      '½²',
      '👨‍👩‍👧‍👦',
      '👍🏽',
      '🏳️‍🌈',
      '🇫🇷',
      '1️⃣',
      'é',
      'e\u0301',
      '日本語',
      '한국어',
      'עברית',
      'العربية',
      '\ufeffBOM',
      'zero\u200bwidth',
      'nb\u00a0sp',
      'line\u2028sep',
      '<|endoftext|>',
      'a<|endoftext|>b',
      ' '.repeat(1000),
      '\n'.repeat(300) + 'x',
      'z'.repeat(700),
      '🙂'.repeat(200),
    ];
    for (const text of cases) expect(tok.encode(text), JSON.stringify(text)).toEqual(reference(text));
  });

  it('matches on seeded random strings', () => {
    const rand = prng(42);
    for (let i = 0; i < 300; i++) {
      const text = randomString(rand, 1 + Math.floor(rand() * 200));
      expect(tok.encode(text), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it('treats lone surrogates as U+FFFD, like tiktoken (TextEncoder)', () => {
    const cases: Array<[string, string]> = [
      ['a\ud800b', 'a\ufffdb'],
      ['\udc00', '\ufffd'],
      ['x\ud83d', 'x\ufffd'],
      ['\ud83d\ud83d\ude00', '\ufffd\u{1f600}'],
      ['end\udfff ', 'end\ufffd '],
    ];
    for (const [text, wellFormed] of cases) {
      const ours = tok.encode(text);
      expect(ours, JSON.stringify(text)).toEqual(reference(text));
      expect(ours, JSON.stringify(text)).toEqual(tok.encode(wellFormed));
    }
  });
});
