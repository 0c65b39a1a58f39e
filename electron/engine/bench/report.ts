/** Turns measured figures into the targets check, the printed table and docs/BENCHMARKS.md. */
import type { Gpt2Config, Precision } from '../weights/types';
import type { ThreadChoice } from '../runtime/threads';
import type { BandwidthResult } from './bandwidth';
import type { MemoryFigures, SpeedFigures } from './figures';
import type { MachineInfo } from './machine';

export interface ConfigResult {
  speed: SpeedFigures;
  memory: MemoryFigures;
  /** Size of the model's weights on disk (the data file). */
  weightBytes: number;
  /** Bytes of weights one decode step reads. */
  decodeWeightBytes: number;
  /** Bytes of one batch-1 K/V cache as allocated (full context). */
  kvBytes: number;
  quality?: { top1Agreement: number; meanKl: number; tokens: number };
}

/** The writer's default thread setting side by side with explicit ones (fp32 124M, same process and turns). */
export interface ThreadsResult {
  automatic: ThreadChoice;
  rows: Array<{ label: string; speed: SpeedFigures }>;
}

/** A larger GPT-2 shape (random weights): per precision, the usual figures plus the conversion time. */
export interface ShapeResult {
  config: Gpt2Config;
  precisions: Partial<Record<Precision, ConfigResult & { convertMs: number; qualityMs?: number; builtAt: string }>>;
}

export interface TargetResult {
  name: string;
  target: string;
  measured: string;
  /** null: the target cannot be judged on this machine (e.g. the model fits in the cache). */
  met: boolean | null;
}

export interface BenchResult {
  command: string;
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  bandwidth: BandwidthResult;
  settings: { newTokens: number; reps: number; contexts: number[]; quick: boolean };
  /** CPU busy fraction (other processes) just before the speed run and each memory run. */
  busy: Record<string, number | null>;
  inkling: Partial<Record<Precision, ConfigResult>>;
  peer: ConfigResult;
  threads?: ThreadsResult;
  shapes?: Record<string, ShapeResult>;
  targets: TargetResult[];
}

const MB = 1e6;
const f1 = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1);
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(0)}%`);

/** Whether a model's per-token reads fit in the last-level cache (then it is not bandwidth-bound). */
export function fitsInCache(c: Pick<ConfigResult, 'decodeWeightBytes'>, bw: BandwidthResult): boolean {
  return bw.llc !== null && c.decodeWeightBytes <= bw.llc.bytes;
}

/**
 * Fraction of the bandwidth ceiling a decode rate reaches: bytes read per token × tokens/s ÷
 * bandwidth. Undefined for a model that fits in the last-level cache (or when the cache size is
 * unknown): its weights can stay in the cache between tokens, so memory bandwidth does not bound it.
 */
export function ceilingFraction(
  c: Pick<ConfigResult, 'decodeWeightBytes'>,
  tokPerS: number | undefined,
  bw: BandwidthResult,
): number | undefined {
  if (tokPerS === undefined || bw.llc === null || fitsInCache(c, bw)) return undefined;
  return (c.decodeWeightBytes * tokPerS) / bw.bytesPerSecond;
}

const fitsNote = (c: Pick<ConfigResult, 'decodeWeightBytes'>, bw: BandwidthResult) =>
  bw.llc === null
    ? '– (cache size unknown)'
    : `– (${f1(c.decodeWeightBytes / MB)} MB fits in the ${f1(bw.llc.bytes / MB)} MB L${bw.llc.level})`;

function altRatio(f: SpeedFigures, context: number): number | undefined {
  const a = f.alternatives?.find((x) => x.context === context);
  return a ? a.three / a.one : undefined;
}

/** Model-attributable peak: peak resident set minus the process's resident set before loading. */
export function modelPeak(c: ConfigResult): number {
  return c.memory.peakRssBytes - c.memory.baseRssBytes;
}

export function evaluateTargets(r: Omit<BenchResult, 'targets'>): TargetResult[] {
  const [short, long] = [Math.min(...r.settings.contexts), Math.max(...r.settings.contexts)];
  const p = r.peer.speed;
  const out: TargetResult[] = [];
  const fp32 = r.inkling.fp32;
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : NaN);
  if (fp32) {
    const x = ratio(fp32.speed.decode[long], p.decode[long]);
    out.push({ name: `decode at ${long} tokens, fp32`, target: '≥ 3× the peer', measured: `${f2(x)}×`, met: x >= 3 });
    const c = ceilingFraction(fp32, fp32.speed.decode[short], r.bandwidth);
    out.push({
      name: `decode at ${short} tokens, fp32`,
      target: '≥ 80% of the bandwidth ceiling (models larger than the last-level cache)',
      measured: c === undefined ? fitsNote(fp32, r.bandwidth) : pct(c),
      met: c === undefined ? null : c >= 0.8,
    });
  }
  for (const [prec, want] of [
    ['int8', 3.5],
    ['int4', 5],
  ] as const) {
    const q = r.inkling[prec];
    if (!q) continue;
    const x = ratio(q.speed.decode[short], p.decode[short]);
    out.push({
      name: `${prec} decode at ${short} tokens`,
      target: `≥ ${want}× the peer's fp32`,
      measured: `${f2(x)}×`,
      met: x >= want,
    });
  }
  if (fp32?.speed.keystrokeMs !== undefined && p.keystrokeMs !== undefined) {
    const x = p.keystrokeMs / fp32.speed.keystrokeMs;
    out.push({
      name: `keystroke latency at ${long} tokens, fp32`,
      target: '≥ 25× faster than the peer re-reading, and < 60 ms',
      measured: `${f1(x)}× (${f1(fp32.speed.keystrokeMs)} ms vs ${f1(p.keystrokeMs)} ms)`,
      met: x >= 25 && fp32.speed.keystrokeMs < 60,
    });
  }
  if (fp32) {
    const x = ratio(fp32.speed.prefill[long], p.prefill[long]);
    out.push({
      name: `prefill of ${long} tokens, fp32`,
      target: '≥ 1.5× the peer',
      measured: `${f2(x)}×`,
      met: x >= 1.5,
    });
    for (const ctx of [short, long]) {
      const a = altRatio(fp32.speed, ctx);
      if (a !== undefined)
        out.push({
          name: `3 alternatives vs 1, fp32, ${ctx}-token cached prompt`,
          target: '≤ 1.5×',
          measured: `${f2(a)}×`,
          met: a <= 1.5,
        });
    }
  }
  for (const [prec, c] of Object.entries(r.inkling) as [Precision, ConfigResult][]) {
    const peak = modelPeak(c);
    const budget = 1.3 * (c.weightBytes + c.kvBytes);
    out.push({
      name: `peak memory, ${prec}`,
      target: '≤ 1.3 × (weights + KV cache)',
      measured: `${f1(peak / MB)} MB of ${f1(budget / MB)} MB (${f2(peak / (c.weightBytes + c.kvBytes))}×)`,
      met: peak <= budget,
    });
  }
  return out;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The figures table (markdown; also printed as is). */
export function figuresTable(r: BenchResult): string {
  const [short, long] = [Math.min(...r.settings.contexts), Math.max(...r.settings.contexts)];
  const precs = Object.keys(r.inkling) as Precision[];
  const cols: Array<{ name: string; c: ConfigResult }> = [
    ...precs.map((p) => ({ name: `Inkling ${p}`, c: r.inkling[p]! })),
    { name: 'transformers.js fp32 (peer)', c: r.peer },
  ];
  const lines = [row(['', ...cols.map((x) => x.name)]), row(['---', ...cols.map(() => '---:')])];
  const add = (label: string, f: (c: ConfigResult) => string) => lines.push(row([label, ...cols.map((x) => f(x.c))]));
  const vsPeer = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? ` (${f2(a / b)}×)` : '');
  const p = r.peer.speed;
  add(
    `decode tok/s, ${short}-token context`,
    (c) => f1(c.speed.decode[short]) + (c === r.peer ? '' : vsPeer(c.speed.decode[short], p.decode[short])),
  );
  const ofCeiling = (c: ConfigResult, ctx: number) =>
    fitsInCache(c, r.bandwidth) || !r.bandwidth.llc
      ? fitsNote(c, r.bandwidth)
      : pct(ceilingFraction(c, c.speed.decode[ctx], r.bandwidth));
  add(`… of the bandwidth ceiling`, (c) => ofCeiling(c, short));
  add(
    `decode tok/s, ${long}-token context`,
    (c) => f1(c.speed.decode[long]) + (c === r.peer ? '' : vsPeer(c.speed.decode[long], p.decode[long])),
  );
  add(`… of the bandwidth ceiling`, (c) => ofCeiling(c, long));
  add(
    `prefill tok/s, ${long} tokens`,
    (c) => f1(c.speed.prefill[long]) + (c === r.peer ? '' : vsPeer(c.speed.prefill[long], p.prefill[long])),
  );
  add(
    `keystroke → first token, ms (${long}-token doc + 1 word)`,
    (c) =>
      f1(c.speed.keystrokeMs) +
      (c === r.peer || c.speed.keystrokeMs === undefined || p.keystrokeMs === undefined
        ? ''
        : ` (${f1(p.keystrokeMs / c.speed.keystrokeMs)}× faster)`),
  );
  add(`3 alternatives ÷ 1, ${short}-token prompt`, (c) =>
    altRatio(c.speed, short) === undefined ? '–' : `${f2(altRatio(c.speed, short))}×`,
  );
  add(`3 alternatives ÷ 1, ${long}-token cached doc`, (c) =>
    altRatio(c.speed, long) === undefined ? '–' : `${f2(altRatio(c.speed, long))}×`,
  );
  add('load, ms (fresh process)', (c) => f1(c.memory.loadMs));
  add('weights on disk, MB', (c) => f1(c.weightBytes / MB));
  add('weights read per decode token, MB', (c) => f1(c.decodeWeightBytes / MB));
  add(`peak RSS, MB (model + one ${long}-token cache)`, (c) => f1(c.memory.peakRssBytes / MB));
  add('… above the process before loading, MB', (c) => f1(modelPeak(c) / MB));
  add('top-1 agreement with fp32 / mean KL (nats)', (c) =>
    c.quality ? `${pct(c.quality.top1Agreement)} / ${c.quality.meanKl.toExponential(1)}` : '–',
  );
  return lines.join('\n');
}

export function targetsTable(r: BenchResult): string {
  const lines = [row(['Target', 'Wanted', 'Measured', 'Met']), row(['---', '---', '---', '---'])];
  for (const t of r.targets)
    lines.push(row([t.name, t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : '**no**']));
  return lines.join('\n');
}

function busyLine(r: BenchResult): string {
  return Object.entries(r.busy)
    .map(([name, b]) => `${name} ${b === null ? '?' : pct(b)}`)
    .join(', ');
}

export function machineLines(r: BenchResult): string {
  const m = r.machine;
  return [
    `- CPU: ${m.cpu}, ${m.logicalCpus} logical CPUs (Node sees ${m.availableParallelism}); memory ${m.memoryGiB} GiB; ${m.os}`,
    `- Node ${m.node}; onnxruntime-node ${m.onnxruntimeNode}; @huggingface/transformers ${m.transformersJs}`,
    `- Read bandwidth ceiling (onnxruntime's own kernels over ${f1(r.bandwidth.bufferBytes / 2 ** 20)} MiB, best of ${r.bandwidth.runs}): ` +
      `**${f1(r.bandwidth.bytesPerSecond / 1e9)} GB/s** (${r.bandwidth.method}); ` +
      r.bandwidth.methods.map((m) => `${m.name} ${f1(m.bytesPerSecond / 1e9)} GB/s`).join(', '),
    `- Last-level cache: ${r.bandwidth.llc ? `${f1(r.bandwidth.llc.bytes / MB)} MB L${r.bandwidth.llc.level} (${r.bandwidth.llc.source})` : 'unknown'}; ` +
      '"% of the bandwidth ceiling" is given only for models whose per-token reads are larger',
    `- Load average (1 min) at start / end: ${f2(m.loadAtStart)} / ${f2(m.loadAtEnd)} on ${m.logicalCpus} CPUs; CPU busy with other processes just before each run: ${busyLine(r)}`,
    `- ${r.settings.newTokens} new tokens per run, best of ${r.settings.reps} runs; contexts ${r.settings.contexts.join(' and ')} tokens; ${r.startedAt}, ${f1(r.durationS)} s`,
  ].join('\n');
}

/** The threads table: the default a writer gets, then explicit settings, measured in turns. */
export function threadsTable(r: BenchResult): string {
  if (!r.threads) return '';
  const [short, long] = [Math.min(...r.settings.contexts), Math.max(...r.settings.contexts)];
  const base = r.threads.rows[0].speed;
  const vs = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? ` (${f2(a / b)}×)` : '');
  const lines = [
    `Automatic threads on this machine: ${r.threads.automatic.reason}.`,
    ...(base.cpuNote ? ['', `The default in this run, as the engine chose it at load: ${base.cpuNote}.`] : []),
    '',
    row([
      'fp32 124M, session settings',
      `decode tok/s, ${short} tokens`,
      `decode tok/s, ${long} tokens`,
      `prefill tok/s, ${long} tokens`,
    ]),
    row(['---', '---:', '---:', '---:']),
  ];
  for (const [i, t] of r.threads.rows.entries()) {
    const s = t.speed;
    const rel = (a: number | undefined, b: number | undefined) => (i === 0 ? '' : vs(a, b));
    lines.push(
      row([
        t.label,
        f1(s.decode[short]) + rel(s.decode[short], base.decode[short]),
        f1(s.decode[long]) + rel(s.decode[long], base.decode[long]),
        f1(s.prefill[long]) + rel(s.prefill[long], base.prefill[long]),
      ]),
    );
  }
  return lines.join('\n');
}

/** One table per larger shape (int8 / int4 columns). */
export function shapesTable(r: BenchResult): string {
  const out: string[] = [];
  const [short, long] = [Math.min(...r.settings.contexts), Math.max(...r.settings.contexts)];
  for (const [name, s] of Object.entries(r.shapes ?? {})) {
    const precs = Object.keys(s.precisions) as Precision[];
    const cols = precs.map((p) => ({ p, c: s.precisions[p]! }));
    const lines = [
      `**${name}** (${s.config.nLayer} layers, n_embd ${s.config.nEmbd}, ${s.config.nHead} heads; random weights)`,
      '',
      row(['', ...cols.map((x) => `Inkling ${x.p}`)]),
      row(['---', ...cols.map(() => '---:')]),
    ];
    const add = (label: string, f: (c: (typeof cols)[number]['c']) => string) =>
      lines.push(row([label, ...cols.map((x) => f(x.c))]));
    const ofCeiling = (c: ConfigResult, ctx: number) =>
      fitsInCache(c, r.bandwidth) || !r.bandwidth.llc
        ? fitsNote(c, r.bandwidth)
        : pct(ceilingFraction(c, c.speed.decode[ctx], r.bandwidth));
    add(
      'conversion from model.safetensors, s (without the quality step)',
      (c) => `${f1(c.convertMs / 1000)} (built ${c.builtAt.slice(0, 16).replace('T', ' ')})`,
    );
    add('quality step (difference from fp32), s', (c) => (c.qualityMs === undefined ? '–' : f1(c.qualityMs / 1000)));
    add('load, ms (fresh process)', (c) => f1(c.memory.loadMs));
    add(`decode tok/s, ${short}-token context`, (c) => f1(c.speed.decode[short]));
    add('… of the bandwidth ceiling', (c) => ofCeiling(c, short));
    add(`decode tok/s, ${long}-token context`, (c) => f1(c.speed.decode[long]));
    add('… of the bandwidth ceiling', (c) => ofCeiling(c, long));
    add(`prefill tok/s, ${long} tokens`, (c) => f1(c.speed.prefill[long]));
    add(`keystroke → first token, ms (${long}-token doc + 1 word)`, (c) => f1(c.speed.keystrokeMs));
    add('weights on disk, MB', (c) => f1(c.weightBytes / MB));
    add('weights read per decode token, MB', (c) => f1(c.decodeWeightBytes / MB));
    add(
      `peak RSS above the process before loading, MB (model + one ${long}-token cache)`,
      (c) => `${f1(modelPeak(c) / MB)} (${f2(modelPeak(c) / (c.weightBytes + c.kvBytes))}× weights + KV)`,
    );
    out.push(lines.join('\n'));
  }
  return out.join('\n\n');
}
