// The model tokenizer is read without building the 50k-property JSON object (tokenizer/load.ts, the
// "lean path"; docs/BENCHMARKS.md, peak memory). Files the lean path does not take (unusual but valid
// JSON) go through JSON.parse: both must give the same tokenizer, byte for byte.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';

const TEXT = "Hello world! It's 2024 — naïve café, 東京, emoji 🙂\r\n\ttabs   and  <|endoftext|> spaces.";
const FILES = ['vocab.json', 'merges.txt', 'tokenizer.json'];

let root: string;
let reference: Gpt2Tokenizer;
let referenceFiles: Record<string, string>;

function filesOf(tok: Gpt2Tokenizer, name: string): Record<string, string> {
  const dir = join(root, `out-${name}`);
  tok.writeFiles(dir);
  return Object.fromEntries(FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** A fresh empty folder under the test's root. */
function ensure(name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'inkling-tok-lean-'));
  reference = Gpt2Tokenizer.gpt2();
  referenceFiles = filesOf(reference, 'reference');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function expectSameTokenizer(tok: Gpt2Tokenizer, name: string): void {
  expect(tok.vocabSize).toBe(reference.vocabSize);
  expect(tok.eosTokenId).toBe(reference.eosTokenId);
  expect(tok.encode(TEXT)).toEqual(reference.encode(TEXT));
  expect(tok.encode(TEXT, { allowSpecial: true })).toEqual(reference.encode(TEXT, { allowSpecial: true }));
  expect(filesOf(tok, name)).toEqual(referenceFiles);
}

describe('tokenizer files read without the JSON object (lean path) and with it give the same tokenizer', () => {
  it('tokenizer.json as Inkling writes it, and vocab.json + merges.txt', () => {
    const dir = join(root, 'out-reference');
    expectSameTokenizer(Gpt2Tokenizer.fromTokenizerJson(join(dir, 'tokenizer.json')), 'a');
    expectSameTokenizer(Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt')), 'b');
  });

  it('pretty-printed tokenizer.json, [left, right] merges, \\u-escaped keys, members in another order', () => {
    const parsed = JSON.parse(referenceFiles['tokenizer.json']) as {
      model: { vocab: Record<string, number>; merges: string[] };
    };
    const pairs = parsed.model.merges.map((m) => m.split(' '));
    const model = { merges: pairs, type: 'BPE', vocab: parsed.model.vocab };
    // Escape every non-ASCII character of the vocabulary keys (JSON.stringify leaves them raw).
    const text = JSON.stringify({ ...parsed, model }, null, 2).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const dir = ensure('pretty');
    writeFileSync(join(dir, 'tokenizer.json'), text);
    expectSameTokenizer(Gpt2Tokenizer.fromDir(dir), 'c');
  });

  it('valid JSON the lean path leaves to JSON.parse (an id written as 0.0e0, a repeated key, CRLF merges)', () => {
    const dir = ensure('unusual');
    // "!" is id 0: written as 0.0e0 it is still the integer 0 to JSON.parse.
    const vocab = referenceFiles['vocab.json'].replace('{"!":0,', '{"!":7,"!":0.0e0,');
    expect(vocab).not.toBe(referenceFiles['vocab.json']);
    writeFileSync(join(dir, 'vocab.json'), vocab);
    writeFileSync(join(dir, 'merges.txt'), referenceFiles['merges.txt'].replace(/\n/g, '\r\n'));
    expectSameTokenizer(Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt')), 'd');
    const json = referenceFiles['tokenizer.json'].replace('"vocab":{"!":0,', '"vocab":{"!":7,"!":0.0e0,');
    expect(json).not.toBe(referenceFiles['tokenizer.json']);
    writeFileSync(join(dir, 'tokenizer.json'), json);
    expectSameTokenizer(Gpt2Tokenizer.fromTokenizerJson(join(dir, 'tokenizer.json')), 'e');
  });

  it("a broken file still gets the checked path's error message", () => {
    const dir = ensure('broken');
    writeFileSync(join(dir, 'vocab.json'), referenceFiles['vocab.json'].replace('"!":0,', '"!":-1,'));
    writeFileSync(join(dir, 'merges.txt'), referenceFiles['merges.txt']);
    expect(() => Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'))).toThrow(
      /token "!" has id -1; ids must be integers/,
    );
    writeFileSync(join(dir, 'merges.txt'), referenceFiles['merges.txt'].replace('\nĠ t\n', '\nĠ  t\n'));
    writeFileSync(join(dir, 'vocab.json'), referenceFiles['vocab.json']);
    expect(() => Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'))).toThrow(
      /line 2: expected two tokens separated by one space/,
    );
  });
});
