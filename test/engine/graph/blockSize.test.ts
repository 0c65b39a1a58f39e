/**
 * Quantization block size (`convert --block-size`, graph/params.ts QUANT_BLOCK_SIZES): a coarser
 * block is an opt-in (faster, coarser), so it must build a graph whose ops read the blocks it wrote
 * — checked against the independent fp32 reference by the conversion's own quality step — record
 * itself in the manifest, and be refused before anything is written when the model cannot take it.
 */
import { afterAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { convertCheckpoint } from '../../../electron/engine/convert';
import { loadModel } from '../../../electron/engine/runtime';
import { tinyModelDir } from '../../helpers/models';
import { tempDir } from './fixtures';

const root = tempDir('block-size');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const GREEDY = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 6, logitBias: { 50256: -Infinity } };
const dataSize = (dir: string) => fs.statSync(path.join(dir, 'model.onnx_data')).size;

describe.each(['int8', 'int4'] as const)('%s', (precision) => {
  test('blocks of 64 (the tiny model has n_embd 64) convert, match fp32 closely, and generate', async () => {
    const ckpt = await tinyModelDir();
    const b32 = path.join(root, `${precision}-32`);
    const b64 = path.join(root, `${precision}-64`);
    const m32 = (await convertCheckpoint(ckpt, b32, { precision })).manifest;
    const m64 = (await convertCheckpoint(ckpt, b64, { precision, blockSize: 64 })).manifest;
    expect(m32.blockSize).toBe(32);
    expect(m64.blockSize).toBe(64);
    // Half the scales and zero points: a smaller data file.
    expect(dataSize(b64)).toBeLessThan(dataSize(b32));
    // The quality step runs the converted graph against an fp32 graph of the checkpoint: blocks read
    // with the wrong size would give noise (top-1 agreement near 1 in 50257), not this.
    expect(m64.quality!.top1Agreement).toBeGreaterThan(0.6);
    expect(m64.quality!.meanKl).toBeLessThan(Math.max(0.05, m32.quality!.meanKl * 20));
    const { engine } = await loadModel(b64);
    try {
      const r = await engine.generate({ prompt: 'The lighthouse keeper climbed', params: GREEDY });
      expect(r.alternatives[0].tokenIds).toHaveLength(6);
    } finally {
      await engine.dispose();
    }
  });
});

test('a block size the model cannot take, or an unknown one, is refused before anything is written', async () => {
  const ckpt = await tinyModelDir();
  const out = path.join(root, 'bad-128');
  await expect(convertCheckpoint(ckpt, out, { precision: 'int8', blockSize: 128 })).rejects.toThrow(
    /int8 with blocks of 128 needs n_embd to be a multiple of 128; this model has n_embd 64 \(choose a block size that divides it, e.g. 32\)/,
  );
  expect(fs.existsSync(out)).toBe(false);
  const out2 = path.join(root, 'bad-48');
  // @ts-expect-error: a caller from JS may pass anything.
  await expect(convertCheckpoint(ckpt, out2, { precision: 'int4', blockSize: 48 })).rejects.toThrow(
    /quantization block size 48 is not supported \(expected 32, 64, 128\)/,
  );
  expect(fs.existsSync(out2)).toBe(false);
});

test('the command line checks --block-size', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.resolve(__dirname, '../../../bin/inkling.mjs'), ...args], { encoding: 'utf8' });
  const odd = cli(
    'convert',
    'nowhere',
    '--out',
    path.join(root, 'cli-odd'),
    '--precision',
    'int4',
    '--block-size',
    '50',
  );
  expect(odd.status).not.toBe(0);
  expect(odd.stderr).toMatch(/--block-size must be one of 32, 64, 128, got 50/);
  const fp32 = cli('convert', 'nowhere', '--out', path.join(root, 'cli-fp32'), '--block-size', '64');
  expect(fp32.status).not.toBe(0);
  expect(fp32.stderr).toMatch(/--block-size applies to int8 and int4 only, not fp32/);
  expect(cli('convert', '--help').stdout).toContain('--block-size <n>');
});
