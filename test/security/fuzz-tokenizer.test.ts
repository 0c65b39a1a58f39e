/**
 * Tokenizer files are untrusted input too (they come with every imported model): fuzzes
 * Gpt2Tokenizer.fromFiles (vocab.json + merges.txt) and Gpt2Tokenizer.fromTokenizerJson with seeded
 * random bytes, truncations, structured mutations, odd encodings and nesting. Each input gives a
 * tokenizer that round-trips text, or a TokenizerFileError naming the file — never another exception.
 * The files start from a tiny byte-level vocabulary (256 bytes + 3 merges + <|endoftext|>) so a
 * thousand loads take a second. Iteration counts are stated per test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gpt2Tokenizer, TokenizerFileError } from '../../electron/engine/tokenizer';
import { BYTE_TO_CHAR } from '../../electron/engine/tokenizer/bytes';
import { MAX_MESSAGE_CHARS, OutcomeLog, randomJson, rng, tempDir, type Rng } from './fuzz';

const SAMPLE = 'Hello there, the thé 🎉\n\tand <|endoftext|> too';
let dir: string;
let vocabText: string;
let mergesText: string;
let tokenizerJson: Record<string, unknown>;
const rssAtStart = process.memoryUsage().rss;
const messages: Array<{ input: string; message: string }> = [];

beforeAll(() => {
  dir = tempDir('tokenizer');
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((c, i) => (vocab[c] = i));
  Object.assign(vocab, { Ġt: 256, he: 257, Ġthe: 258, '<|endoftext|>': 259 });
  vocabText = JSON.stringify(vocab);
  mergesText = '#version: 0.2\nĠ t\nh e\nĠt he\n';
  fs.writeFileSync(path.join(dir, 'vocab.json'), vocabText);
  fs.writeFileSync(path.join(dir, 'merges.txt'), mergesText);
  const tiny = Gpt2Tokenizer.fromFiles(path.join(dir, 'vocab.json'), path.join(dir, 'merges.txt'));
  const out = path.join(dir, 'written');
  tiny.writeFiles(out);
  tokenizerJson = JSON.parse(fs.readFileSync(path.join(out, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Clean: a TokenizerFileError whose message starts with the file's path. */
function tokenizerLog(): OutcomeLog {
  return new OutcomeLog((err, input) => {
    if (!(err instanceof TokenizerFileError)) return 'not a TokenizerFileError';
    const file = path.join(dir, input.split(' ')[0]);
    if (!err.message.startsWith(`${file}:`)) return `message does not start with ${file}`;
    return null;
  });
}

/** A loaded tokenizer must be usable: text survives encode → decode, ids are in range. */
function checkUsable(log: OutcomeLog, label: string, tok: Gpt2Tokenizer | undefined): void {
  if (!tok) return;
  const ids = log.run(`${label} encode`, () => tok.encode(SAMPLE));
  if (!ids) return;
  if (ids.some((id) => !Number.isInteger(id) || id < 0 || id >= tok.vocabSize))
    log.fail(label, `encode gave ids outside 0..${tok.vocabSize - 1}`);
  const back = log.run(`${label} decode`, () => tok.decode(ids));
  if (back !== undefined && back !== SAMPLE)
    log.fail(label, `round trip changed the text: ${JSON.stringify(back).slice(0, 80)}`);
}

function finish(log: OutcomeLog): void {
  messages.push(...log.messages);
  expect(log.report(), 'inputs that did not give a usable tokenizer or a clean TokenizerFileError').toEqual([]);
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function mutateTokenizerJson(r: Rng): { json: unknown; did: string } {
  const j = structuredClone(tokenizerJson);
  const model = j.model as Record<string, unknown>;
  const vocab = model.vocab as Record<string, unknown>;
  const merges = model.merges as unknown[];
  const choices: Array<[string, () => void]> = [
    ['root', () => Object.assign(j, { model: randomJson(r) })],
    ['model.type', () => (model.type = r.pick(['BPE', 'WordPiece', 'Unigram', '', 7, null]))],
    [
      'vocab id',
      () => (vocab[r.pick(Object.keys(vocab))] = r.pick([-1, 1.5, 2 ** 20, 2 ** 20 - 1, '7', null, 258, 0])),
    ],
    ['vocab byte removed', () => delete vocab[BYTE_TO_CHAR[r.int(256)]]],
    ['vocab eot removed', () => delete vocab['<|endoftext|>']],
    ['vocab replaced', () => (model.vocab = randomJson(r))],
    [
      'merge',
      () =>
        (merges[r.int(merges.length)] = r.pick<unknown>([
          'Ġ',
          'a b c',
          ['Ġ', 't', 'x'],
          ['Ġ'],
          'Ġt he',
          'z z',
          ['h', 'e'],
          5,
          null,
          ' ',
          'Ġ  t',
        ])),
    ],
    ['merges replaced', () => (model.merges = r.pick<unknown>([null, {}, 'Ġ t', [], randomJson(r)]))],
    [
      'added token',
      () =>
        (j.added_tokens = [
          r.pick<unknown>([
            { id: 259, content: '<|endoftext|>' },
            { id: 5, content: '<|endoftext|>' },
            { id: 600, content: '<x>' },
            { id: -1, content: 'a' },
            { id: 1, content: '' },
            {},
            null,
            randomJson(r),
          ]),
        ]),
    ],
    [
      'pre_tokenizer',
      () =>
        (j.pre_tokenizer = r.pick<unknown>([
          null,
          { type: 'ByteLevel', add_prefix_space: true },
          { type: 'ByteLevel', use_regex: false },
          { type: 'Sequence', pretokenizers: [{ type: 'ByteLevel' }] },
          { type: 'Sequence', pretokenizers: [{ type: 'Split' }, { type: 'ByteLevel' }] },
          { type: 'Whitespace' },
          randomJson(r),
        ])),
    ],
  ];
  const picked = Array.from({ length: 1 + r.int(2) }, () => r.pick(choices));
  for (const [, apply] of picked) apply();
  return { json: r.next() < 0.05 ? randomJson(r) : j, did: picked.map(([n]) => n).join(', ') };
}

describe('tokenizer loaders under hostile input', () => {
  it('the tiny vocabulary loads from both layouts and round-trips', () => {
    const log = tokenizerLog();
    checkUsable(
      log,
      'vocab.json',
      log.run('vocab.json + merges.txt', () =>
        Gpt2Tokenizer.fromFiles(path.join(dir, 'vocab.json'), path.join(dir, 'merges.txt')),
      ),
    );
    checkUsable(
      log,
      'tokenizer.json',
      log.run('tokenizer.json', () =>
        Gpt2Tokenizer.fromTokenizerJson(write('tokenizer.json', JSON.stringify(tokenizerJson))),
      ),
    );
    expect(log.counts.cleanError).toBe(0);
    finish(log);
  });

  it('300 random-byte vocab.json / merges.txt / tokenizer.json files fail cleanly', () => {
    const r = rng(6);
    const log = tokenizerLog();
    const vocab = path.join(dir, 'vocab.json');
    const merges = path.join(dir, 'merges.txt');
    for (let i = 0; i < 300; i++) {
      const junk = r.bytes(r.int(1024));
      if (i % 3 === 0)
        log.run(`bad-vocab.json (seed 6 #${i})`, () => Gpt2Tokenizer.fromFiles(write('bad-vocab.json', junk), merges));
      else if (i % 3 === 1)
        checkUsable(
          log,
          `bad-merges.txt (seed 6 #${i})`,
          log.run(`bad-merges.txt (seed 6 #${i})`, () => Gpt2Tokenizer.fromFiles(vocab, write('bad-merges.txt', junk))),
        );
      else
        log.run(`bad-tokenizer.json (seed 6 #${i})`, () =>
          Gpt2Tokenizer.fromTokenizerJson(write('bad-tokenizer.json', junk)),
        );
    }
    expect(log.counts.cleanError).toBeGreaterThan(250);
    finish(log);
  });

  it('vocab.json and merges.txt truncated at every length: a usable tokenizer or a clean error', () => {
    const log = tokenizerLog();
    const merges = path.join(dir, 'merges.txt');
    const vocabBytes = Buffer.from(vocabText);
    for (let n = 0; n < vocabBytes.length; n += 3) {
      log.run(`cut-vocab.json (first ${n} bytes)`, () =>
        Gpt2Tokenizer.fromFiles(write('cut-vocab.json', vocabBytes.subarray(0, n)), merges),
      );
    }
    const mergeBytes = Buffer.from(mergesText);
    for (let n = 0; n <= mergeBytes.length; n++) {
      const label = `cut-merges.txt (first ${n} bytes)`;
      checkUsable(
        log,
        label,
        log.run(label, () =>
          Gpt2Tokenizer.fromFiles(path.join(dir, 'vocab.json'), write('cut-merges.txt', mergeBytes.subarray(0, n))),
        ),
      );
    }
    finish(log);
  });

  it('500 mutated tokenizer.json files (vocab ids, byte tokens, merges, added tokens, pre-tokenizer): usable or a clean error', () => {
    const r = rng(7);
    const log = tokenizerLog();
    for (let i = 0; i < 500; i++) {
      const { json, did } = mutateTokenizerJson(r);
      const label = `mut-tokenizer.json (seed 7 #${i}: ${did})`;
      checkUsable(
        log,
        label,
        log.run(label, () =>
          Gpt2Tokenizer.fromTokenizerJson(write('mut-tokenizer.json', JSON.stringify(json) ?? 'undefined')),
        ),
      );
    }
    expect(log.counts.ok).toBeGreaterThan(20);
    expect(log.counts.cleanError).toBeGreaterThan(200);
    finish(log);
  });

  it('missing files, folders, empty files, BOMs, UTF-16 and nesting (1e6 deep at the top, 1e4 deep in fields) fail cleanly', () => {
    const log = tokenizerLog();
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const model = tokenizerJson.model as Record<string, unknown>;
    const cases: Array<[string, string | Buffer]> = [
      ['empty', ''],
      ['BOM', `\ufeff${JSON.stringify(tokenizerJson)}`],
      ['UTF-16', Buffer.from(JSON.stringify(tokenizerJson), 'utf16le')],
      ['1e6-deep arrays', deep(1_000_000)],
      [
        '1e4-deep model.type',
        JSON.stringify({ model: { ...model, type: 0 } }).replace('"type":0', `"type":${deep(10_000)}`),
      ],
      [
        '1e4-deep merge',
        JSON.stringify({ model: { ...model, merges: [0] } }).replace('"merges":[0]', `"merges":[${deep(10_000)}]`),
      ],
      [
        '1e4-deep added token',
        JSON.stringify({ ...tokenizerJson, added_tokens: [0] }).replace(
          '"added_tokens":[0]',
          `"added_tokens":[${deep(10_000)}]`,
        ),
      ],
      [
        '1e4-deep vocab id',
        JSON.stringify({ model: { ...model, vocab: { a: 0 } } }).replace('"a":0', `"a":${deep(10_000)}`),
      ],
    ];
    for (const [label, content] of cases) {
      const name = `odd-tokenizer.json`;
      log.run(`${name} (${label})`, () => Gpt2Tokenizer.fromTokenizerJson(write(name, content)));
    }
    log.run('absent.json (missing file)', () => Gpt2Tokenizer.fromTokenizerJson(path.join(dir, 'absent.json')));
    fs.mkdirSync(path.join(dir, 'folder.json'), { recursive: true });
    log.run('folder.json (a folder)', () => Gpt2Tokenizer.fromTokenizerJson(path.join(dir, 'folder.json')));
    log.run('folder.json (a folder as vocab.json)', () =>
      Gpt2Tokenizer.fromFiles(path.join(dir, 'folder.json'), path.join(dir, 'merges.txt')),
    );
    finish(log);
    expect(log.counts.ok, 'only the BOM-prefixed file could be accepted').toBeLessThanOrEqual(1);
  });
});

describe('bounds', () => {
  it(`error messages stay under ${MAX_MESSAGE_CHARS} characters, whatever values the file holds`, () => {
    const log = tokenizerLog();
    const model = tokenizerJson.model as Record<string, unknown>;
    const vocab = JSON.parse(vocabText) as Record<string, number>;
    const long: Array<[string, () => unknown]> = [
      [
        '5 MB token name with a bad id',
        () =>
          Gpt2Tokenizer.fromFiles(
            write('long-vocab.json', JSON.stringify({ ...vocab, ['x'.repeat(5_000_000)]: 'bad' })),
            path.join(dir, 'merges.txt'),
          ),
      ],
      [
        '5 MB token with a duplicate id',
        () =>
          Gpt2Tokenizer.fromFiles(
            write('long-vocab.json', JSON.stringify({ ...vocab, ['y'.repeat(5_000_000)]: 5 })),
            path.join(dir, 'merges.txt'),
          ),
      ],
      [
        '5 MB merge',
        () =>
          Gpt2Tokenizer.fromFiles(
            path.join(dir, 'vocab.json'),
            write('long-merges.txt', `${'a'.repeat(5_000_000)} b\n`),
          ),
      ],
      [
        '5 MB model.type',
        () =>
          Gpt2Tokenizer.fromTokenizerJson(
            write('long-tokenizer.json', JSON.stringify({ model: { ...model, type: 'x'.repeat(5_000_000) } })),
          ),
      ],
      [
        '1e6 pre-tokenizer steps',
        () =>
          Gpt2Tokenizer.fromTokenizerJson(
            write(
              'long-tokenizer.json',
              JSON.stringify({
                ...tokenizerJson,
                pre_tokenizer: { type: 'Sequence', pretokenizers: Array(1_000_000).fill({ type: 'x' }) },
              }),
            ),
          ),
      ],
    ];
    for (const [label, fn] of long) {
      const file =
        label.includes('merge') && !label.includes('model')
          ? 'long-merges.txt'
          : label.startsWith('5 MB token')
            ? 'long-vocab.json'
            : 'long-tokenizer.json';
      log.run(`${file} (${label})`, fn);
    }
    expect(log.report()).toEqual([]);
    const tooLong = [...messages, ...log.messages]
      .filter((m) => m.message.length > MAX_MESSAGE_CHARS + dir.length)
      .map(
        (m) =>
          `${m.input}: ${m.message.length} characters, starting ${JSON.stringify(m.message.slice(dir.length, dir.length + 90))}`,
      );
    expect(tooLong, 'inputs whose error message dumps the value instead of quoting it').toEqual([]);
  });

  it('memory stayed bounded over this whole file (RSS growth under 400 MB; the largest input is 5 MB)', () => {
    expect(process.memoryUsage().rss - rssAtStart).toBeLessThan(400 * 1024 * 1024);
  });
});
