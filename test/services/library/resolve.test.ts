/**
 * The model library resolves its own folders (manifest.json naming one folder per precision) before
 * the engine opens them: the engine is handed one precision's folder, its precision, graph and name,
 * and never reads the library's manifest itself (a library folder given to it directly is refused).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InklingError } from '../../../electron/common/errors';
import { loadModel } from '../../../electron/engine/runtime';
import { openModelFolder, resolveModelFolder, type ResolvedModel } from '../../../electron/services/library/resolve';
import { convertedModelDir } from '../../helpers/converted';

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `inkling-resolve-${tag}-`));
  made.push(d);
  return d;
}

type Entry = { format: 'inkling' | 'hf'; dir: string; graph: string };

/** A library model folder `<tmp>/models/<id>` whose manifest lists `precisions` (folders created empty). */
function libraryModel(id: string, name: string, precisions: Record<string, Entry>): string {
  const dir = path.join(tmp(id), 'models', id);
  const now = new Date().toISOString();
  fs.mkdirSync(dir, { recursive: true });
  for (const e of Object.values(precisions)) fs.mkdirSync(path.join(dir, e.dir), { recursive: true });
  const entries = Object.fromEntries(
    Object.entries(precisions).map(([p, e]) => [p, { ...e, files: [], bytes: 0, createdAt: now }]),
  );
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      schemaVersion: 1,
      id,
      name,
      source: { kind: 'hub', repo: `org/${id}`, revision: 'main', commit: null, endpoint: 'http://127.0.0.1:9' },
      files: [],
      precisions: entries,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return dir;
}

function failure(f: () => unknown): InklingError {
  try {
    f();
  } catch (e) {
    if (e instanceof InklingError) return e;
    throw e;
  }
  throw new Error('expected an InklingError');
}

describe('resolveModelFolder', () => {
  it('opens the precision asked for, else the preferred installed one, with the model’s name', () => {
    const dir = libraryModel('gpt2', 'GPT-2 small', {
      fp32: { format: 'inkling', dir: 'fp32', graph: 'fp32/model.onnx' },
      int8: { format: 'inkling', dir: 'int8', graph: 'int8/model.onnx' },
    });
    expect(resolveModelFolder(dir)).toEqual<ResolvedModel>({
      dir: path.join(dir, 'int8'),
      options: { precision: 'int8', name: 'GPT-2 small' },
    });
    expect(resolveModelFolder(dir, 'fp32')).toEqual<ResolvedModel>({
      dir: path.join(dir, 'fp32'),
      options: { precision: 'fp32', name: 'GPT-2 small' },
    });
    const missing = failure(() => resolveModelFolder(dir, 'int4'));
    expect(missing.code).toBe('model_invalid');
    expect(missing.message).toBe(`${dir}: precision int4 is not installed (installed: fp32, int8)`);
  });

  it('an imported ONNX export: its folder and the graph of the precision, relative to it', () => {
    const dir = libraryModel('gpt2-onnx', 'gpt2-onnx', {
      fp32: { format: 'hf', dir: 'export', graph: 'export/onnx/model.onnx' },
      int8: { format: 'hf', dir: 'export', graph: 'export/onnx/model_quantized.onnx' },
    });
    fs.mkdirSync(path.join(dir, 'export', 'onnx'));
    fs.writeFileSync(path.join(dir, 'export', 'onnx', 'model_quantized.onnx'), 'graph');
    expect(resolveModelFolder(dir, 'int8')).toEqual<ResolvedModel>({
      dir: path.join(dir, 'export'),
      options: { precision: 'int8', name: 'gpt2-onnx', graph: path.join('onnx', 'model_quantized.onnx') },
    });
    const gone = failure(() => resolveModelFolder(dir, 'fp32'));
    expect(gone.message).toBe(`${dir}: the fp32 graph export/onnx/model.onnx is missing; import the model again`);
  });

  it('a precision folder of a library model goes by the model’s name; other folders pass unchanged', () => {
    const dir = libraryModel('distil', 'DistilGPT2', {
      fp16: { format: 'inkling', dir: 'fp16', graph: 'fp16/m.onnx' },
    });
    fs.writeFileSync(path.join(dir, 'fp16', 'inkling.json'), '{}');
    expect(resolveModelFolder(path.join(dir, 'fp16'))).toEqual<ResolvedModel>({
      dir: path.join(dir, 'fp16'),
      options: { name: 'DistilGPT2', precision: 'fp16' },
    });
    const plain = tmp('plain');
    expect(resolveModelFolder(plain)).toEqual<ResolvedModel>({ dir: plain, options: {} });
  });

  it('a damaged manifest is model_invalid, naming the file', () => {
    const dir = libraryModel('bad', 'bad', {});
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"schemaVersion": ');
    const e = failure(() => resolveModelFolder(dir));
    expect(e.code).toBe('model_invalid');
    expect(e.message).toMatch(new RegExp(`^${path.join(dir, 'manifest.json')}: not a readable model library manifest`));
  });
});

describe('the engine and a library folder', () => {
  it('the engine refuses a library folder without reading its manifest; the library resolves and opens it', async () => {
    const dir = libraryModel('tiny', 'Tiny model', {
      fp32: { format: 'inkling', dir: 'fp32', graph: 'fp32/model.onnx' },
    });
    fs.cpSync(await convertedModelDir(), path.join(dir, 'fp32'), { recursive: true });

    // Given to the engine directly: refused by name, whatever the manifest holds (here it is not
    // even JSON, which the engine would have reported had it read it).
    const manifest = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
    fs.writeFileSync(path.join(dir, 'manifest.json'), 'not json');
    await expect(loadModel(dir)).rejects.toThrow(
      `${dir}: a model library folder; open it through Inkling's model library`,
    );

    fs.writeFileSync(path.join(dir, 'manifest.json'), manifest);
    const { engine, info } = await openModelFolder(dir);
    try {
      expect(info).toMatchObject({ name: 'Tiny model', precision: 'fp32', dir: path.join(dir, 'fp32') });
      const r = await engine.generate({ prompt: 'Hello', params: { temperature: 0, maxNewTokens: 2 } });
      expect(r.alternatives[0].tokenIds).toHaveLength(2);
    } finally {
      await engine.dispose();
    }
  });
});
