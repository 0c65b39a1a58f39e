import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogEntry, fitLabel, loadCatalog, memoryNeeded, parseCatalog, PRECISIONS } from '../../../electron/services/models';
import { SpeedMeter, etaSeconds } from '../../../electron/services/models/progress';
import { convertCheckpoint } from '../../../electron/engine/convert';
import { tinyModelDir } from '../../helpers/models';

const GiB = 1024 ** 3;
const raw = (): { schemaVersion: number; models: Record<string, unknown>[] } =>
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../models/catalog.json'), 'utf8'));

describe('catalog', () => {
  it('lists the five GPT-2 checkpoints with their shapes, files and licenses', () => {
    const c = loadCatalog();
    expect(c.map((e) => [e.id, e.repo, e.n_layer, e.n_embd, e.n_head, e.license])).toEqual([
      ['distilgpt2', 'distilbert/distilgpt2', 6, 768, 12, 'Apache-2.0'],
      ['gpt2', 'openai-community/gpt2', 12, 768, 12, 'MIT'],
      ['gpt2-medium', 'openai-community/gpt2-medium', 24, 1024, 16, 'MIT'],
      ['gpt2-large', 'openai-community/gpt2-large', 36, 1280, 20, 'MIT'],
      ['gpt2-xl', 'openai-community/gpt2-xl', 48, 1600, 25, 'MIT'],
    ]);
    expect(catalogEntry('gpt2')?.parameters).toBe(124_439_808);
    expect(catalogEntry('gpt2-xl')?.parameters).toBe(1_557_611_200);
    for (const e of c) {
      // The fp32 safetensors holds the parameters plus the per-layer 1024² attention-mask buffers.
      const expected = 4 * e.parameters + e.n_layer * 4 * 1024 * 1024;
      expect(Math.abs(e.safetensorsBytesApprox - expected) / expected, e.id).toBeLessThan(0.01);
    }
  });

  it('rejects a catalog with a problem, naming the entry and the field', () => {
    const bad = raw();
    bad.models[2].n_head = 7;
    expect(() => parseCatalog(bad)).toThrow('models/catalog.json: models[2] (gpt2-medium): n_embd 1024 is not divisible by n_head 7');
    const wrongCount = raw();
    wrongCount.models[1].parameters = 124_000_000;
    expect(() => parseCatalog(wrongCount)).toThrow('models[1] (gpt2): parameters 124000000 does not match the GPT-2 shape (124439808)');
    const noWeights = raw();
    noWeights.models[0].files = [{ name: 'config.json' }];
    expect(() => parseCatalog(noWeights)).toThrow('models[0] (distilgpt2): files must include model.safetensors (not optional)');
    const escape = raw();
    escape.models[0].files = [{ name: '../evil' }];
    expect(() => parseCatalog(escape)).toThrow(/files\[0\] must be/);
    const dup = raw();
    dup.models[1].id = 'distilgpt2';
    expect(() => parseCatalog(dup)).toThrow('duplicate id distilgpt2');
  });

  it('estimates memory as weights + KV cache at 1024 tokens + overhead', () => {
    const gpt2 = catalogEntry('gpt2')!;
    const m = memoryNeeded(gpt2, 'fp32');
    expect(m.weights).toBe(4 * 124_439_808);
    expect(m.kvCache).toBe(2 * 12 * 1024 * 768 * 4);
    expect(m.overhead).toBe(Math.round(256 * 1024 * 1024 + 0.25 * m.weights + 12 * 1024 * 1024 * 4));
    expect(m.total).toBe(m.weights + m.kvCache + m.overhead);
    // Each step down in precision needs less memory.
    for (const e of loadCatalog()) {
      const totals = PRECISIONS.map((p) => memoryNeeded(e, p).total);
      expect([...totals].sort((a, b) => b - a), e.id).toEqual(totals);
    }
    expect(memoryNeeded(gpt2, 'fp32', { batch: 3 }).kvCache).toBe(3 * m.kvCache);
  });

  it('labels fits / slow / won\'t fit against total memory (≤50%, ≤80%, beyond)', () => {
    const xl = catalogEntry('gpt2-xl')!;
    const need = memoryNeeded(xl, 'fp32').total; // about 8.2 GiB
    expect(need / GiB).toBeGreaterThan(8);
    expect(need / GiB).toBeLessThan(9);
    expect(fitLabel(xl, 'fp32', 2 * need)).toBe('fits');
    expect(fitLabel(xl, 'fp32', 2 * need - 1)).toBe('slow');
    expect(fitLabel(xl, 'fp32', need / 0.8)).toBe('slow');
    expect(fitLabel(xl, 'fp32', need / 0.8 - 1)).toBe('wont-fit');
    // gpt2 fits an 8 GiB laptop in any precision; XL needs int8 or int4 there, and is slow in fp32 even on 16 GiB.
    expect(PRECISIONS.map((p) => fitLabel(catalogEntry('gpt2')!, p, 8 * GiB))).toEqual(['fits', 'fits', 'fits', 'fits']);
    expect(PRECISIONS.map((p) => fitLabel(xl, p, 8 * GiB))).toEqual(['wont-fit', 'slow', 'fits', 'fits']);
    expect(PRECISIONS.map((p) => fitLabel(xl, p, 16 * GiB))).toEqual(['slow', 'fits', 'fits', 'fits']);
  });
});

describe('progress', () => {
  it('smooths speed over time and derives the time left from it', () => {
    let t = 0;
    const meter = new SpeedMeter(() => t, 3000);
    meter.sample(0);
    t = 1000;
    expect(meter.sample(1000)).toBe(1000); // the first measurement is taken as is
    t = 2000;
    const s = meter.sample(1000 + 4000); // a burst at 4000 B/s moves the average part of the way
    expect(s).toBeCloseTo(1000 + (1 - Math.exp(-1 / 3)) * 3000, 6);
    t = 2050;
    expect(meter.sample(9999)).toBe(s); // samples closer than 100 ms are merged into the next one
    expect(etaSeconds(5000, 15_000, 1000)).toBe(10);
    expect(etaSeconds(5000, 15_000, 0)).toBeNull();
    expect(etaSeconds(15_000, 15_000, 0)).toBe(0);
  });
});

describe('memoryNeeded: weight bytes', () => {
  it('match the size of what the converter writes, for every precision', async () => {
    const src = await tinyModelDir();
    const cfg = JSON.parse(fs.readFileSync(path.join(src, 'config.json'), 'utf8')) as { n_layer: number; n_embd: number; n_head: number; vocab_size: number; n_positions: number };
    const C = cfg.n_embd;
    // GPT-2's parameters: token + position embeddings, per block 12 C² + 13 C (weights, biases, two LayerNorms), final LayerNorm.
    const parameters = cfg.vocab_size * C + cfg.n_positions * C + cfg.n_layer * (12 * C * C + 13 * C) + 2 * C;
    const shape = { parameters, n_layer: cfg.n_layer, n_embd: C, n_head: cfg.n_head, vocab_size: cfg.vocab_size };
    for (const precision of PRECISIONS) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), `inkling-catalog-${precision}-`));
      try {
        await convertCheckpoint(src, out, { precision, qualityReport: false });
        const onDisk = fs.statSync(path.join(out, 'model.onnx_data')).size;
        const estimate = memoryNeeded(shape, precision).weights;
        expect(Math.abs(estimate - onDisk) / onDisk, `${precision}: estimate ${estimate}, file ${onDisk}`).toBeLessThan(0.02);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  }, 120_000);
});
