/** How the Models page words a precision's `inkling eval` result against fp32. */
import { describe, expect, it } from 'vitest';
import type { InstalledPrecision } from '../../electron/api';
import { evalChipText, evalTitle } from '../../renderer/src/models/InstalledModel';

const base: InstalledPrecision = { precision: 'int4', bytes: 1, format: 'inkling' };

describe('evalChipText / evalTitle', () => {
  it('say nothing without a measurement', () => {
    expect(evalChipText(base)).toBeNull();
    expect(evalTitle(base)).toBeNull();
  });

  it('give the change from fp32 in short, and the figures in the tooltip', () => {
    const p: InstalledPrecision = {
      ...base,
      vsFp32: {
        task: 'wikitext2',
        metric: 'WikiText-2 perplexity',
        perplexity: 28,
        fp32Perplexity: 25,
        change: 0.12,
        partial: false,
        muchWorse: true,
      },
    };
    expect(evalChipText(p)).toBe('WikiText-2 +12.0% vs fp32');
    expect(evalTitle(p)).toBe(
      'Measured with inkling eval on real text: ' +
        "WikiText-2 perplexity 28.00 against fp32's 25.00 (+12.0%; lower is better).",
    );
  });

  it('add LAMBADA accuracy and say when only part of the test set was measured', () => {
    const p: InstalledPrecision = {
      ...base,
      vsFp32: {
        task: 'lambada',
        metric: 'LAMBADA perplexity',
        perplexity: 39.5,
        fp32Perplexity: 40,
        change: -0.0125,
        accuracy: 0.331,
        fp32Accuracy: 0.326,
        partial: true,
        muchWorse: false,
      },
    };
    expect(evalChipText(p)).toBe('LAMBADA −1.3% vs fp32');
    expect(evalTitle(p)).toMatch(/last-word accuracy 33\.1% against 32\.6%, on part of the test set\.$/);
  });
});
