/** The precision the Models page preselects for a download. */
import { describe, expect, it } from 'vitest';
import type { CatalogModel, PrecisionMemory } from '../../electron/api';
import { suggestedPrecision } from '../../renderer/src/models/CatalogCard';

function model(fit: Record<PrecisionMemory['precision'], PrecisionMemory['fit']>): CatalogModel {
  const memory = (['fp32', 'fp16', 'int8', 'int4'] as const).map(
    (precision) => ({ precision, bytes: 1, fit: fit[precision] }) as PrecisionMemory,
  );
  return {
    id: 'gpt2',
    name: 'GPT-2',
    repo: 'openai-community/gpt2',
    description: '',
    license: 'MIT',
    parameters: 1,
    downloadBytes: 1,
    nLayer: 1,
    contextLength: 1024,
    memory,
    installed: [],
  };
}

describe('suggestedPrecision', () => {
  it('picks int8, the fast path, when it fits', () => {
    expect(suggestedPrecision(model({ fp32: 'fits', fp16: 'fits', int8: 'fits', int4: 'fits' }))).toBe('int8');
  });
  it('falls back to the first precision that fits, then to one that is slow, then to the smallest', () => {
    expect(suggestedPrecision(model({ fp32: 'wont-fit', fp16: 'wont-fit', int8: 'slow', int4: 'fits' }))).toBe('int4');
    expect(suggestedPrecision(model({ fp32: 'wont-fit', fp16: 'slow', int8: 'slow', int4: 'wont-fit' }))).toBe('fp16');
    expect(suggestedPrecision(model({ fp32: 'wont-fit', fp16: 'wont-fit', int8: 'wont-fit', int4: 'wont-fit' }))).toBe(
      'int4',
    );
  });
});
