/**
 * `inkling bench`: builds (once) a GPT-2 124M-shape random model in every precision plus its Hugging
 * Face export, measures the machine's memory bandwidth, then runs each configuration — Inkling per
 * precision, and the peer (transformers.js) — in its own child process, and checks the figures
 * against the targets of docs/BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Precision } from '../weights/types';
import { bestOf, measureBandwidth } from './bandwidth';
import type { MemoryFigures, RunPlan, SpeedFigures, SubjectSpec } from './figures';
import { cpuBusy, describeMachine, waitForIdle } from './machine';
import {
  decodeWeightBytes,
  ensureBenchModels,
  ensureShapeModels,
  readBenchManifest,
  type BenchShapeName,
} from './models';
import { evaluateTargets, type BenchResult, type ConfigResult, type ShapeResult, type ThreadsResult } from './report';
import { automaticThreads } from '../runtime/threads';

export interface BenchOptions {
  quick?: boolean;
  /** Where models are cached (default `<repo>/.cache/bench`). */
  cacheDir?: string;
  /** The command line to record with the figures. */
  command?: string;
  /**
   * Before each configuration, wait up to this many seconds for the CPU to be idle (other
   * processes' load makes every figure slower). 0 = do not wait.
   */
  waitIdleS?: number;
  /**
   * Larger GPT-2 shapes to measure besides the 124M one (random weights of the real shapes, built
   * once and cached): conversion time, load time, decode, prefill, keystroke latency, peak memory,
   * for int8 and int4. Default none, so a quick run stays quick.
   */
  shapes?: BenchShapeName[];
  log?: (line: string) => void;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CACHE_DIR = path.resolve(HERE, '..', '..', '..', '.cache', 'bench');

/** Runs one plan in a fresh Node process (TypeScript through tsx) and returns what it prints. */
function runChild<T>(plan: RunPlan, label: string, log: (line: string) => void): Promise<T> {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(HERE, 'child.ts'), JSON.stringify(plan)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        log(stderr.trim());
        reject(new Error(`benchmark run "${label}" failed (exit code ${code})`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
}

function kvBytes(dir: string): number {
  const c = readBenchManifest(dir).config;
  return 2 * c.nLayer * c.nPositions * c.nEmbd * 4;
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const log = opts.log ?? (() => {});
  const quick = opts.quick ?? false;
  const waitMs = (opts.waitIdleS ?? 0) * 1000;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const precisions: Precision[] = quick ? ['fp32', 'int8', 'int4'] : ['fp32', 'fp16', 'int8', 'int4'];
  const models = await ensureBenchModels(opts.cacheDir ?? DEFAULT_CACHE_DIR, precisions, log);
  const settings = { newTokens: quick ? 16 : 32, reps: quick ? 1 : 3, contexts: [32, 800], quick };
  const [short, long] = [settings.contexts[0], settings.contexts[1]];

  const subjects: SubjectSpec[] = precisions.map((p) => {
    const full = p !== 'fp16'; // fp16 computes exactly like fp32 once loaded: its decode figure is enough
    return {
      kind: 'inkling',
      dir: models.inkling[p]!,
      label: p,
      contexts: full ? settings.contexts : [short],
      keystroke: full,
      alternatives: full,
    };
  });
  subjects.push({
    kind: 'peer',
    dir: models.hf,
    label: 'peer',
    contexts: settings.contexts,
    keystroke: true,
    alternatives: true,
  });
  // The default a writer gets (the 'fp32' subject: automatic threads and spinning) side by side with
  // explicit settings, in the same process and turns.
  const auto = automaticThreads();
  const threadCounts = [...new Set([1, auto.threads, os.availableParallelism()])].sort((a, b) => a - b);
  const threadSubjects: SubjectSpec[] = [
    { label: 'fp32 · onnxruntime chooses', session: { onnxruntimeThreads: true } },
    ...threadCounts.map((n) => ({ label: `fp32 · ${n} thread${n > 1 ? 's' : ''}`, session: { threads: n } })),
    { label: 'fp32 · automatic threads, spinning on', session: { spinning: true } },
    { label: 'fp32 · automatic threads, spinning off', session: { spinning: false } },
  ].map((s) => ({
    kind: 'inkling' as const,
    dir: models.inkling.fp32!,
    contexts: settings.contexts,
    keystroke: false,
    alternatives: false,
    ...s,
  }));
  subjects.push(...threadSubjects);

  log('measuring memory bandwidth (onnxruntime over 1 GiB)');
  if (waitMs) await waitForIdle(waitMs);
  let bandwidth = await measureBandwidth({ runs: quick ? 4 : 8 });

  log(`speed: ${subjects.map((s) => s.label).join(', ')} in turns`);
  const busy: Record<string, number | null> = {};
  busy.speed = waitMs ? await waitForIdle(waitMs) : await cpuBusy(500);
  const speed = await runChild<Record<string, SpeedFigures>>(
    { mode: 'speed', subjects, newTokens: settings.newTokens, reps: settings.reps },
    'speed',
    log,
  );

  // Bandwidth again: the best of two measurements (load only ever lowers it).
  bandwidth = bestOf(bandwidth, await measureBandwidth({ runs: quick ? 4 : 8 }));

  const memory: Record<string, MemoryFigures> = {};
  for (const s of subjects.filter((x) => !threadSubjects.includes(x))) {
    log(`memory and load time: ${s.label}`);
    busy[s.label] = waitMs ? await waitForIdle(Math.min(waitMs, 15_000)) : await cpuBusy(300);
    memory[s.label] = await runChild<MemoryFigures>(
      { mode: 'memory', subject: s, context: long, newTokens: settings.newTokens },
      `memory ${s.label}`,
      log,
    );
  }

  const inkling: BenchResult['inkling'] = {};
  for (const precision of precisions) {
    const dir = models.inkling[precision]!;
    const manifest = readBenchManifest(dir);
    inkling[precision] = {
      speed: speed[precision],
      memory: memory[precision],
      weightBytes: manifest.files['model.onnx_data']?.size ?? 0,
      decodeWeightBytes: decodeWeightBytes(dir, precision),
      kvBytes: kvBytes(dir),
      ...(manifest.quality
        ? {
            quality: {
              top1Agreement: manifest.quality.top1Agreement,
              meanKl: manifest.quality.meanKl,
              tokens: manifest.quality.tokens,
            },
          }
        : {}),
    };
  }
  const hfData = fs.statSync(path.join(models.hf, 'onnx', 'model.onnx_data')).size;
  const cfg = readBenchManifest(models.inkling.fp32!).config;
  const peer: ConfigResult = {
    speed: speed.peer,
    memory: memory.peer,
    weightBytes: hfData,
    decodeWeightBytes: hfData - cfg.nPositions * cfg.nEmbd * 4, // every weight but the position table
    kvBytes: kvBytes(models.inkling.fp32!),
  };

  const threads: ThreadsResult = {
    automatic: auto,
    rows: [
      {
        label: `fp32 · automatic (the default: ${auto.threads} thread${auto.threads > 1 ? 's' : ''}, spinning chosen at load)`,
        speed: speed.fp32,
      },
      ...threadSubjects.map((s) => ({ label: s.label, speed: speed[s.label] })),
    ],
  };

  const shapes: Record<string, ShapeResult> = {};
  for (const shape of opts.shapes ?? []) {
    const shapePrecisions: Precision[] = ['int8', 'int4'];
    const built = await ensureShapeModels(opts.cacheDir ?? DEFAULT_CACHE_DIR, shape, shapePrecisions, log);
    const specs: SubjectSpec[] = shapePrecisions.map((p) => ({
      kind: 'inkling',
      dir: built.inkling[p]!.dir,
      label: `${shape} ${p}`,
      contexts: settings.contexts,
      keystroke: true,
      alternatives: false,
    }));
    log(`speed: ${specs.map((s) => s.label).join(', ')} in turns`);
    busy[`${shape} speed`] = waitMs ? await waitForIdle(waitMs) : await cpuBusy(500);
    const shapeSpeed = await runChild<Record<string, SpeedFigures>>(
      { mode: 'speed', subjects: specs, newTokens: settings.newTokens, reps: quick ? 1 : 2 },
      `speed ${shape}`,
      log,
    );
    const result: ShapeResult = { config: readBenchManifest(built.inkling.int4!.dir).config, precisions: {} };
    for (const [i, p] of shapePrecisions.entries()) {
      const s = specs[i];
      log(`memory and load time: ${s.label}`);
      busy[s.label] = waitMs ? await waitForIdle(Math.min(waitMs, 15_000)) : await cpuBusy(300);
      const mem = await runChild<MemoryFigures>(
        { mode: 'memory', subject: s, context: long, newTokens: settings.newTokens },
        `memory ${s.label}`,
        log,
      );
      const b = built.inkling[p]!;
      result.precisions[p] = {
        speed: shapeSpeed[s.label],
        memory: mem,
        weightBytes: readBenchManifest(b.dir).files['model.onnx_data']?.size ?? 0,
        decodeWeightBytes: decodeWeightBytes(b.dir, p),
        kvBytes: kvBytes(b.dir),
        convertMs: b.convertMs,
        ...(b.qualityMs !== undefined ? { qualityMs: b.qualityMs } : {}),
        builtAt: b.builtAt,
      };
    }
    shapes[shape] = result;
  }

  machine.loadAtEnd = os.loadavg()[0];
  const partial = {
    command: opts.command ?? 'npm run bench',
    startedAt,
    durationS: (performance.now() - t0) / 1000,
    machine,
    bandwidth,
    settings,
    busy,
    inkling,
    peer,
    threads,
    shapes,
  };
  return { ...partial, targets: evaluateTargets(partial) };
}
