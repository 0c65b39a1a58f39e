// The conversion progress bar's time-left estimate (cli/progress.ts).
import { describe, expect, it } from 'vitest';
import { timeLeft } from '../../electron/cli/progress';

describe('time left', () => {
  it('extrapolates the time so far over the fraction done', () => {
    expect(timeLeft(10_000, 0.25)).toBe('30 s left');
    expect(timeLeft(60_000, 0.4)).toBe('1 min 30 s left');
    expect(timeLeft(5_000, 0.5)).toBe('5 s left');
  });

  it('says nothing until there is something to extrapolate, or when done', () => {
    expect(timeLeft(1000, 0)).toBe('');
    expect(timeLeft(1000, 0.01)).toBe('');
    expect(timeLeft(1000, 1)).toBe('');
  });
});
