/**
 * Model files are untrusted input. Fuzzes the safetensors reader (openSafetensors / read) and the
 * config parser (parseGpt2Config / readGpt2Config) with seeded inputs: random bytes, truncations,
 * huge header lengths, overlapping and out-of-range offsets, wrong dtypes, deeply nested and huge
 * JSON headers, and random config values.
 *
 * What each input must give: a result that satisfies the reader's promises, or a WeightsError whose
 * message starts with the file's name — never another exception, a hang or a large allocation.
 * Time is bounded by iteration counts (stated per test) and vitest's per-test timeout; memory by the
 * RSS check at the end (bound stated there). Seeds are fixed: a failure lists the exact input.
 * Loader-level cases (checkpoints, NaN weights, sizes claimed by config.json) are in
 * fuzz-checkpoint.test.ts; tokenizer files in fuzz-tokenizer.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WeightsError,
  openSafetensors,
  parseGpt2Config,
  readGpt2Config,
  writeSafetensors,
} from '../../electron/engine/weights';
import { MAX_HEADER_BYTES } from '../../electron/engine/weights/safetensors';
import { MAX_MESSAGE_CHARS, OutcomeLog, randomJson, rng, tempDir, writeRawSafetensors, type Rng } from './fuzz';

let dir: string;
const rssAtStart = process.memoryUsage().rss;
/** Every clean error message seen in this file, for the message-length check. */
const messages: Array<{ input: string; message: string }> = [];

beforeAll(() => {
  dir = tempDir('weights');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A clean error: a WeightsError whose message names the file (the first word of the input label). */
function weightsLog(): OutcomeLog {
  return new OutcomeLog((err, input) => {
    if (!(err instanceof WeightsError)) return 'not a WeightsError';
    const file = input.split(' ')[0];
    if (!err.message.includes(file)) return `message does not name the file ${file}`;
    return null;
  });
}

function finish(log: OutcomeLog): void {
  messages.push(...log.messages);
  expect(log.report(), 'inputs that did not give a clean WeightsError').toEqual([]);
}

/** Opens `file` and reads every tensor; checks what a successful open promises. */
function openAndReadAll(log: OutcomeLog, file: string, label: string): void {
  const st = log.run(label, () => openSafetensors(file));
  if (!st) return;
  try {
    let bytes = 0;
    for (const name of st.names()) {
      const info = st.info(name);
      bytes += info.end - info.begin;
      const values = log.run(`${label} read(${JSON.stringify(name).slice(0, 40)})`, () => st.read(name));
      const count = info.shape.reduce((a, b) => a * b, 1);
      if (values && values.length !== count)
        log.fail(label, `read(${name}) gave ${values.length} values for shape [${info.shape}]`);
    }
    const dataSection = fs.statSync(file).size - 8 - st.headerLength;
    if (bytes !== dataSection)
      log.fail(label, `opened although its tensors cover ${bytes} of ${dataSection} data bytes`);
  } finally {
    st.close();
  }
}

// ---- A small valid file to start from ------------------------------------------------------------
const BASE = [
  { name: 'a', dtype: 'F32', shape: [2, 3] },
  { name: 'b', dtype: 'F16', shape: [4] },
  { name: 'c', dtype: 'BF16', shape: [] as number[] },
  { name: 'd', dtype: 'F64', shape: [1, 2] },
];
const SIZE: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, BOOL: 1, U8: 1 };

function baseHeader(): { header: Record<string, Record<string, unknown>>; dataLength: number } {
  const header: Record<string, Record<string, unknown>> = {};
  let offset = 0;
  for (const t of BASE) {
    const n = t.shape.reduce((a, b) => a * b, 1) * SIZE[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  return { header, dataLength: offset };
}

const DTYPES: unknown[] = [
  'F32',
  'F16',
  'BF16',
  'F64',
  'I64',
  'I32',
  'BOOL',
  'U8',
  'F8_E4M3',
  'F31',
  '',
  'f32',
  123,
  null,
  [],
  {},
];
const SHAPES: unknown[] = [
  [],
  [0],
  [-1],
  [1.5],
  ['1'],
  [2 ** 53],
  [2 ** 40, 2 ** 40],
  [1e308],
  null,
  'x',
  [6],
  [3, 2],
  [1, 1, 1, 6],
];
const OFFSETS: unknown[] = [
  [0],
  [0, 1, 2],
  [-4, 0],
  [8, 4],
  [0, 2 ** 60],
  [0, 1.5],
  ['0', '4'],
  null,
  [0, 24],
  [2, 26],
  [0, 0],
  [NaN, 4],
  [0, 2 ** 53 + 2],
];

function mutateHeader(r: Rng, header: Record<string, Record<string, unknown>>): string[] {
  const did: string[] = [];
  for (let k = 1 + r.int(3); k > 0; k--) {
    const name = r.pick(Object.keys(header));
    const entry = header[name];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue; // replaced by a random value earlier
    switch (r.int(8)) {
      case 0:
        entry.dtype = r.pick(DTYPES);
        did.push(`${name}.dtype=${JSON.stringify(entry.dtype)}`);
        break;
      case 1:
        entry.shape = r.pick(SHAPES);
        did.push(`${name}.shape=${JSON.stringify(entry.shape)}`);
        break;
      case 2:
        entry.data_offsets = r.pick(OFFSETS);
        did.push(`${name}.data_offsets=${JSON.stringify(entry.data_offsets)}`);
        break;
      case 3:
        header[name] = randomJson(r) as Record<string, unknown>;
        did.push(`${name}=random`);
        break;
      case 4: {
        const other = header[r.pick(Object.keys(header))];
        entry.data_offsets = other?.data_offsets;
        did.push(`${name}.data_offsets=copy`);
        break;
      }
      case 5: {
        const o = entry.data_offsets;
        if (Array.isArray(o) && o.length === 2) {
          const d = r.int(9) - 4;
          entry.data_offsets = [Number(o[0]) + d, Number(o[1]) + d];
          did.push(`${name}.data_offsets shifted ${d}`);
        }
        break;
      }
      case 6:
        delete entry[r.pick(['dtype', 'shape', 'data_offsets'])];
        did.push(`${name} lost a field`);
        break;
      default:
        header.__metadata__ = randomJson(r) as Record<string, unknown>;
        did.push('__metadata__=random');
        break;
    }
  }
  return did;
}

describe('safetensors reader under hostile input', () => {
  it('random bytes (400 files, 0–2 KiB, some with a plausible length prefix) never crash it', () => {
    const r = rng(1);
    const log = weightsLog();
    for (let i = 0; i < 400; i++) {
      const file = path.join(dir, `random-${i}.safetensors`);
      const body = r.bytes(r.int(2048));
      // Half the files get a small, in-range header length so the UTF-8 and JSON checks run too.
      if (i % 2 === 0 && body.length >= 8) body.writeBigUInt64LE(BigInt(r.int(body.length - 7)), 0);
      fs.writeFileSync(file, body);
      openAndReadAll(log, file, `random-${i}.safetensors (seed 1)`);
    }
    expect(log.counts.cleanError).toBeGreaterThan(390);
    finish(log);
  });

  it('600 mutated headers (dtypes, shapes, offsets, entries, metadata, data length): valid ones read back, the rest fail cleanly', () => {
    const r = rng(2);
    const log = weightsLog();
    for (let i = 0; i < 600; i++) {
      const { header, dataLength } = baseHeader();
      const did = mutateHeader(r, header);
      const extra = r.next() < 0.2 ? r.int(17) - 8 : 0;
      const file = writeRawSafetensors(
        path.join(dir, `mutated-${i}.safetensors`),
        JSON.stringify(header),
        r.bytes(Math.max(0, dataLength + extra)),
      );
      openAndReadAll(
        log,
        file,
        `mutated-${i}.safetensors (seed 2: ${did.join(', ')}${extra ? `, data ${extra > 0 ? '+' : ''}${extra} bytes` : ''})`,
      );
    }
    expect(log.counts.ok).toBeGreaterThan(0); // some mutations stay valid (e.g. shape [6] for [2, 3])
    finish(log);
  });

  it('a valid file truncated at every length, or extended, is refused', async () => {
    const file = path.join(dir, 'whole.safetensors');
    await writeSafetensors(
      file,
      BASE.filter((t) => t.dtype !== 'F64').map((t) => ({
        name: t.name,
        dtype: t.dtype as 'F32' | 'F16' | 'BF16',
        shape: t.shape,
        data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)).fill(0.5),
      })),
    );
    const whole = fs.readFileSync(file);
    const log = weightsLog();
    openAndReadAll(log, file, 'whole.safetensors');
    expect(log.counts.cleanError).toBe(0);
    for (let n = 0; n < whole.length; n++) {
      fs.writeFileSync(path.join(dir, 'cut.safetensors'), whole.subarray(0, n));
      log.run(`cut.safetensors (first ${n} of ${whole.length} bytes)`, () =>
        openSafetensors(path.join(dir, 'cut.safetensors')).close(),
      );
    }
    for (const extra of [1, 7, 8, 4096]) {
      fs.writeFileSync(path.join(dir, 'long.safetensors'), Buffer.concat([whole, Buffer.alloc(extra)]));
      log.run(`long.safetensors (+${extra} bytes)`, () => openSafetensors(path.join(dir, 'long.safetensors')).close());
    }
    expect(log.counts.cleanError, 'every cut and every extension refused').toBe(whole.length + 4);
    finish(log);
  });

  it('huge or lying header lengths fail before anything of that size is allocated', () => {
    const log = weightsLog();
    const before = process.memoryUsage().rss;
    const lengths = [
      2n ** 64n - 1n,
      2n ** 63n,
      2n ** 53n + 1n,
      BigInt(MAX_HEADER_BYTES) + 1n,
      BigInt(MAX_HEADER_BYTES),
      4096n,
      17n,
      0n,
    ];
    for (const n of lengths) {
      const file = writeRawSafetensors(path.join(dir, 'len.safetensors'), '{}        ', 8, n);
      log.run(`len.safetensors (header length ${n}, file ${fs.statSync(file).size} bytes)`, () =>
        openSafetensors(file).close(),
      );
    }
    expect(log.counts.cleanError).toBe(lengths.length);
    // MAX_HEADER_BYTES is 100 MB: had any case allocated its claimed length, RSS would show it.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    finish(log);
  });

  it('overlapping, gapped, reversed and out-of-range offsets name the tensor and say what is wrong', () => {
    const cases: Array<[string, Record<string, unknown>, number, RegExp]> = [
      [
        'overlap',
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
        /tensor b: .*overlap a/,
      ],
      [
        'same range',
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        },
        8,
        /overlap/,
      ],
      [
        'gap',
        {
          a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
          b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        },
        12,
        /tensor b: .*gap of 4 bytes/,
      ],
      ['reversed', { a: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }, 8, /tensor a: .*end before they begin/],
      [
        'past the end',
        { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } },
        8,
        /tensor a: .*out of range.*8 bytes/,
      ],
      ['size mismatch', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8, /tensor a: .*needs 12 bytes/],
      ['too long', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 12, /8 bytes too long/],
      [
        'shape overflow',
        { a: { dtype: 'F64', shape: [2 ** 30, 2 ** 30, 2 ** 10], data_offsets: [0, 8] } },
        8,
        /tensor a: .*too large/,
      ],
      [
        'unsafe offsets',
        { a: { dtype: 'F32', shape: [1], data_offsets: [2 ** 53, 2 ** 53 + 4] } },
        8,
        /tensor a: data_offsets must be two non-negative integers/,
      ],
    ];
    const log = weightsLog();
    for (const [label, header, data, expected] of cases) {
      const file = writeRawSafetensors(path.join(dir, 'offsets.safetensors'), JSON.stringify(header), data);
      log.run(`offsets.safetensors (${label})`, () => openSafetensors(file));
      const last = log.messages.at(-1);
      if (last?.input !== `offsets.safetensors (${label})` || !expected.test(last.message))
        log.fail(label, `expected ${expected}, got ${last?.message}`);
    }
    finish(log);
  });

  it('unknown dtypes fail at open; known but unreadable ones (I64, BOOL, F8) fail at read, naming the tensor', () => {
    const log = weightsLog();
    for (const dtype of ['F31', 'complex64', '']) {
      const file = writeRawSafetensors(
        path.join(dir, 'dtype.safetensors'),
        JSON.stringify({ t: { dtype, shape: [1], data_offsets: [0, 4] } }),
        4,
      );
      log.run(`dtype.safetensors (${JSON.stringify(dtype)})`, () => openSafetensors(file));
    }
    expect(log.counts.cleanError).toBe(3);
    for (const [dtype, size] of [
      ['I64', 8],
      ['BOOL', 1],
      ['F8_E4M3', 1],
      ['U8', 1],
    ] as const) {
      const file = writeRawSafetensors(
        path.join(dir, 'dtype.safetensors'),
        JSON.stringify({ t: { dtype, shape: [4], data_offsets: [0, 4 * size] } }),
        4 * size,
      );
      const st = openSafetensors(file);
      log.run(`dtype.safetensors (${dtype})`, () => st.read('t'));
      expect(log.messages.at(-1)?.message).toMatch(new RegExp(`tensor t: dtype ${dtype} is not supported`));
      st.close();
    }
    finish(log);
  });

  it('deeply nested and huge JSON headers (1e6-deep arrays, 1e4-deep values in every field, 8 MB of text, 100k tensors) stay bounded', () => {
    const log = weightsLog();
    const deepArr = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deepObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    // JSON.parse copes with any depth; what matters is that nothing after it recurses over the value
    // (e.g. JSON.stringify while writing the error message) and overflows the stack.
    const cases: Array<[string, string]> = [
      ['1e6-deep arrays', deepArr(1_000_000)],
      ['2e5-deep objects', deepObj(200_000)],
      ['1e4-deep metadata value', `{"__metadata__":{"k":${deepObj(10_000)}}}`],
      ['1e4-deep shape', `{"t":{"dtype":"F32","shape":${deepArr(10_000)},"data_offsets":[0,0]}}`],
      ['1e4-deep dtype', `{"t":{"dtype":${deepArr(10_000)},"shape":[],"data_offsets":[0,0]}}`],
      ['1e4-deep data_offsets', `{"t":{"dtype":"F32","shape":[],"data_offsets":${deepArr(10_000)}}}`],
      ['8 MB of spaces', `${' '.repeat(8_000_000)}{}`],
      ['8 MB unterminated string', `{"a":"${'x'.repeat(8_000_000)}`],
    ];
    for (const [label, header] of cases) {
      const file = writeRawSafetensors(path.join(dir, 'json.safetensors'), header);
      openAndReadAll(log, file, `json.safetensors (${label})`);
    }
    const utf8 = writeRawSafetensors(
      path.join(dir, 'json.safetensors'),
      Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    );
    openAndReadAll(log, utf8, 'json.safetensors (invalid UTF-8)');
    // A header listing 100 000 tiny tensors is valid and opens.
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) many[`t${i}`] = { dtype: 'F32', shape: [1], data_offsets: [4 * i, 4 * i + 4] };
    const file = writeRawSafetensors(path.join(dir, 'many.safetensors'), JSON.stringify(many), 400_000);
    const st = log.run('many.safetensors (100k tensors)', () => openSafetensors(file));
    expect(st?.names().length).toBe(100_000);
    st?.close();
    finish(log);
    // '8 MB of spaces' + '{}' is a valid empty file; the other cases and the invalid UTF-8 fail cleanly.
    expect(log.counts.cleanError).toBe(cases.length - 1 + 1);
  });
});

// ---- config.json ----------------------------------------------------------------------------------
const VALID_CONFIG = {
  model_type: 'gpt2',
  vocab_size: 300,
  n_positions: 16,
  n_embd: 8,
  n_layer: 1,
  n_head: 2,
  layer_norm_epsilon: 1e-5,
  activation_function: 'gelu_new',
  bos_token_id: 299,
  eos_token_id: 299,
};

describe('config parser under hostile input', () => {
  it('2000 configs with 1–3 fields replaced by awkward values: a valid GPT-2 config or a WeightsError naming config.json', () => {
    const r = rng(3);
    const log = weightsLog();
    const keys = [
      ...Object.keys(VALID_CONFIG),
      'n_ctx',
      'n_inner',
      'scale_attn_weights',
      'add_cross_attention',
      '__proto__',
    ];
    for (let i = 0; i < 2000; i++) {
      const raw: Record<string, unknown> = { ...VALID_CONFIG };
      const did: string[] = [];
      for (let k = 1 + r.int(3); k > 0; k--) {
        const key = r.pick(keys);
        const value = r.next() < 0.3 ? r.pick([0, 1, 2, 3, 4, 7, 8, 16, 32, 299, 300, 50257, -1]) : randomJson(r);
        Object.defineProperty(raw, key, { value, enumerable: true, configurable: true, writable: true });
        did.push(`${key}=${String(JSON.stringify(value)).slice(0, 30)}`);
      }
      const source = i % 3 === 0 ? raw : r.pick<unknown>([raw, null, [], 'gpt2', 42, randomJson(r)]);
      const label = `config.json (seed 3 #${i}: ${source === raw ? did.join(', ') : String(JSON.stringify(source)).slice(0, 40)})`;
      const c = log.run(label, () => parseGpt2Config(source, 'config.json'));
      if (!c) continue;
      const ints = [c.vocabSize, c.nPositions, c.nEmbd, c.nLayer, c.nHead];
      if (!ints.every((v) => Number.isSafeInteger(v) && v >= 1)) log.fail(label, `accepted sizes ${ints}`);
      if (c.nEmbd % c.nHead !== 0) log.fail(label, `accepted n_embd ${c.nEmbd} with n_head ${c.nHead}`);
      if (!(c.layerNormEpsilon > 0 && Number.isFinite(c.layerNormEpsilon)))
        log.fail(label, `accepted eps ${c.layerNormEpsilon}`);
      if (!(c.eosTokenId < c.vocabSize && c.bosTokenId < c.vocabSize))
        log.fail(label, 'accepted a token id outside the vocabulary');
    }
    expect(log.counts.ok).toBeGreaterThan(50);
    expect(log.counts.cleanError).toBeGreaterThan(500);
    finish(log);
  });

  it('config.json files that are not JSON, not UTF-8, empty, huge or nested fail cleanly', () => {
    const r = rng(4);
    const log = weightsLog();
    const files: Array<[string, Buffer | string]> = [
      ['empty', ''],
      ['BOM + JSON', `\ufeff${JSON.stringify(VALID_CONFIG)}`],
      ['UTF-16', Buffer.from(JSON.stringify(VALID_CONFIG), 'utf16le')],
      ['1e6-deep arrays', '['.repeat(1_000_000) + ']'.repeat(1_000_000)],
      ['1e4-deep model_type', `{"model_type":${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
      [
        '1e4-deep n_layer',
        JSON.stringify({ ...VALID_CONFIG, n_layer: 0 }).replace(
          '"n_layer":0',
          `"n_layer":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
        ),
      ],
      ['5 MB string', JSON.stringify('x'.repeat(5_000_000))],
      ['truncated', JSON.stringify(VALID_CONFIG).slice(0, 40)],
      ...Array.from({ length: 50 }, (_, i): [string, Buffer] => [`random ${i} (seed 4)`, r.bytes(r.int(512))]),
    ];
    for (const [label, content] of files) {
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, content);
      log.run(`config.json (${label})`, () => readGpt2Config(file));
    }
    fs.rmSync(path.join(dir, 'config.json'));
    fs.mkdirSync(path.join(dir, 'config.json'));
    log.run('config.json (a folder named config.json)', () => readGpt2Config(path.join(dir, 'config.json')));
    fs.rmSync(path.join(dir, 'config.json'), { recursive: true });
    expect(log.counts.ok).toBe(0);
    finish(log);
  });
});

describe('bounds', () => {
  it(`error messages stay under ${MAX_MESSAGE_CHARS} characters, whatever values the file holds`, () => {
    // Long values a file can carry; a message quotes them (shortened), it does not dump them.
    const log = weightsLog();
    const long: Array<[string, Record<string, unknown>]> = [
      ['1e6-element shape', { t: { dtype: 'F32', shape: [...Array(1_000_000).fill(1), -1], data_offsets: [0, 4] } }],
      ['1e6-element data_offsets', { t: { dtype: 'F32', shape: [1], data_offsets: Array(1_000_000).fill(0) } }],
      ['5 MB dtype', { t: { dtype: 'X'.repeat(5_000_000), shape: [1], data_offsets: [0, 4] } }],
      ['5 MB tensor name', { ['n'.repeat(5_000_000)]: { dtype: 'F99', shape: [1], data_offsets: [0, 4] } }],
      ['1e6-element metadata value', { __metadata__: { k: Array(1_000_000).fill(1) } }],
    ];
    for (const [label, header] of long) {
      const file = writeRawSafetensors(path.join(dir, 'long.safetensors'), JSON.stringify(header), 4);
      log.run(`long.safetensors (${label})`, () => openSafetensors(file));
    }
    log.run('config.json (5 MB model_type)', () =>
      parseGpt2Config({ model_type: 'x'.repeat(5_000_000) }, 'config.json'),
    );
    log.run('config.json (5 MB activation_function)', () =>
      parseGpt2Config({ ...VALID_CONFIG, activation_function: 'x'.repeat(5_000_000) }, 'config.json'),
    );
    expect(log.report()).toEqual([]);
    const tooLong = [...messages, ...log.messages]
      .filter((m) => m.message.length > MAX_MESSAGE_CHARS)
      .map((m) => `${m.input}: ${m.message.length} characters, starting ${JSON.stringify(m.message.slice(0, 90))}`);
    expect(tooLong, 'inputs whose error message dumps the value instead of quoting it').toEqual([]);
  });

  it('memory stayed bounded over this whole file (RSS growth under 400 MB; the largest input is 8 MB)', () => {
    expect(process.memoryUsage().rss - rssAtStart).toBeLessThan(400 * 1024 * 1024);
  });
});
