// The heat map's order (renderer/src/probabilities/coverage.ts): where the writer looks first, then
// on to the end, then from the start; nothing scored twice in a pass.
import { describe, expect, it } from 'vitest';
import { Coverage } from '../../renderer/src/probabilities/coverage';

/** A document of 10 parts of 100 characters, as the host tiles it. */
const PARTS = Array.from({ length: 10 }, (_, i) => [i * 100, i * 100 + 100] as const);
/** The host's answer to `from`: the part holding it (one computed part a call). */
const partAt = (from: number) => PARTS.find(([a, b]) => a <= from && from < b)!;

function pass(visible: () => number, length = 1000): number[] {
  const c = new Coverage();
  const order: number[] = [];
  for (let from = c.next(visible(), length); from !== null; from = c.next(visible(), length)) {
    const [a, b] = partAt(from);
    expect(order).not.toContain(a); // never the same part twice
    order.push(a);
    c.add(a, b);
  }
  expect(c.parts).toBe(10);
  return order;
}

describe('heat map coverage', () => {
  it('starts with the part on screen (mid-part), goes to the end, then from the start up to it', () => {
    expect(pass(() => 450)).toEqual([400, 500, 600, 700, 800, 900, 0, 100, 200, 300]);
    expect(pass(() => 0)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('follows the writer: scrolling mid-pass scores the new place next', () => {
    let visible = 450;
    const c = new Coverage();
    const order: number[] = [];
    for (let from = c.next(visible, 1000); from !== null; from = c.next(visible, 1000)) {
      const [a, b] = partAt(from);
      order.push(a);
      c.add(a, b);
      if (order.length === 2) visible = 120; // scrolled up to the second part
    }
    expect(order).toEqual([400, 500, 100, 200, 300, 600, 700, 800, 900, 0]);
  });

  it('merges ranges and answers what is covered', () => {
    const c = new Coverage();
    c.add(200, 300);
    c.add(0, 100);
    c.add(100, 200);
    expect(c.covers(0)).toBe(true);
    expect(c.covers(299)).toBe(true);
    expect(c.covers(300)).toBe(false);
    expect(c.uncoveredFrom(50, 1000)).toBe(300);
    expect(c.uncoveredFrom(0, 300)).toBeNull();
    expect(c.next(950, 300)).toBeNull(); // a visible point past the end: all of a 300-character text is done
    c.add(100, 200); // again: not a new part
    expect(c.parts).toBe(3);
    c.clear();
    expect(c.parts).toBe(0);
    expect(c.next(120, 300)).toBe(120);
  });
});
