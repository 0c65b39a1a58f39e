/**
 * Checkpoint folders are untrusted input: loadCheckpoint / validateCheckpointDir on a tiny random
 * GPT-2 (1 layer, 8 wide, 300 tokens) that is then damaged — NaN/Inf weights, wrong dtypes, random
 * byte flips, truncation, missing or misshapen files — and on a config.json claiming absurd sizes.
 * Each must load (when the damage leaves a valid model) or reject with a WeightsError naming the file
 * or folder; validateCheckpointDir must report, never throw. Iteration counts are stated per test;
 * the size-claim case runs in a child Node capped at 256 MB of heap, so a runaway allocation fails
 * that test instead of the machine.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WeightsError,
  loadCheckpoint,
  makeTestModel,
  openSafetensors,
  validateCheckpointDir,
} from '../../electron/engine/weights';
import { OutcomeLog, rng, tempDir } from './fuzz';

const TINY = { layers: 1, embd: 8, heads: 2, positions: 16, vocabSize: 300 };
let root: string;
let f32Model: string;
let f16Model: string;

beforeAll(async () => {
  root = tempDir('checkpoint');
  f32Model = path.join(root, 'f32');
  f16Model = path.join(root, 'f16');
  await makeTestModel({ outDir: f32Model, ...TINY });
  await makeTestModel({ outDir: f16Model, ...TINY, dtype: 'F16' });
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of a model folder to damage. */
function copyOf(model: string, name: string): string {
  const dir = path.join(root, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(model, dir, { recursive: true });
  return dir;
}

/** Overwrites every value of tensor `key` in dir/model.safetensors with `bytes` (repeated). */
function fillTensor(dir: string, key: string, bytes: number[]): void {
  const file = path.join(dir, 'model.safetensors');
  const st = openSafetensors(file);
  const { begin, end } = st.info(key);
  const start = 8 + st.headerLength + begin;
  st.close();
  const fd = fs.openSync(file, 'r+');
  const pattern = Buffer.from(bytes);
  const data = Buffer.alloc(end - begin);
  for (let i = 0; i < data.length; i += pattern.length) pattern.copy(data, i);
  fs.writeSync(fd, data, 0, data.length, start);
  fs.closeSync(fd);
}

/** Clean: a WeightsError that names the folder or the damaged file. */
function checkpointLog(dir: () => string): OutcomeLog {
  return new OutcomeLog((err) => {
    if (!(err instanceof WeightsError)) return 'not a WeightsError';
    const d = dir();
    if (
      !err.message.includes(d) &&
      !/model\.safetensors|config\.json|model\.safetensors\.index\.json/.test(err.message)
    )
      return 'message names neither the folder nor a file';
    return null;
  });
}

describe('loadCheckpoint under damaged checkpoints', () => {
  it('the undamaged tiny models load (F32 and F16)', async () => {
    for (const m of [f32Model, f16Model]) {
      const ckpt = await loadCheckpoint(m);
      expect(ckpt.get('h.0.mlp.c_fc.weight').data.length).toBe(8 * 32);
      ckpt.close();
    }
  });

  it('NaN- or Inf-filled weights are refused, naming the file, the tensor and the first bad index', async () => {
    const F32_NAN = [0x00, 0x00, 0xc0, 0x7f];
    const F32_INF = [0x00, 0x00, 0x80, 0x7f];
    const F16_NAN = [0x00, 0x7e];
    const F16_NEG_INF = [0x00, 0xfc];
    const cases: Array<[string, string, string, number[]]> = [
      [f32Model, 'nan-f32', 'h.0.mlp.c_fc.weight', F32_NAN],
      [f32Model, 'inf-f32', 'wte.weight', F32_INF],
      [f16Model, 'nan-f16', 'h.0.attn.c_attn.bias', F16_NAN],
      [f16Model, 'inf-f16', 'ln_f.weight', F16_NEG_INF],
    ];
    for (const [model, name, tensor, bytes] of cases) {
      const dir = copyOf(model, name);
      fillTensor(dir, tensor, bytes);
      const err = await loadCheckpoint(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(WeightsError);
      expect((err as WeightsError).message).toMatch(
        new RegExp(
          `^model\\.safetensors: tensor ${tensor.replaceAll('.', '\\.')}: contains \\d+ non-finite values? \\(first: -?(NaN|Infinity) at \\[0`,
        ),
      );
      // Deferred checking: the model opens, the damaged tensor fails when read, the others read fine.
      const lazy = await loadCheckpoint(dir, { verifyValues: false });
      expect(() => lazy.get(tensor)).toThrow(WeightsError);
      expect(lazy.get('h.0.ln_1.weight').data.every(Number.isFinite)).toBe(true);
      lazy.close();
    }
  });

  it('GPT-2 tensors stored in a dtype the engine cannot read (I32, U32) are listed as problems', async () => {
    for (const dtype of ['I32', 'U32']) {
      const dir = copyOf(f32Model, `dtype-${dtype}`);
      const file = path.join(dir, 'model.safetensors');
      const bytes = fs.readFileSync(file);
      const headerLength = Number(bytes.readBigUInt64LE(0));
      // Same length as "F32", so offsets stay valid: only the dtype changes.
      const header = bytes
        .toString('utf8', 8, 8 + headerLength)
        .replace(/("h\.0\.ln_1\.bias":\{"dtype":")F32"/, `$1${dtype}"`);
      expect(header).toContain(`"dtype":"${dtype}"`);
      bytes.write(header, 8, 'utf8');
      fs.writeFileSync(file, bytes);
      await expect(loadCheckpoint(dir)).rejects.toThrow(
        new RegExp(`model\\.safetensors: tensor h\\.0\\.ln_1\\.bias: dtype ${dtype} is not supported`),
      );
      const report = await validateCheckpointDir(dir);
      expect(report.ok).toBe(false);
    }
  });

  it('120 seeded random damages (byte flips, truncation, missing files, bad configs, folders for files) load or fail cleanly', async () => {
    const r = rng(5);
    let dir = '';
    const log = checkpointLog(() => dir);
    const damages: Array<[string, (d: string) => void]> = [
      ['flip header bytes', (d) => flip(path.join(d, 'model.safetensors'), 8, 400, 1 + r.int(4))],
      [
        'flip data bytes',
        (d) =>
          flip(
            path.join(d, 'model.safetensors'),
            600,
            fs.statSync(path.join(d, 'model.safetensors')).size,
            1 + r.int(64),
          ),
      ],
      ['flip length prefix', (d) => flip(path.join(d, 'model.safetensors'), 0, 8, 1)],
      [
        'truncate weights',
        (d) => {
          const f = path.join(d, 'model.safetensors');
          fs.truncateSync(f, r.int(fs.statSync(f).size));
        },
      ],
      ['append to weights', (d) => fs.appendFileSync(path.join(d, 'model.safetensors'), r.bytes(1 + r.int(64)))],
      ['delete weights', (d) => fs.rmSync(path.join(d, 'model.safetensors'))],
      [
        'weights are a folder',
        (d) => {
          fs.rmSync(path.join(d, 'model.safetensors'));
          fs.mkdirSync(path.join(d, 'model.safetensors'));
        },
      ],
      ['delete config', (d) => fs.rmSync(path.join(d, 'config.json'))],
      [
        'config is a folder',
        (d) => {
          fs.rmSync(path.join(d, 'config.json'));
          fs.mkdirSync(path.join(d, 'config.json'));
        },
      ],
      ['random config bytes', (d) => fs.writeFileSync(path.join(d, 'config.json'), r.bytes(r.int(300)))],
      [
        'config size change',
        (d) =>
          editConfig(
            d,
            r.pick(['n_layer', 'n_embd', 'n_head', 'vocab_size', 'n_positions']),
            r.pick([0, 2, 3, 7, 16, 299, 301, -1, 1.5, '8', null]),
          ),
      ],
      [
        'bad shard index',
        (d) => {
          fs.renameSync(path.join(d, 'model.safetensors'), path.join(d, 'model-00001-of-00001.safetensors'));
          fs.writeFileSync(
            path.join(d, 'model.safetensors.index.json'),
            JSON.stringify({
              weight_map: {
                'wte.weight': r.pick([
                  '../../etc/passwd',
                  'model-00001-of-00001.safetensors',
                  'missing.safetensors',
                  42,
                  '',
                ]),
              },
            }),
          );
        },
      ],
    ];
    for (let i = 0; i < 120; i++) {
      const [what, damage] = damages[i % damages.length];
      dir = copyOf(i % 2 ? f16Model : f32Model, `random-${i}`);
      damage(dir);
      const label = `${path.basename(dir)} (seed 5, ${i % 2 ? 'F16' : 'F32'}: ${what})`;
      const report = await log.runAsync(`${label} validateCheckpointDir`, () => validateCheckpointDir(dir));
      if (report === undefined) log.fail(label, 'validateCheckpointDir threw instead of reporting');
      const loaded = await log.runAsync(`${label} loadCheckpoint`, () => loadCheckpoint(dir));
      if (loaded) {
        if (report && !report.ok)
          log.fail(label, `loaded although validateCheckpointDir reported: ${report.problems[0]}`);
        for (const name of loaded.names())
          if (!loaded.get(name).data.every(Number.isFinite))
            log.fail(label, `loaded with non-finite values in ${name}`);
        loaded.close();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(log.counts.cleanError).toBeGreaterThan(60);
    expect(log.report()).toEqual([]);

    function flip(file: string, from: number, to: number, count: number): void {
      const b = fs.readFileSync(file);
      for (let k = 0; k < count; k++) {
        const at = from + r.int(Math.max(1, Math.min(to, b.length) - from));
        if (at < b.length) b[at] ^= 1 << r.int(8);
      }
      fs.writeFileSync(file, b);
    }
    function editConfig(d: string, key: string, value: unknown): void {
      const f = path.join(d, 'config.json');
      fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), [key]: value }));
    }
  });
});

describe('sizes claimed by config.json', () => {
  it('a config claiming a billion layers, or widths past 2^53, over a 15 KB checkpoint is refused within 128 MB of heap', () => {
    const cases = [
      ['n_layer 1e9', { n_layer: 1_000_000_000 }],
      ['vocab × n_embd beyond 2^53', { vocab_size: 2 ** 40, n_embd: 2 ** 20, n_head: 1 }],
    ] as const;
    const weights = pathToFileURL(path.resolve(__dirname, '../../electron/engine/weights/index.ts')).href;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const died: string[] = [];
    cases.forEach(([label, patch], i) => {
      const dir = copyOf(f32Model, `claims-${i}`);
      const f = path.join(dir, 'config.json');
      fs.writeFileSync(f, JSON.stringify({ ...JSON.parse(fs.readFileSync(f, 'utf8')), ...patch }));
      // One child per case, so each is judged alone; a heap blow-up kills it (no result line).
      const script = path.join(root, `claims-${i}.mts`);
      fs.writeFileSync(
        script,
        `import { loadCheckpoint, validateCheckpointDir, WeightsError } from ${JSON.stringify(weights)};
const dir = ${JSON.stringify(dir)};
const report = await validateCheckpointDir(dir);
const load = await loadCheckpoint(dir).then(() => 'loaded', (e) => (e instanceof WeightsError ? 'WeightsError' : String(e && e.name)));
console.log(JSON.stringify({ ok: report.ok, longest: Math.max(0, ...report.problems.map((p) => p.length)), load }));
`,
      );
      const child = spawnSync(process.execPath, ['--max-old-space-size=128', '--import', tsx, script], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) {
        died.push(
          `${label}: exit ${child.status ?? child.signal}; ${child.stderr.split('\n').find((l) => /error/i.test(l)) ?? 'no error line'}`,
        );
        return;
      }
      const result = JSON.parse(line) as { ok: boolean; longest: number; load: string };
      expect(result.ok, label).toBe(false);
      expect(result.load, label).toBe('WeightsError');
      expect(result.longest, `${label}: longest problem message`).toBeLessThan(2000);
    });
    expect(died, 'cases the checkpoint reader did not survive').toEqual([]);
  }, 150_000);
});
