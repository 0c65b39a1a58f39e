// `npm run bench -- --shapes …`: the option's parsing and the larger shapes' real dimensions.
import { describe, expect, it } from 'vitest';
import { BENCH_SHAPES, shapeNames as parseShapes } from '../../../electron/engine/bench/models';

describe('--shapes', () => {
  it('takes a comma-separated list of known shapes', () => {
    expect(parseShapes('xl')).toEqual(['xl']);
    expect(parseShapes('medium, XL,medium')).toEqual(['medium', 'xl']);
  });

  it('refuses unknown or empty lists with the valid names', () => {
    expect(() => parseShapes('large')).toThrow(/comma-separated list of medium, xl; got "large"/);
    expect(() => parseShapes(',')).toThrow(/medium, xl/);
  });

  it('uses the real GPT-2 medium and XL shapes', () => {
    expect(BENCH_SHAPES.medium).toMatchObject({ layers: 24, embd: 1024, heads: 16, positions: 1024 });
    expect(BENCH_SHAPES.xl).toMatchObject({ layers: 48, embd: 1600, heads: 25, positions: 1024 });
  });
});
