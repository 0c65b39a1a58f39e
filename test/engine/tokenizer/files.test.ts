// Loading (vocab.json + merges.txt, tokenizer.json old and new merge formats, fromDir), writing
// files that Hugging Face's transformers.js loads to the same ids, special tokens, and the error
// messages a writer sees for broken files.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, describe, expect, it } from 'vitest';
import { Gpt2Tokenizer, TokenizerFileError, writeTokenizerFiles } from '../../../electron/engine/tokenizer/index';
import { corpus } from './corpus';
import { removeTempDirs, tempDir, tinyTokenizer, tinyTokenizerJson, writeTiny } from './tiny';

afterAll(removeTempDirs);

const SHIPPED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models', 'gpt2');
const gpt2 = Gpt2Tokenizer.gpt2();
/** "<|endoftext|>" tokenized as ordinary text (r50k_base gives the same). */
const LITERAL_EOT = [27, 91, 437, 1659, 5239, 91, 29];

/** About 60 KB drawn from every part of the corpus. */
function sample(): string[] {
  const chunks = corpus();
  // Cut at 1000 characters, but never between the two halves of a surrogate pair.
  return chunks
    .filter((_, i) => i % 12 === 0)
    .map((c) => c.text.slice(0, /[\ud800-\udbff]/.test(c.text[999] ?? '') ? 999 : 1000));
}

describe('loading', () => {
  it('loads the shipped GPT-2 files', () => {
    expect(gpt2.vocabSize).toBe(50257);
    expect(gpt2.eosTokenId).toBe(50256);
    expect(gpt2.encode('Hello world')).toEqual([15496, 995]);
    expect(Gpt2Tokenizer.gpt2()).toBe(gpt2);
  });

  it('tokenizer.json (string or pair merges), vocab.json + merges.txt and fromDir all agree', () => {
    const dir = tempDir();
    gpt2.writeFiles(dir);
    const fromJson = Gpt2Tokenizer.fromTokenizerJson(join(dir, 'tokenizer.json'));
    const fromFiles = Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
    const fromDir = Gpt2Tokenizer.fromDir(dir);
    // Newer tokenizers write merges as ["left", "right"] pairs.
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    json.model.merges = json.model.merges.map((m: string) => m.split(' '));
    const pairDir = tempDir();
    writeFileSync(join(pairDir, 'tokenizer.json'), JSON.stringify(json));
    const fromPairs = Gpt2Tokenizer.fromDir(pairDir);

    const text = sample().join('\n');
    const expected = gpt2.encode(text);
    for (const t of [fromJson, fromFiles, fromDir, fromPairs]) {
      expect(t.vocabSize).toBe(50257);
      expect(t.eosTokenId).toBe(50256);
      expect(t.encode(text)).toEqual(expected);
      expect(t.encode('<|endoftext|>', { allowSpecial: true })).toEqual([50256]);
    }
  });

  it('fromDir prefers tokenizer.json over vocab.json + merges.txt', () => {
    const withMerge = tinyTokenizer([['a', 'b']]);
    const dir = writeTiny(withMerge, true);
    // Same vocabulary, but tokenizer.json without the merge: fromDir must follow tokenizer.json.
    writeFileSync(
      join(dir, 'tokenizer.json'),
      JSON.stringify(tinyTokenizerJson({ vocab: withMerge.vocab, merges: [] })),
    );
    expect(Gpt2Tokenizer.fromDir(dir).encode('ab')).toEqual([withMerge.vocab.a, withMerge.vocab.b]);
    expect(Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt')).encode('ab')).toEqual([
      withMerge.vocab.ab,
    ]);
  });
});

describe('writing', () => {
  it('writes vocab.json and merges.txt equal to the shipped ones, and a GPT-2 style tokenizer.json', () => {
    const dir = tempDir();
    writeTokenizerFiles(dir);
    expect(JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(SHIPPED, 'vocab.json'), 'utf8')),
    );
    expect(readFileSync(join(dir, 'merges.txt'), 'utf8')).toBe(readFileSync(join(SHIPPED, 'merges.txt'), 'utf8'));
    // vocab.json lists ids in order (the Hugging Face layout), not JS object-key order.
    expect(readFileSync(join(dir, 'vocab.json'), 'utf8').slice(0, 20)).toBe('{"!":0,"\\"":1,"#":2,');
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    expect(json.added_tokens).toEqual([
      expect.objectContaining({ id: 50256, content: '<|endoftext|>', special: true }),
    ]);
    expect(json.pre_tokenizer).toMatchObject({ type: 'ByteLevel', add_prefix_space: false, use_regex: true });
    expect(json.decoder.type).toBe('ByteLevel');
    expect(json.model.type).toBe('BPE');
    expect(Object.keys(json.model.vocab)).toHaveLength(50257);
    expect(json.model.merges).toHaveLength(50000);
    expect(json.model.merges[0]).toBe('Ġ t');
  });

  it('is loaded by @huggingface/transformers AutoTokenizer to the same ids', async () => {
    const root = tempDir();
    gpt2.writeFiles(join(root, 'gpt2-written'));
    env.allowRemoteModels = false;
    env.localModelPath = root;
    const hf = await AutoTokenizer.from_pretrained('gpt2-written', { local_files_only: true });
    const texts = [...sample(), "It's 'S we'LL 👨‍👩‍👧‍👦 日本語 \u0301e  \n\n\t x", 'a<|endoftext|>b'];
    let compared = 0;
    for (const text of texts) {
      // transformers.js always splits added tokens out of text, which is our allowSpecial mode.
      const ours = gpt2.encode(text, { allowSpecial: true });
      expect(hf.encode(text), JSON.stringify(text.slice(0, 200))).toEqual(ours);
      expect(hf.decode(ours)).toBe(text);
      compared += text.length;
    }
    expect(compared).toBeGreaterThan(40_000);
  });
});

describe('special tokens', () => {
  it('<|endoftext|> is plain text unless allowSpecial is set', () => {
    const text = 'end.<|endoftext|>Start<|endoftext|><|endoftext|>';
    const plain = gpt2.encode(text);
    expect(plain).not.toContain(50256);
    expect(gpt2.encode('<|endoftext|>')).toEqual(LITERAL_EOT);
    expect(gpt2.decode(plain)).toBe(text);
    const special = gpt2.encode(text, { allowSpecial: true });
    expect(special).toEqual([...gpt2.encode('end.'), 50256, ...gpt2.encode('Start'), 50256, 50256]);
    expect(gpt2.encode(text, { allowSpecial: false })).toEqual(plain);
    expect(gpt2.encode('<|endoftext|', { allowSpecial: true })).not.toContain(50256);
    expect(gpt2.decode([50256])).toBe('<|endoftext|>');
  });
});

describe('errors name the file and the problem', () => {
  const tiny = tinyTokenizer([['a', 'b']]);

  function expectError(run: () => unknown, file: string, pattern: RegExp): void {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenizerFileError);
    expect((error as TokenizerFileError).file).toBe(file);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(pattern);
  }

  /** A tiny tokenizer dir with one file replaced. */
  function broken(file: string, content: string, withTokenizerJson = false): string {
    const dir = writeTiny(tiny, withTokenizerJson);
    writeFileSync(join(dir, file), content);
    return dir;
  }
  const load = (dir: string) => () => Gpt2Tokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
  const loadJson = (dir: string) => () => Gpt2Tokenizer.fromTokenizerJson(join(dir, 'tokenizer.json'));
  // `any`: the patches reach into arbitrary nested JSON to break it on purpose.
  const tokenizerJson = (patch: (j: Record<string, any>) => void) => {
    const j = tinyTokenizerJson(tiny);
    patch(j);
    return JSON.stringify(j);
  };

  it('vocab.json + merges.txt', () => {
    const empty = tempDir();
    expectError(load(empty), join(empty, 'vocab.json'), /vocab\.json not found/);
    const noMerges = writeTiny(tiny);
    expectError(
      () => Gpt2Tokenizer.fromFiles(join(noMerges, 'vocab.json'), join(noMerges, 'nope.txt')),
      join(noMerges, 'nope.txt'),
      /merges\.txt not found/,
    );
    let dir = broken('vocab.json', '{"a": 1,');
    expectError(load(dir), join(dir, 'vocab.json'), /not valid JSON/);
    dir = broken('vocab.json', '["a"]');
    expectError(load(dir), join(dir, 'vocab.json'), /must be a JSON object .* found (a list of \d+ items|\[.*\])/);
    dir = broken('vocab.json', JSON.stringify({ ...tiny.vocab, x: 1.5 }));
    expectError(load(dir), join(dir, 'vocab.json'), /"x" has id 1\.5/);
    dir = broken('vocab.json', JSON.stringify({ ...tiny.vocab, x: 2 ** 31 }));
    expectError(load(dir), join(dir, 'vocab.json'), /"x" has id 2147483648; ids must be integers from 0 to 1048575/);
    dir = broken('vocab.json', JSON.stringify({ ...tiny.vocab, zz: 0 }));
    expectError(load(dir), join(dir, 'vocab.json'), /id 0 is used by both/);
    const { Ā: _dropped, ...noByte } = tiny.vocab;
    dir = broken('vocab.json', JSON.stringify(noByte));
    expectError(load(dir), join(dir, 'vocab.json'), /not a byte-level BPE vocabulary: no token for byte 0x00/);
    const { '<|endoftext|>': _eot, ...noEot } = tiny.vocab;
    dir = broken('vocab.json', JSON.stringify(noEot));
    expectError(load(dir), join(dir, 'vocab.json'), /no <\|endoftext\|> token/);
    dir = broken('merges.txt', '#version: 0.2\na b\nabc\n');
    expectError(load(dir), join(dir, 'merges.txt'), /line 3: expected two tokens separated by one space, found "abc"/);
    dir = broken('merges.txt', '#version: 0.2\na b\nab zzz\n');
    expectError(load(dir), join(dir, 'merges.txt'), /merge 2: merge "ab zzz": "zzz" is not in the vocabulary/);
    dir = broken('merges.txt', '#version: 0.2\na b\nab c\n');
    expectError(
      load(dir),
      join(dir, 'merges.txt'),
      /merge 2: merge "ab c": the merged token "abc" is not in the vocabulary/,
    );
  });

  it('tokenizer.json', () => {
    let dir = broken('tokenizer.json', 'not json', true);
    expectError(loadJson(dir), join(dir, 'tokenizer.json'), /not valid JSON/);
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => delete j.model),
      true,
    );
    expectError(loadJson(dir), join(dir, 'tokenizer.json'), /"model" must be an object/);
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => (j.model.type = 'WordPiece')),
      true,
    );
    expectError(loadJson(dir), join(dir, 'tokenizer.json'), /model\.type is "WordPiece"/);
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => (j.model.merges = 'a b')),
      true,
    );
    expectError(loadJson(dir), join(dir, 'tokenizer.json'), /model\.merges must be an array/);
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => j.model.merges.push(['a'])),
      true,
    );
    expectError(
      loadJson(dir),
      join(dir, 'tokenizer.json'),
      /model\.merges\[1\]: expected "left right" or \["left", "right"\]/,
    );
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => j.model.merges.push('b q')),
      true,
    );
    expectError(
      loadJson(dir),
      join(dir, 'tokenizer.json'),
      /model\.merges\[1\]: merge "b q": the merged token "bq" is not in model\.vocab/,
    );
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => (j.pre_tokenizer = { type: 'Metaspace' })),
      true,
    );
    expectError(
      loadJson(dir),
      join(dir, 'tokenizer.json'),
      /pre_tokenizer is \[Metaspace\]; expected a single "ByteLevel"/,
    );
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => (j.pre_tokenizer.add_prefix_space = true)),
      true,
    );
    expectError(loadJson(dir), join(dir, 'tokenizer.json'), /add_prefix_space: true/);
    dir = broken(
      'tokenizer.json',
      tokenizerJson((j) => (j.added_tokens = [{ id: 3, content: '<|endoftext|>', special: true }])),
      true,
    );
    expectError(
      loadJson(dir),
      join(dir, 'tokenizer.json'),
      /added_tokens\[0\]: "<\|endoftext\|>" has id 3 but model\.vocab gives it id/,
    );
  });

  it('a folder without tokenizer files', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    expectError(() => Gpt2Tokenizer.fromDir(dir), dir, /no tokenizer files found/);
  });
});
