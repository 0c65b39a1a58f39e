/**
 * `npm run bench:typing`, the pure half: the figures' types, percentiles, the long-task summary, the
 * table (each Inkling figure beside its ratio to the bare CodeMirror peer's) and the rewrite of the
 * generated section of docs/BENCHMARKS.md. No I/O here, so all of it is unit-tested
 * (test/scripts/benchTyping.test.ts).
 */

/** Key presses of one scenario: input event → next painted frame, in ms. */
export interface KeyStats {
  n: number;
  p50: number;
  p90: number;
  max: number;
}

/** Chrome's "longtask" entries (main-thread tasks over 50 ms) seen while the keys were pressed. */
export interface LongTasks {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface ScenarioFigures {
  keys: KeyStats;
  longTasks: LongTasks;
}

export const INKLING_SCENARIOS = ['plain', 'summarize', 'heatmap', 'selection'] as const;
export type InklingScenario = (typeof INKLING_SCENARIOS)[number];
export const PEER_SCENARIOS = ['typing', 'selection'] as const;
export type PeerScenario = (typeof PEER_SCENARIOS)[number];

/** Which of the peer's figures an Inkling scenario is compared with. */
export const PEER_OF: Record<InklingScenario, PeerScenario> = {
  plain: 'typing',
  summarize: 'typing',
  heatmap: 'typing',
  selection: 'selection',
};

export const SCENARIO_LABELS: Record<InklingScenario, string> = {
  plain: 'Inkling, typing',
  summarize: 'Inkling, typing, side panel on Summarize',
  heatmap: 'Inkling, typing, heat map on',
  selection: 'Inkling, Shift+← on a whole-document selection',
};

export const PEER_LABELS: Record<PeerScenario, string> = {
  typing: 'bare CodeMirror (peer), typing',
  selection: 'bare CodeMirror (peer), Shift+← on a whole-document selection',
};

export interface SizeFigures {
  /** Words asked for, and what the document has (cut at a paragraph end). */
  words: number;
  actualWords: number;
  chars: number;
  peer: Record<PeerScenario, ScenarioFigures>;
  inkling: Partial<Record<InklingScenario, ScenarioFigures>>;
  /** How long the heat map's first scoring of the whole document took, in seconds. */
  heatmapFirstScoringS?: number;
}

export interface TypingMachine {
  cpu: string;
  logicalCpus: number;
  os: string;
  node: string;
  chromium: string;
  codemirrorView: string;
  /** 1-minute load averages at the start and end of the run. */
  loadAtStart: number;
  loadAtEnd: number;
}

export interface TypingBenchResult {
  command: string;
  date: string;
  durationS: number;
  /** Measured presses per scenario (after `warmup` uncounted ones), one started every `cadenceMs` at most. */
  keys: number;
  warmup: number;
  cadenceMs: number;
  machine: TypingMachine;
  sizes: SizeFigures[];
}

/** Nearest-rank percentile (the smallest sample with at least q of the samples at or below it). */
export function percentile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  if (!(q >= 0 && q <= 1)) throw new Error(`percentile: q must be in [0, 1], got ${q}`);
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)];
}

export function keyStats(xs: readonly number[]): KeyStats {
  return { n: xs.length, p50: percentile(xs, 0.5), p90: percentile(xs, 0.9), max: xs.length ? Math.max(...xs) : NaN };
}

/** The long tasks that started inside [from, to] (page-clock ms). */
export function longTasksBetween(
  entries: readonly { start: number; duration: number }[],
  from: number,
  to: number,
): LongTasks {
  const inside = entries.filter((e) => e.start >= from && e.start <= to);
  return {
    count: inside.length,
    totalMs: inside.reduce((a, e) => a + e.duration, 0),
    maxMs: inside.reduce((a, e) => Math.max(a, e.duration), 0),
  };
}

function ms(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/** "1.23×", or "–" when the peer's figure is zero or missing. */
export function ratio(x: number, peer: number): string {
  if (!Number.isFinite(x) || !Number.isFinite(peer) || peer <= 0) return '–';
  const r = x / peer;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

function withRatio(x: number, peer: number): string {
  const r = ratio(x, peer);
  return r === '–' ? ms(x) : `${ms(x)} (${r})`;
}

function longTaskCell(t: LongTasks): string {
  return t.count ? `${t.count} · ${ms(t.totalMs)} ms (max ${ms(t.maxMs)})` : '0';
}

/** The table: per document size, the peer's rows, then Inkling's with each figure's ratio to the peer's. */
export function typingTable(r: TypingBenchResult): string {
  const lines = [
    '| document | scenario | p50 ms | p90 ms | max ms | long tasks while typing (n · total) |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const s of r.sizes) {
    const doc = `${s.actualWords.toLocaleString('en')} words`;
    for (const p of PEER_SCENARIOS) {
      const f = s.peer[p];
      lines.push(
        `| ${doc} | ${PEER_LABELS[p]} | ${ms(f.keys.p50)} | ${ms(f.keys.p90)} | ${ms(f.keys.max)} | ${longTaskCell(f.longTasks)} |`,
      );
    }
    for (const sc of INKLING_SCENARIOS) {
      const f = s.inkling[sc];
      if (!f) continue;
      const peer = s.peer[PEER_OF[sc]].keys;
      lines.push(
        `| ${doc} | ${SCENARIO_LABELS[sc]} | ${withRatio(f.keys.p50, peer.p50)} | ${withRatio(f.keys.p90, peer.p90)} | ` +
          `${withRatio(f.keys.max, peer.max)} | ${longTaskCell(f.longTasks)} |`,
      );
    }
  }
  return lines.join('\n');
}

export function machineLines(r: TypingBenchResult): string {
  const m = r.machine;
  const heat = r.sizes
    .filter((s) => s.heatmapFirstScoringS !== undefined)
    .map((s) => `${s.actualWords.toLocaleString('en')} words ${s.heatmapFirstScoringS!.toFixed(1)} s`);
  return [
    `- CPU: ${m.cpu}, ${m.logicalCpus} logical CPUs; ${m.os}; Node ${m.node}`,
    `- Chromium ${m.chromium} (headless); @codemirror/view ${m.codemirrorView} in both pages`,
    `- Load average (1 min) at start / end: ${m.loadAtStart.toFixed(2)} / ${m.loadAtEnd.toFixed(2)} on ${m.logicalCpus} CPUs`,
    `- ${r.keys} measured presses per scenario after ${r.warmup} uncounted, at most one every ${r.cadenceMs} ms; ` +
      `${r.date}, ${Math.round(r.durationS)} s`,
    ...(heat.length
      ? [`- The heat map's first scoring of the whole document (not timed as typing): ${heat.join(', ')}`]
      : []),
  ].join('\n');
}

export const TYPING_BEGIN =
  '<!-- bench:typing:begin (generated by `npm run bench:typing`; edit outside these markers) -->';
export const TYPING_END = '<!-- bench:typing:end -->';

export function typingSection(r: TypingBenchResult): string {
  return [TYPING_BEGIN, '', `Command: \`${r.command}\``, '', machineLines(r), '', typingTable(r), '', TYPING_END].join(
    '\n',
  );
}

/**
 * `doc` with its typing section replaced by `section` (the begin marker is found by its prefix, so
 * the words in it may change), or with `section` appended when the markers are missing. Text
 * outside the markers, other benchmarks' sections included, is kept byte for byte.
 */
export function replaceTypingSection(doc: string, section: string): string {
  const a = doc.indexOf(TYPING_BEGIN.slice(0, TYPING_BEGIN.indexOf(' (')));
  const b = a >= 0 ? doc.indexOf(TYPING_END, a) : -1;
  if (a >= 0 && b > a) return doc.slice(0, a) + section + doc.slice(b + TYPING_END.length);
  return `${doc.trimEnd()}\n\n${section}\n`;
}
