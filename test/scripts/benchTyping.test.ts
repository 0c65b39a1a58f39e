/**
 * `npm run bench:typing` (scripts/bench-typing): the parts that are pure logic — percentiles, the
 * long-task summary, the documents and keys, the table with its ratios to the peer, and the rewrite
 * of the generated section of docs/BENCHMARKS.md. The bench itself (a web host and Chromium) is not
 * run here: it is slow and its figures are not assertions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  keyStats,
  longTasksBetween,
  percentile,
  ratio,
  replaceTypingSection,
  typingSection,
  typingTable,
  TYPING_BEGIN,
  TYPING_END,
  type ScenarioFigures,
  type TypingBenchResult,
} from '../../scripts/bench-typing/report';
import { countWords, middleOf, proseOfWords, typingKeys } from '../../scripts/bench-typing/text';

const ROOT = path.resolve(__dirname, '..', '..');

function figures(
  p50: number,
  p90: number,
  max: number,
  longTasks = { count: 0, totalMs: 0, maxMs: 0 },
): ScenarioFigures {
  return { keys: { n: 40, p50, p90, max }, longTasks };
}

function result(): TypingBenchResult {
  return {
    command: 'npm run bench:typing',
    date: '2026-12-03T10:00:00.000Z',
    durationS: 300,
    keys: 40,
    warmup: 5,
    cadenceMs: 150,
    machine: {
      cpu: 'Test CPU',
      logicalCpus: 2,
      os: 'Linux',
      node: 'v20.0.0',
      chromium: '156.0',
      codemirrorView: '6.43.15',
      loadAtStart: 1,
      loadAtEnd: 2,
    },
    sizes: [
      {
        words: 6000,
        actualWords: 6018,
        chars: 33_774,
        peer: { typing: figures(16, 20, 25), selection: figures(10, 12, 0) },
        inkling: {
          plain: figures(16, 30, 50),
          summarize: figures(24, 40, 60, { count: 2, totalMs: 130, maxMs: 75 }),
          selection: figures(20, 24, 30),
        },
        heatmapFirstScoringS: 7.6,
      },
    ],
  };
}

describe('percentiles', () => {
  it('takes the nearest rank: the smallest sample with at least q of the samples at or below it', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]; // unsorted on purpose
    expect(percentile(xs, 0.5)).toBe(5);
    expect(percentile(xs, 0.9)).toBe(9);
    expect(percentile(xs, 1)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 0.9)).toBe(7);
    expect(xs).toEqual([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]); // not sorted in place
  });

  it('of 40 presses: p50 is the 20th, p90 the 36th', () => {
    const xs = Array.from({ length: 40 }, (_, i) => 40 - i);
    expect(keyStats(xs)).toEqual({ n: 40, p50: 20, p90: 36, max: 40 });
  });

  it('is NaN with no samples and refuses a q outside [0, 1]', () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(keyStats([]).max).toBeNaN();
    expect(() => percentile([1], 1.5)).toThrow(/q must be in \[0, 1\]/);
  });
});

describe('long tasks', () => {
  it('counts the tasks that started inside the window, their total and the longest', () => {
    const entries = [
      { start: 5, duration: 400 }, // before the presses (opening the document)
      { start: 100, duration: 60 },
      { start: 180, duration: 120 },
      { start: 250, duration: 51 },
      { start: 900, duration: 70 }, // after
    ];
    expect(longTasksBetween(entries, 100, 250)).toEqual({ count: 3, totalMs: 231, maxMs: 120 });
    expect(longTasksBetween(entries, 300, 800)).toEqual({ count: 0, totalMs: 0, maxMs: 0 });
  });
});

describe('documents and keys', () => {
  const novel = ['One two three.', 'Four five six seven.', 'Eight nine.'].join('\n\n') + '\n';

  it('cuts at the first paragraph end after the words asked for', () => {
    expect(proseOfWords(novel, 2)).toBe('One two three.');
    expect(proseOfWords(novel, 4)).toBe('One two three.\n\nFour five six seven.');
    expect(proseOfWords(novel, 9)).toBe(novel.trim());
  });

  it('repeats the novel, a blank line between copies, for more words than it has', () => {
    const text = proseOfWords(novel, 12);
    expect(text).toBe(`${novel.trim()}\n\nOne two three.`);
    expect(countWords(text)).toBe(12);
    expect(countWords(proseOfWords(novel, 30))).toBeGreaterThanOrEqual(30);
  });

  it('puts the middle at a paragraph end at or after half the text', () => {
    const text = 'aaaa\n\nbbbb\n\ncccc';
    expect(middleOf(text)).toBe(10);
    expect(text.slice(0, middleOf(text))).toBe('aaaa\n\nbbbb');
    expect(middleOf('no paragraphs')).toBe('no paragraphs'.length);
  });

  it('makes about 6,000 / 60,000 / 300,000 words of the shipped chapters', () => {
    const moby = fs.readFileSync(path.join(ROOT, 'test', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');
    for (const words of [6000, 60_000, 300_000]) {
      const n = countWords(proseOfWords(moby, words));
      expect(n).toBeGreaterThanOrEqual(words);
      expect(n).toBeLessThan(words * 1.05);
    }
  });

  it('types words: letters, and Space for a space', () => {
    expect(typingKeys(6)).toEqual(['Space', 'a', 'n', 'd', 'Space', 't']);
    expect(typingKeys(40)).toHaveLength(40);
  });
});

describe('the report', () => {
  it('shows the peer, then each Inkling figure with its ratio to the peer figure it is compared with', () => {
    const table = typingTable(result()).split('\n');
    expect(table[0]).toBe('| document | scenario | p50 ms | p90 ms | max ms | long tasks while typing (n · total) |');
    expect(table.slice(2)).toEqual([
      '| 6,018 words | bare CodeMirror (peer), typing | 16.0 | 20.0 | 25.0 | 0 |',
      '| 6,018 words | bare CodeMirror (peer), Shift+← on a whole-document selection | 10.0 | 12.0 | 0.0 | 0 |',
      '| 6,018 words | Inkling, typing | 16.0 (1.00×) | 30.0 (1.50×) | 50.0 (2.00×) | 0 |',
      '| 6,018 words | Inkling, typing, side panel on Summarize | 24.0 (1.50×) | 40.0 (2.00×) | 60.0 (2.40×) | 2 · 130 ms (max 75.0) |',
      // the heat map was not measured: no row; a peer figure of 0 gives no ratio
      '| 6,018 words | Inkling, Shift+← on a whole-document selection | 20.0 (2.00×) | 24.0 (2.00×) | 30.0 | 0 |',
    ]);
  });

  it('writes ratios with two decimals, one from 10× up, and none against a zero', () => {
    expect(ratio(16.4, 16)).toBe('1.02×');
    expect(ratio(250, 16)).toBe('15.6×');
    expect(ratio(5, 0)).toBe('–');
    expect(ratio(NaN, 3)).toBe('–');
  });

  it('puts the command, the machine and the table between the markers', () => {
    const section = typingSection(result());
    expect(section.startsWith(TYPING_BEGIN)).toBe(true);
    expect(section.endsWith(TYPING_END)).toBe(true);
    expect(section).toContain('Command: `npm run bench:typing`');
    expect(section).toContain('Load average (1 min) at start / end: 1.00 / 2.00 on 2 CPUs');
    expect(section).toContain(
      "The heat map's first scoring of the whole document (not timed as typing): 6,018 words 7.6 s",
    );
    expect(section).toContain('| 6,018 words | Inkling, typing |');
  });
});

describe('rewriting docs/BENCHMARKS.md', () => {
  const other = [
    '<!-- bench:begin (generated by `npm run bench`; edit outside these markers) -->',
    'engine figures',
    '<!-- bench:end -->',
    '',
    '<!-- bench:writer:begin (generated by `npm run bench -- --writer`; edit outside these markers) -->',
    'writer figures',
    '<!-- bench:writer:end -->',
  ].join('\n');

  it('replaces only the typing section and keeps everything around it byte for byte', () => {
    const doc = `# Benchmarks\n\n${other}\n\n## Typing\n\nHand-written.\n\n${TYPING_BEGIN}\nold figures\n${TYPING_END}\n\nAfter.\n`;
    const out = replaceTypingSection(doc, `${TYPING_BEGIN}\nnew figures\n${TYPING_END}`);
    expect(out).toBe(
      `# Benchmarks\n\n${other}\n\n## Typing\n\nHand-written.\n\n${TYPING_BEGIN}\nnew figures\n${TYPING_END}\n\nAfter.\n`,
    );
  });

  it('finds a begin marker whose words changed, by its prefix', () => {
    const doc = `Intro.\n\n<!-- bench:typing:begin (older words) -->\nold\n${TYPING_END}\nEnd.\n`;
    expect(replaceTypingSection(doc, 'NEW')).toBe('Intro.\n\nNEW\nEnd.\n');
  });

  it('appends the section when the page has no markers yet (or only a stray end marker)', () => {
    expect(replaceTypingSection(`# Benchmarks\n\n${other}\n`, 'NEW')).toBe(`# Benchmarks\n\n${other}\n\nNEW\n`);
    expect(replaceTypingSection(`${TYPING_END}\nx\n`, 'NEW')).toBe(`${TYPING_END}\nx\n\nNEW\n`);
  });

  it('the project page has exactly one typing section, after the other benchmarks', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'BENCHMARKS.md'), 'utf8');
    expect(doc.split('<!-- bench:typing:begin').length).toBe(2);
    expect(doc.split(TYPING_END).length).toBe(2);
    expect(doc.indexOf('<!-- bench:typing:begin')).toBeGreaterThan(doc.indexOf('<!-- bench:writer:end -->'));
    const again = replaceTypingSection(doc, typingSection(result()));
    expect(again.indexOf('<!-- bench:begin')).toBe(doc.indexOf('<!-- bench:begin'));
    expect(again).toContain('<!-- bench:writer:end -->');
  });
});
