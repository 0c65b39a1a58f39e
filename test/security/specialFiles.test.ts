/**
 * Hostile model folders: files that are not regular files. A config.json that links to /dev/zero
 * (never ends: the old reader filled memory until the process died), a FIFO (the old reader waited
 * for a writer forever, freezing the process and every client), an ONNX export whose weights file
 * links to /dev/zero (the old import copied until the disk was full). Every reader of a user-chosen
 * folder must refuse them at once, naming the file and what it is.
 *
 * A FIFO test cannot rely on a timeout: a synchronous read that blocks also blocks the test's own
 * timers. Each FIFO gets a "rescuer" child process that, if the reader is still blocked 30 s later,
 * opens the FIFO for writing and closes it (again and again, for a reader that opens it twice), so a
 * blocked reader sees end-of-file and the test fails on its assertions instead of hanging; a passing
 * test finishes long before and kills the rescuer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportHfFolder } from '../../electron/engine/convert';
import { loadModel } from '../../electron/engine/runtime';
import { openModelFolder } from '../../electron/services/library/resolve';
import { Gpt2Tokenizer } from '../../electron/engine/tokenizer';
import { SafetensorsFile, readGpt2Config } from '../../electron/engine/weights';
import {
  READ_LIMITS,
  UnsafeFileError,
  readRegularFile,
  readRegularFileSync,
} from '../../electron/engine/util/safeRead';
import { InklingError } from '../../electron/common/errors';
import { importFolder, listModels } from '../../electron/services/models';
import { ExternalDataError, readExternalRefs } from '../../electron/engine/graph/externalData';
import { rng } from './fuzz';
import { convertedModelDir } from '../helpers/converted';
import { tinyModelDir } from '../helpers/models';

const ROOT = path.resolve(__dirname, '..', '..');
const posix = process.platform !== 'win32';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-special-'));
let seq = 0;
const rescuers: ChildProcess[] = [];

afterEach(() => {
  for (const r of rescuers.splice(0)) r.kill('SIGKILL');
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function fresh(tag: string): string {
  const d = path.join(work, `${tag}-${++seq}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Makes a FIFO at `file` (replacing what is there) and starts its rescuer (see the header). */
function makeFifo(file: string): { rescued: () => boolean } {
  fs.rmSync(file, { force: true });
  const r = spawnSync('mkfifo', [file]);
  if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
  const rescuer = spawn(
    'sh',
    ['-c', 'sleep 30; while [ -p "$1" ]; do exec 3>"$1"; exec 3>&-; echo rescued; done', 'sh', file],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  rescuer.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  rescuers.push(rescuer);
  return { rescued: () => out.includes('rescued') };
}

/** Replaces `file` with a symlink to /dev/zero. */
function linkToDevZero(file: string): void {
  fs.rmSync(file, { force: true });
  fs.symlinkSync('/dev/zero', file);
}

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

async function rejected(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error,
  );
}

let checkpoint: string;
beforeAll(async () => {
  checkpoint = await tinyModelDir({ vocabSize: 2048, positions: 64, embd: 32, heads: 2, layers: 1 });
});

/** A copy of the tiny checkpoint to break. */
function copyOfCheckpoint(tag: string): string {
  const dir = path.join(fresh(tag), 'model');
  fs.cpSync(checkpoint, dir, { recursive: true });
  return dir;
}

describe.runIf(posix)('safeRead: regular files only, bounded', () => {
  it('reads a regular file, also through a symlink', async () => {
    const d = fresh('plain');
    fs.writeFileSync(path.join(d, 'a.json'), '{"x":1}');
    fs.symlinkSync(path.join(d, 'a.json'), path.join(d, 'link.json'));
    expect((await readRegularFile(path.join(d, 'link.json'))).toString()).toBe('{"x":1}');
    expect(readRegularFileSync(path.join(d, 'link.json')).toString()).toBe('{"x":1}');
  });

  it('refuses a FIFO at once (sync and async), before anything is written to it', async () => {
    const d = fresh('fifo');
    const fifo = makeFifo(path.join(d, 'pipe.json'));
    const sync = caught(() => readRegularFileSync(path.join(d, 'pipe.json')));
    const async_ = await rejected(readRegularFile(path.join(d, 'pipe.json')));
    expect(fifo.rescued()).toBe(false);
    for (const e of [sync, async_]) {
      expect(e).toBeInstanceOf(UnsafeFileError);
      expect(e.message).toMatch(/pipe\.json is a FIFO \(named pipe\), not a regular file/);
    }
  });

  it('refuses devices, folders and sockets, saying what the link points to', async () => {
    const d = fresh('dev');
    linkToDevZero(path.join(d, 'zero.json'));
    const e = await rejected(readRegularFile(path.join(d, 'zero.json')));
    expect(e.message).toBe(
      `${path.join(d, 'zero.json')}: zero.json is a character device (it links to /dev/zero), not a regular file; Inkling reads only regular files`,
    );
    expect((await rejected(readRegularFile(d))).message).toMatch(/is a folder, not a regular file/);
  });

  it('refuses a file over its cap without reading it, and never reads past the cap', async () => {
    const d = fresh('cap');
    fs.writeFileSync(path.join(d, 'big.json'), Buffer.alloc(2048, 0x20));
    const e = await rejected(readRegularFile(path.join(d, 'big.json'), { maxBytes: 1024 }));
    expect((e as UnsafeFileError).reason).toBe('too_large');
    expect(e.message).toMatch(/big\.json is 2\.0 KB; at most 1\.0 KB is accepted/);
    // A regular file whose size says 0 but that has content (like files under /proc): the cap holds.
    if (fs.existsSync('/proc/self/status')) {
      const proc = await rejected(readRegularFile('/proc/self/status', { maxBytes: 16 }));
      expect((proc as UnsafeFileError).reason).toBe('too_large');
    }
  });
});

describe.runIf(posix)('the engine refuses special files in a model folder', () => {
  it('config.json linked to /dev/zero', () => {
    const dir = copyOfCheckpoint('cfg');
    linkToDevZero(path.join(dir, 'config.json'));
    expect(caught(() => readGpt2Config(dir)).message).toMatch(
      /config\.json is a character device \(it links to \/dev\/zero\), not a regular file/,
    );
  });

  it('config.json as a FIFO', () => {
    const dir = copyOfCheckpoint('cfg');
    const fifo = makeFifo(path.join(dir, 'config.json'));
    const e = caught(() => readGpt2Config(dir));
    expect(fifo.rescued()).toBe(false);
    expect(e.message).toMatch(/config\.json is a FIFO \(named pipe\), not a regular file/);
  });

  it('oversized config.json and tokenizer files are refused by size, not parsed', () => {
    const dir = copyOfCheckpoint('huge');
    fs.truncateSync(path.join(dir, 'config.json'), READ_LIMITS.config + 1);
    expect(caught(() => readGpt2Config(dir)).message).toMatch(/config\.json is 4\.0 MB; at most 4\.0 MB is accepted/);
    fs.truncateSync(path.join(dir, 'vocab.json'), READ_LIMITS.tokenizer + 1);
    expect(caught(() => Gpt2Tokenizer.fromDir(dir)).message).toMatch(
      /vocab\.json: vocab\.json is 16\.0 MB; at most 16\.0 MB is accepted/,
    );
  });

  it('vocab.json or merges.txt as a FIFO', () => {
    for (const f of ['vocab.json', 'merges.txt']) {
      const dir = copyOfCheckpoint('tok');
      const fifo = makeFifo(path.join(dir, f));
      const e = caught(() => Gpt2Tokenizer.fromDir(dir));
      expect(fifo.rescued()).toBe(false);
      expect(e.message).toContain(`${path.join(dir, f)}: ${f} is a FIFO (named pipe), not a regular file`);
    }
  });

  it('tokenizer.json linked to /dev/zero', () => {
    const dir = copyOfCheckpoint('tokjson');
    linkToDevZero(path.join(dir, 'tokenizer.json'));
    expect(caught(() => Gpt2Tokenizer.fromDir(dir)).message).toMatch(/tokenizer\.json is a character device/);
  });

  it('model.safetensors as a FIFO fails at once', () => {
    const dir = copyOfCheckpoint('st');
    const fifo = makeFifo(path.join(dir, 'model.safetensors'));
    const e = caught(() => SafetensorsFile.open(path.join(dir, 'model.safetensors')));
    expect(fifo.rescued()).toBe(false);
    expect(e.message).toBe(
      'model.safetensors: it is a FIFO (named pipe), not a regular file; Inkling reads only regular files',
    );
  });

  it('loadModel refuses a converted folder whose weights file became a FIFO', async () => {
    const src = await convertedModelDir();
    const conv = path.join(fresh('conv'), 'model');
    fs.cpSync(src, conv, { recursive: true });
    const fifo = makeFifo(path.join(conv, 'model.onnx_data'));
    const e = await rejected(loadModel(conv));
    expect(fifo.rescued()).toBe(false);
    expect(e.message).toMatch(/model\.onnx_data is a FIFO \(named pipe\), not a regular file/);
  });

  // Before the fix onnxruntime read /dev/zero into memory until the process was killed.
  it('loadModel refuses an export whose weights file links to /dev/zero', async () => {
    const exported = path.join(fresh('exp'), 'model');
    await exportHfFolder(checkpoint, exported);
    linkToDevZero(path.join(exported, 'onnx', 'model.onnx_data'));
    expect((await rejected(loadModel(exported))).message).toMatch(
      /model\.onnx_data is a character device \(it links to \/dev\/zero\)/,
    );
  });
});

/** An export of the tiny checkpoint whose graph names `location` (15 characters) as its weights file. */
async function exportWithDataAt(tag: string, location: string): Promise<string> {
  expect(location).toHaveLength('model.onnx_data'.length); // same length: the protobuf stays valid
  const dir = path.join(fresh(tag), 'model');
  await exportHfFolder(await tinyModelDir(), dir); // the full GPT-2 vocabulary, so it loads with its tokenizer
  const graph = path.join(dir, 'onnx', 'model.onnx');
  const bytes = fs.readFileSync(graph);
  const from = Buffer.from('model.onnx_data');
  let n = 0;
  for (let i = bytes.indexOf(from); i >= 0; i = bytes.indexOf(from, i + 1), n++) Buffer.from(location).copy(bytes, i);
  expect(n).toBeGreaterThan(0);
  fs.writeFileSync(graph, bytes);
  return dir;
}

describe.runIf(posix)('the weights files an ONNX graph declares', () => {
  it('are found by reading the graph: one under another name that is a FIFO is refused', async () => {
    const dir = await exportWithDataAt('decl-fifo', 'wghts.onnx_data');
    const fifo = makeFifo(path.join(dir, 'onnx', 'wghts.onnx_data'));
    const e = await rejected(loadModel(dir));
    expect(fifo.rescued()).toBe(false);
    expect(e.message).toMatch(/wghts\.onnx_data is a FIFO \(named pipe\), not a regular file/);
  });

  it('must be inside the model folder', async () => {
    const dir = await exportWithDataAt('decl-out', '../outside.data');
    fs.renameSync(path.join(dir, 'onnx', 'model.onnx_data'), path.join(dir, 'outside.data'));
    const e = await rejected(loadModel(dir));
    expect(e.message).toMatch(/keeps its weights in "\.\.\/outside\.data", outside the model's folder/);
  });

  it('must hold every byte range the graph declares', async () => {
    const dir = path.join(fresh('decl-short'), 'model');
    await exportHfFolder(checkpoint, dir);
    const data = path.join(dir, 'onnx', 'model.onnx_data');
    const size = fs.statSync(data).size;
    fs.truncateSync(data, size - 4);
    const e = await rejected(loadModel(dir));
    expect(e.message).toContain(
      `model.onnx_data is ${size - 4} bytes but model.onnx needs ${size}; the weights file is truncated or belongs to another model`,
    );
  });

  it('are copied by an import even under another name, and the imported model loads', async () => {
    const dir = await exportWithDataAt('decl-import', 'wghts.onnx_data');
    fs.renameSync(path.join(dir, 'onnx', 'model.onnx_data'), path.join(dir, 'onnx', 'wghts.onnx_data'));
    const r = await importFolder(dir, { dataDir: fresh('data') });
    expect(r.manifest.precisions.fp32!.files.map((f) => f.path)).toEqual([
      'export/onnx/model.onnx',
      'export/onnx/wghts.onnx_data',
    ]);
    const loaded = await openModelFolder(r.dir);
    try {
      expect(
        (await loaded.engine.generate({ prompt: 'Hi', params: { temperature: 0, maxNewTokens: 2 } })).alternatives[0]
          .tokenIds,
      ).toHaveLength(2);
    } finally {
      await loaded.engine.dispose();
    }
  });
});

describe('the graph reader under hostile input', () => {
  it('reads the declared files of a real graph, and 400 damaged graphs give a result or an ExternalDataError', async () => {
    const dir = path.join(fresh('fuzz-graph'), 'model');
    await exportHfFolder(checkpoint, dir);
    const graph = fs.readFileSync(path.join(dir, 'onnx', 'model.onnx'));
    const refs = readExternalRefs(path.join(dir, 'onnx', 'model.onnx'));
    expect(refs.length).toBeGreaterThan(5);
    expect(new Set(refs.map((r) => r.location))).toEqual(new Set(['model.onnx_data']));
    expect(refs.every((r) => r.length !== null && r.length > 0)).toBe(true);

    const r = rng(12);
    const file = path.join(dir, 'onnx', 'damaged.onnx');
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(graph.subarray(0, r.next() < 0.3 ? r.int(graph.length) : graph.length));
      for (let k = 1 + r.int(8); k > 0 && b.length > 0; k--) b[r.int(b.length)] = r.int(256);
      fs.writeFileSync(file, b);
      try {
        readExternalRefs(file);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof ExternalDataError)) throw e;
        expect(e.message.length).toBeLessThan(1000);
        outcomes.refused++;
      }
    }
    expect(outcomes.ok + outcomes.refused).toBe(400);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});

describe.runIf(posix)('importing a folder (in the main process) refuses special files and copies nothing', () => {
  const errorOf = async (p: Promise<unknown>): Promise<InklingError> => {
    const e = await rejected(p);
    expect(e).toBeInstanceOf(InklingError);
    return e as InklingError;
  };

  it('a checkpoint whose config.json links to /dev/zero', async () => {
    const dataDir = fresh('data');
    const dir = copyOfCheckpoint('imp-cfg');
    linkToDevZero(path.join(dir, 'config.json'));
    expect((await errorOf(importFolder(dir, { dataDir }))).message).toMatch(
      /config\.json is a character device \(it links to \/dev\/zero\)/,
    );
    expect(await listModels(dataDir)).toEqual([]);
  });

  it('a checkpoint whose config.json is a FIFO', async () => {
    const dataDir = fresh('data');
    const dir = copyOfCheckpoint('imp-cfg');
    const fifo = makeFifo(path.join(dir, 'config.json'));
    const e = await errorOf(importFolder(dir, { dataDir }));
    expect(fifo.rescued()).toBe(false);
    expect(e.message).toMatch(/config\.json is a FIFO/);
    expect(await listModels(dataDir)).toEqual([]);
  });

  it('an ONNX export whose model.onnx_data links to /dev/zero: refused before copying a byte', async () => {
    const dataDir = fresh('data');
    const dir = path.join(fresh('imp-onnx'), 'gpt2-onnx');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'vocab.json', 'merges.txt'])
      fs.copyFileSync(path.join(checkpoint, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), Buffer.from([0x08, 0x08, 0x12, 0x00]));
    linkToDevZero(path.join(dir, 'onnx', 'model.onnx_data'));
    // Should a regression copy /dev/zero again, stop it before it fills the disk.
    const stop = new AbortController();
    const copy = path.join(dataDir, 'models', 'gpt2-onnx', 'export', 'onnx', 'model.onnx_data');
    const guard = setInterval(() => {
      if ((fs.statSync(copy, { throwIfNoEntry: false })?.size ?? 0) > 1 << 20) stop.abort();
    }, 20);
    try {
      const e = await errorOf(importFolder(dir, { dataDir, signal: stop.signal }));
      expect(e.message).toBe(
        `Cannot import ${dir}: onnx/model.onnx_data is a character device (it links to /dev/zero), not a regular file; Inkling reads only regular files`,
      );
    } finally {
      clearInterval(guard);
    }
    expect(fs.existsSync(copy)).toBe(false);
    expect(await listModels(dataDir)).toEqual([]);
  });

  it('an ONNX export whose model.onnx is a FIFO', async () => {
    const dataDir = fresh('data');
    const dir = path.join(fresh('imp-fifo'), 'gpt2-onnx');
    fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
    for (const f of ['config.json', 'vocab.json', 'merges.txt'])
      fs.copyFileSync(path.join(checkpoint, f), path.join(dir, f));
    const fifo = makeFifo(path.join(dir, 'onnx', 'model.onnx'));
    const e = await errorOf(importFolder(dir, { dataDir }));
    expect(fifo.rescued()).toBe(false);
    expect(e.message).toBe(
      'onnx/model.onnx is a FIFO (named pipe), not a regular file; Inkling reads only regular files',
    );
  });
});

describe.runIf(posix)('inkling convert', () => {
  it('fails at once on a FIFO model.safetensors, naming it', async () => {
    const dir = copyOfCheckpoint('cli');
    const fifo = makeFifo(path.join(dir, 'model.safetensors'));
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin/inkling.mjs'), 'convert', dir, '--out', path.join(fresh('cli-out'), 'out')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(fifo.rescued()).toBe(false);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/model\.safetensors: it is a FIFO \(named pipe\), not a regular file/);
  }, 60_000);
});
