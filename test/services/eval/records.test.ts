/**
 * What the Models page makes of `inkling eval` records: each precision's distance from fp32, only
 * from records that still describe the installed files, and advice when a precision is much worse.
 */
import { describe, expect, it } from 'vitest';
import { compareWithFp32, currentRecords, precisionAdvice } from '../../../electron/services/eval';
import type { EvalRecord, ModelManifest, PrecisionEntry } from '../../../electron/services/models';

const entry = (createdAt: string): PrecisionEntry => ({
  format: 'inkling',
  dir: 'x',
  graph: 'x/model.onnx',
  files: [],
  bytes: 1,
  createdAt,
});
const DATA = {
  repo: 'Salesforce/wikitext',
  file: 'wikitext-2-raw-v1/test-00000-of-00001.parquet',
  commit: 'c',
  sha256: 'a'.repeat(64),
};

function rec(precision: EvalRecord['precision'], perplexity: number, extra: Partial<EvalRecord> = {}): EvalRecord {
  return {
    task: 'wikitext2',
    precision,
    weights: 'installed',
    weightsCreatedAt: `t-${precision}`,
    dataset: DATA,
    context: 1024,
    stride: 512,
    limit: null,
    count: 287643,
    perplexity,
    measuredAt: '2026-12-02T00:00:00Z',
    ...extra,
  };
}

function manifest(
  installed: EvalRecord['precision'][],
  evals: EvalRecord[],
): Pick<ModelManifest, 'evals' | 'precisions' | 'createdAt'> {
  return {
    createdAt: 'model-created',
    precisions: Object.fromEntries(installed.map((p) => [p, entry(`t-${p}`)])),
    evals,
  };
}

describe('compareWithFp32', () => {
  it("gives each quantized precision its change from fp32's perplexity on the same setting", () => {
    const m = manifest(['fp32', 'int8', 'int4'], [rec('fp32', 25), rec('int8', 25.1), rec('int4', 28)]);
    const vs = compareWithFp32(m);
    expect(vs.int8).toMatchObject({
      metric: 'WikiText-2 perplexity',
      perplexity: 25.1,
      fp32Perplexity: 25,
      muchWorse: false,
      partial: false,
    });
    expect(vs.int8!.change).toBeCloseTo(0.004, 10);
    expect(vs.int4).toMatchObject({ muchWorse: true });
    expect(vs.int4!.change).toBeCloseTo(0.12, 10);
    expect(vs.fp32).toBeUndefined();
  });

  it('never compares across strides, limits or data files', () => {
    const m = manifest(
      ['fp32', 'int8'],
      [
        rec('fp32', 25, { stride: 1024 }),
        rec('int8', 30, { stride: 512 }),
        rec('fp32', 20, { limit: 1000 }),
        rec('fp32', 19, { dataset: { ...DATA, sha256: 'b'.repeat(64) } }),
      ],
    );
    expect(compareWithFp32(m).int8).toBeUndefined();
  });

  it('ignores a record of a precision converted again since (its files changed)', () => {
    const m = manifest(
      ['fp32', 'int8'],
      [rec('fp32', 25), rec('int8', 40, { weightsCreatedAt: 'an older conversion' })],
    );
    expect(currentRecords(m).map((r) => r.precision)).toEqual(['fp32']);
    expect(compareWithFp32(m).int8).toBeUndefined();
  });

  it("uses fp32 measured from the downloaded checkpoint while the model's download is unchanged", () => {
    const m = manifest(
      ['int8'],
      [rec('fp32', 25, { weights: 'source', weightsCreatedAt: 'model-created' }), rec('int8', 25.2)],
    );
    expect(compareWithFp32(m).int8).toMatchObject({ fp32Perplexity: 25 });
    const stale = manifest(
      ['int8'],
      [rec('fp32', 25, { weights: 'source', weightsCreatedAt: 'another download' }), rec('int8', 25.2)],
    );
    expect(compareWithFp32(stale).int8).toBeUndefined();
  });

  it('prefers the whole WikiText-2 split, and counts a LAMBADA accuracy drop of 2 points as much worse', () => {
    const lam = (p: EvalRecord['precision'], ppl: number, accuracy: number) =>
      rec(p, ppl, { task: 'lambada', stride: undefined, accuracy, count: 5153 });
    const m = manifest(
      ['fp32', 'int4'],
      [
        lam('fp32', 40, 0.33),
        lam('int4', 40.4, 0.305),
        rec('fp32', 25, { limit: 5000 }),
        rec('int4', 25.5, { limit: 5000 }),
      ],
    );
    expect(compareWithFp32(m).int4).toMatchObject({ task: 'wikitext2', partial: true, muchWorse: false });
    const onlyLambada = manifest(['fp32', 'int4'], [lam('fp32', 40, 0.33), lam('int4', 40.4, 0.305)]);
    expect(compareWithFp32(onlyLambada).int4).toMatchObject({
      task: 'lambada',
      accuracy: 0.305,
      fp32Accuracy: 0.33,
      muchWorse: true,
    });
  });
});

describe('precisionAdvice', () => {
  it('says nothing while every installed precision stays close to fp32', () => {
    expect(precisionAdvice(manifest(['fp32', 'int8'], [rec('fp32', 25), rec('int8', 25.3)]))).toBeNull();
    expect(precisionAdvice(manifest(['int4'], []))).toBeNull();
  });

  it('names the much worse precision with its figures and suggests the smallest one that is not', () => {
    const text = precisionAdvice(
      manifest(['fp32', 'int8', 'int4'], [rec('fp32', 25), rec('int8', 25.1), rec('int4', 28)]),
    );
    expect(text).toBe(
      'int4 writes noticeably worse than fp32 with this model on real text: ' +
        "WikiText-2 perplexity 28.00 against fp32's 25.00 (+12.0%). Use int8 instead: it stays within +0.4% of fp32.",
    );
  });

  it('suggests downloading fp32 when it was measured from the checkpoint but is not installed', () => {
    const text = precisionAdvice(
      manifest(['int4'], [rec('fp32', 25, { weights: 'source', weightsCreatedAt: 'model-created' }), rec('int4', 30)]),
    );
    expect(text).toMatch(
      /^int4 writes noticeably worse .*\(\+20\.0%\)\. Download fp32 \(or fp16, half the size and almost identical\) if/,
    );
  });
});
