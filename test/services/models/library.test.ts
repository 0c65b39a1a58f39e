import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InklingError } from '../../../electron/common/errors';
import {
  deleteModel,
  getDefault,
  getModel,
  importFolder,
  listModels,
  scanLibrary,
  setDefault,
} from '../../../electron/services/models';
import { exportHfFolder } from '../../../electron/engine/convert';
import { openModelFolder } from '../../../electron/services/library/resolve';
import { tinyModelDir } from '../../helpers/models';
import { type ConvertCall, fakeConvert, makeCheckpoint, tmpDir, removeTmpDirs } from './fixtures';

let checkpoint: string;
afterAll(removeTmpDirs);

beforeAll(async () => {
  checkpoint = await makeCheckpoint(path.join(tmpDir('ckpt'), 'My GPT2'), 2);
});

/** A copy of the test checkpoint to break in one way. */
function variant(tag: string, change: (dir: string) => void): string {
  const dir = path.join(tmpDir(tag), 'model');
  fs.cpSync(checkpoint, dir, { recursive: true });
  change(dir);
  return dir;
}

function treeBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? treeBytes(p) : fs.statSync(p).size;
  }
  return n;
}

const errorOf = async (p: Promise<unknown>): Promise<InklingError> => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InklingError);
  return e as InklingError;
};

describe('library', () => {
  it('lists only complete models, keeps a default, and deletes reporting the space freed', async () => {
    const dataDir = tmpDir('lib');
    await importFolder(checkpoint, { dataDir, id: 'alpha', convert: fakeConvert() });
    await importFolder(checkpoint, { dataDir, id: 'beta', convert: fakeConvert() });
    // An interrupted download and a damaged manifest are not models.
    fs.mkdirSync(path.join(dataDir, 'models', 'gamma', 'source'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'models', 'gamma', 'source', 'model.safetensors.incomplete'), Buffer.alloc(1000));
    fs.mkdirSync(path.join(dataDir, 'models', 'delta'));
    fs.writeFileSync(path.join(dataDir, 'models', 'delta', 'manifest.json'), '{"schemaVersion": 1, "id": "delta"');

    const scan = await scanLibrary(dataDir);
    expect(scan.models.map((m) => m.id)).toEqual(['alpha', 'beta']);
    expect(scan.unfinished).toEqual(['gamma']);
    expect(scan.broken).toHaveLength(1);
    expect(scan.broken[0].problem).toMatch(/delta[/\\]manifest\.json: not valid JSON/);
    expect((await listModels(dataDir)).map((m) => m.id)).toEqual(['alpha', 'beta']);

    expect(await getDefault(dataDir)).toBeNull();
    await setDefault(dataDir, 'beta');
    expect(await getDefault(dataDir)).toBe('beta');
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'models', 'library.json'), 'utf8')).defaultModel).toBe('beta');
    expect((await listModels(dataDir)).map((m) => [m.id, m.isDefault])).toEqual([
      ['alpha', false],
      ['beta', true],
    ]);
    expect((await errorOf(setDefault(dataDir, 'nope'))).code).toBe('not_found');

    const beta = (await getModel(dataDir, 'beta'))!;
    const onDisk = treeBytes(beta.dir);
    expect(beta.bytes).toBe(onDisk - fs.statSync(path.join(beta.dir, 'manifest.json')).size);
    expect(await deleteModel(dataDir, 'beta')).toBe(onDisk);
    expect(fs.existsSync(beta.dir)).toBe(false);
    expect(await getDefault(dataDir)).toBeNull();
    expect((await listModels(dataDir)).map((m) => m.id)).toEqual(['alpha']);

    expect(await deleteModel(dataDir, 'gamma')).toBe(1000); // leftovers can be deleted too
    expect((await errorOf(deleteModel(dataDir, 'nope'))).message).toMatch(/^No model "nope" is installed/);
  });

  it('imports a checkpoint folder: copies and hashes it, converts, registers', async () => {
    const dataDir = tmpDir('imp');
    const calls: ConvertCall[] = [];
    const phases = new Set<string>();
    const r = await importFolder(checkpoint, { dataDir, precision: 'fp16', convert: fakeConvert(calls), onProgress: (p) => phases.add(p.phase) });
    expect(r.id).toBe('my-gpt2'); // from the folder name
    expect(phases).toEqual(new Set(['copying', 'converting', 'done']));
    expect(calls).toEqual([expect.objectContaining({ precision: 'fp16' })]);
    expect(r.manifest.source).toEqual({ kind: 'import', path: checkpoint, format: 'hf-checkpoint' });
    const names = r.manifest.files.map((f) => f.path).sort();
    expect(names).toEqual(['config.json', 'generation_config.json', 'merges.txt', 'model.safetensors', 'vocab.json'].map((f) => `source/${f}`));
    for (const f of r.manifest.files) {
      const original = fs.readFileSync(path.join(checkpoint, path.basename(f.path)));
      expect(f.sha256).toBe(createHash('sha256').update(original).digest('hex'));
    }
    expect(r.manifest.precisions.fp16).toMatchObject({ format: 'inkling', graph: 'fp16/model.onnx' });
    expect(fs.existsSync(path.join(checkpoint, 'model.safetensors'))).toBe(true); // the original is untouched

    const again = await errorOf(importFolder(checkpoint, { dataDir, convert: fakeConvert() }));
    expect(again.message).toBe('A model named "my-gpt2" is already installed; delete it first or import under another name');
  });

  it('imports a Hugging Face ONNX export, its variants becoming precisions', async () => {
    const dataDir = tmpDir('onnx');
    const dir = path.join(tmpDir('export'), 'gpt2-onnx');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'vocab.json', 'merges.txt']) fs.copyFileSync(path.join(checkpoint, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), Buffer.from([0x08, 0x08, 0x12, 0x00]));
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx_data'), Buffer.alloc(4096, 1));
    fs.writeFileSync(path.join(dir, 'onnx', 'model_quantized.onnx'), Buffer.from([0x08, 0x09, 0x12, 0x00]));
    const r = await importFolder(dir, { dataDir });
    expect(r.id).toBe('gpt2-onnx');
    expect(r.manifest.source).toMatchObject({ kind: 'import', format: 'hf-onnx' });
    expect(r.manifest.precisions.fp32).toMatchObject({ format: 'hf', dir: 'export', graph: 'export/onnx/model.onnx', bytes: 4 + 4096 });
    expect(r.manifest.precisions.fp32!.files.map((f) => f.path)).toEqual(['export/onnx/model.onnx', 'export/onnx/model.onnx_data']);
    expect(r.manifest.precisions.int8).toMatchObject({ graph: 'export/onnx/model_quantized.onnx' });
    expect(r.manifest.files.map((f) => f.path)).toEqual(['export/config.json', 'export/vocab.json', 'export/merges.txt']);
    expect(fs.existsSync(path.join(r.dir, 'export', 'onnx', 'model.onnx_data'))).toBe(true);
  });

  it('an imported export opens the graph of the precision asked for, not always model.onnx', async () => {
    const dataDir = tmpDir('onnx-open');
    const dir = path.join(tmpDir('export2'), 'two-graphs');
    await exportHfFolder(await tinyModelDir(), dir);
    // model_quantized.onnx: a working graph (same weights file); model.onnx: not a graph at all.
    fs.copyFileSync(path.join(dir, 'onnx', 'model.onnx'), path.join(dir, 'onnx', 'model_quantized.onnx'));
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), Buffer.from([0x08, 0x08, 0x12, 0x00]));
    const r = await importFolder(dir, { dataDir });
    const int8 = await openModelFolder(r.dir, { precision: 'int8' });
    try {
      expect(int8.info.precision).toBe('int8');
      const out = await int8.engine.generate({ prompt: 'Hello', params: { temperature: 0, maxNewTokens: 2 } });
      expect(out.alternatives[0].tokenIds).toHaveLength(2);
    } finally {
      await int8.engine.dispose();
    }
    await expect(openModelFolder(r.dir, { precision: 'fp32' })).rejects.toThrow(/model\.onnx: the model graph could not be loaded/);
  });

  it('rejects folders it cannot use, naming the file and the problem, and registers nothing', async () => {
    const dataDir = tmpDir('bad');
    const attempt = (dir: string): Promise<InklingError> => errorOf(importFolder(dir, { dataDir, convert: fakeConvert() }));

    expect((await attempt(tmpDir('empty'))).message).toMatch(
      /is neither a Hugging Face checkpoint folder \(no model\.safetensors\) nor a Hugging Face ONNX export \(no onnx\/model\.onnx or model\.onnx\)$/,
    );
    expect((await attempt(variant('nocfg', (d) => fs.rmSync(path.join(d, 'config.json'))))).message).toMatch(/config\.json is missing in /);
    expect((await attempt(variant('badjson', (d) => fs.writeFileSync(path.join(d, 'config.json'), '{"model_type": ')))).message).toMatch(
      /config\.json: not valid JSON/,
    );
    const llama = await attempt(variant('llama', (d) => fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ model_type: 'llama' }))));
    expect(llama.message).toMatch(/config\.json: model_type is "llama" but Inkling only runs GPT-2 models/);
    const bin = await attempt(
      variant('bin', (d) => {
        fs.renameSync(path.join(d, 'model.safetensors'), path.join(d, 'pytorch_model.bin'));
      }),
    );
    expect(bin.message).toMatch(/PyTorch \.bin checkpoints are not supported/);
    const truncated = await attempt(
      variant('trunc', (d) => {
        const p = path.join(d, 'model.safetensors');
        fs.truncateSync(p, fs.statSync(p).size - 100);
      }),
    );
    expect(truncated.message).toMatch(/^Cannot import .*\n {2}- .*model\.safetensors/);
    const noTok = await attempt(
      variant('notok', (d) => {
        fs.rmSync(path.join(d, 'vocab.json'));
        fs.rmSync(path.join(d, 'merges.txt'));
      }),
    );
    expect(noTok.message).toMatch(/vocab\.json and merges\.txt are missing \(the tokenizer needs vocab\.json and merges\.txt, or tokenizer\.json\)$/);
    const notOnnx = await attempt(
      variant('notonnx', (d) => {
        fs.mkdirSync(path.join(d, 'onnx'));
        fs.writeFileSync(path.join(d, 'onnx', 'model.onnx'), '<html>Not found</html>');
      }),
    );
    expect(notOnnx.message).toBe('onnx/model.onnx: not an ONNX model (it does not start with an ONNX ModelProto)');

    expect(await listModels(dataDir)).toEqual([]);
    expect((await scanLibrary(dataDir)).unfinished).toEqual([]);
  });
});
