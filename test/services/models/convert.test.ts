/** The library's converter: the engine's conversion, with its quality report as the library records it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConvert } from '../../../electron/services/models/install';
import { tinyModelDir } from '../../helpers/models';

const dirs: string[] = [];
const outDir = (tag: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `inkling-convert-${tag}-`));
  dirs.push(d);
  return path.join(d, 'out');
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('defaultConvert', () => {
  it('hands the measured difference from fp32 to the library (quantError), and skips it when asked', async () => {
    const src = await tinyModelDir();
    const measured = await defaultConvert(src, outDir('int8'), { precision: 'int8' });
    expect(measured.quantError).toBeDefined();
    expect(measured.quantError!.top1Agreement).toBeGreaterThan(0.5);
    expect(measured.quantError!.top1Agreement).toBeLessThanOrEqual(1);
    expect(measured.quantError!.meanKl).toBeGreaterThan(0);
    expect(measured.quantError!.meanKl).toBeLessThan(0.01);
    expect(measured.quantError!.text).toMatch(/tokens\)$/);
    expect(measured.manifest?.files?.['model.onnx']?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const skipped = await defaultConvert(src, outDir('int8-nq'), { precision: 'int8', qualityReport: false });
    expect(skipped.quantError).toBeUndefined();
    // fp32 has nothing to compare with.
    expect((await defaultConvert(src, outDir('fp32'), { precision: 'fp32' })).quantError).toBeUndefined();
  }, 120_000);
});
