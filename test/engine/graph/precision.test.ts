/**
 * Every precision end to end: convert a checkpoint folder, read the manifest's quality report,
 * load the folder with the engine and generate — greedy, single and batched alternatives (the
 * shared-prompt fork) — through the converted graph.
 */
import { afterAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { convertCheckpoint } from '../../../electron/engine/convert';
import { loadModel } from '../../../electron/engine/runtime';
import { tinyModelDir } from '../../helpers/models';
import { tempDir } from './fixtures';

const root = tempDir('precision');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const GREEDY = { temperature: 0, repetitionPenalty: 1, maxNewTokens: 6, logitBias: { 50256: -Infinity } };
const fp32Tokens: number[][] = [];

describe.each(['fp32', 'fp16', 'int8', 'int4'] as const)('%s', (precision) => {
  test('converts with a quality report, loads and generates (1 and 3 alternatives)', async () => {
    const out = path.join(root, precision);
    const { manifest } = await convertCheckpoint(await tinyModelDir(), out, { precision });
    expect(manifest.precision).toBe(precision);
    if (precision === 'fp32') {
      expect(manifest.quality).toBeUndefined();
    } else {
      expect(manifest.quality?.reference).toBe('fp32');
      expect(manifest.quality?.tokens).toBeGreaterThan(50);
      expect(manifest.quality?.meanKl).toBeGreaterThanOrEqual(0);
      expect(manifest.quality?.top1Agreement).toBeGreaterThan(0);
    }
    const { engine, info } = await loadModel(out);
    try {
      expect(info.precision).toBe(precision);
      const one = await engine.generate({ prompt: 'The lighthouse keeper climbed', params: GREEDY });
      expect(one.alternatives[0].tokenIds).toHaveLength(6);
      expect(one.alternatives[0].finishReason).toBe('length');
      // Greedy alternatives are all the single greedy continuation: the batch reads the same prompt.
      const three = await engine.generate({
        prompt: 'The lighthouse keeper climbed',
        params: { ...GREEDY, alternatives: 3 },
      });
      for (const alt of three.alternatives) expect(alt.tokenIds).toEqual(one.alternatives[0].tokenIds);
      if (precision === 'fp32') fp32Tokens.push(one.alternatives[0].tokenIds);
      if (precision === 'fp16') expect(one.alternatives[0].tokenIds).toEqual(fp32Tokens[0]);
    } finally {
      await engine.dispose();
    }
    // Each step down is markedly smaller (on this vocabulary-heavy tiny model the two copies of the
    // quantized token table — lookup and head — keep the ratios above those of GPT-2 124M: 0.38, 0.21).
    const size = (p: string) => fs.statSync(path.join(root, p, 'model.onnx_data')).size;
    if (precision === 'fp16') expect(size('fp16')).toBeLessThan(size('fp32') * 0.55);
    if (precision === 'int8') expect(size('int8')).toBeLessThan(size('fp32') * 0.62);
    if (precision === 'int4') expect(size('int4')).toBeLessThan(size('int8') * 0.62);
  });
});

test('an unknown precision is refused before anything is written', async () => {
  const out = path.join(root, 'bad');
  // @ts-expect-error: a caller from JS (or a stale setting) may pass anything.
  await expect(convertCheckpoint(await tinyModelDir(), out, { precision: 'int2' })).rejects.toThrow(
    /precision "int2" is not supported; choose one of fp32, fp16, int8, int4/,
  );
  expect(fs.existsSync(out)).toBe(false);
});
