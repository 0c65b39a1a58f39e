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
import { measureBandwidth } from './bandwidth';
import type { RunFigures, RunPlan } from './figures';
import { cpuBusy, describeMachine, waitForIdle } from './machine';
import { decodeWeightBytes, ensureBenchModels, readBenchManifest } from './models';
import { evaluateTargets, type BenchResult, type ConfigResult } from './report';

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
  log?: (line: string) => void;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CACHE_DIR = path.resolve(HERE, '..', '..', '..', '.cache', 'bench');

/** CPU busy fraction seen just before each configuration ran (other processes' load). */
const busyBefore: Record<string, number | null> = {};

/** Runs one plan in a fresh Node process (TypeScript through tsx) and returns its figures. */
async function runChild(plan: RunPlan, log: (line: string) => void, waitIdleS = 0): Promise<RunFigures> {
  busyBefore[plan.label] = waitIdleS > 0 ? await waitForIdle(waitIdleS * 1000) : await cpuBusy(500);
  const figures = await spawnChild(plan, log);
  return { ...figures, busyBefore: busyBefore[plan.label] };
}

function spawnChild(plan: RunPlan, log: (line: string) => void): Promise<RunFigures> {
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
  const child = spawn(process.execPath, ['--import', tsx, path.join(HERE, 'child.ts'), JSON.stringify(plan)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
        reject(new Error(`benchmark run "${plan.label}" failed (exit code ${code})`));
        return;
      }
      resolve(JSON.parse(last) as RunFigures);
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
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const precisions: Precision[] = quick ? ['fp32', 'int8', 'int4'] : ['fp32', 'fp16', 'int8', 'int4'];
  const models = await ensureBenchModels(opts.cacheDir ?? DEFAULT_CACHE_DIR, precisions, log);

  log('measuring memory bandwidth');
  if (opts.waitIdleS) await waitForIdle(opts.waitIdleS * 1000);
  const bandwidth = await measureBandwidth({ runs: quick ? 4 : 8 });

  const settings = { newTokens: quick ? 16 : 32, reps: quick ? 1 : 3, contexts: [32, 800], quick };
  const base = { newTokens: settings.newTokens, reps: settings.reps, contexts: settings.contexts };
  const inkling: BenchResult['inkling'] = {};
  for (const precision of precisions) {
    const dir = models.inkling[precision]!;
    const full = precision !== 'fp16';
    log(`Inkling ${precision}`);
    const figures = await runChild({ ...base, kind: 'inkling', dir, label: `inkling-${precision}`, keystroke: full, alternatives: full, contexts: full ? base.contexts : [32] }, log, opts.waitIdleS);
    log(`Inkling ${precision}: memory`);
    const memory = await runChild({ ...base, kind: 'inkling', dir, label: `inkling-${precision}-memory`, keystroke: false, alternatives: false, memoryOnly: true }, log);
    const manifest = readBenchManifest(dir);
    const result: ConfigResult = {
      figures,
      memory,
      weightBytes: manifest.files['model.onnx_data']?.size ?? 0,
      decodeWeightBytes: decodeWeightBytes(dir, precision),
      kvBytes: kvBytes(dir),
      ...(manifest.quality ? { quality: { top1Agreement: manifest.quality.top1Agreement, meanKl: manifest.quality.meanKl, tokens: manifest.quality.tokens } } : {}),
    };
    inkling[precision] = result;
  }

  log('peer: transformers.js');
  const peerFigures = await runChild({ ...base, kind: 'peer', dir: models.hf, label: 'peer', keystroke: true, alternatives: true }, log, opts.waitIdleS);
  log('peer: memory');
  const peerMemory = await runChild({ ...base, kind: 'peer', dir: models.hf, label: 'peer-memory', keystroke: false, alternatives: false, memoryOnly: true }, log);
  const hfData = fs.statSync(path.join(models.hf, 'onnx', 'model.onnx_data')).size;
  const fp32Dir = models.inkling.fp32!;
  const cfg = readBenchManifest(fp32Dir).config;
  const peer: ConfigResult = {
    figures: peerFigures,
    memory: peerMemory,
    weightBytes: hfData,
    decodeWeightBytes: hfData - cfg.nPositions * cfg.nEmbd * 4,
    kvBytes: kvBytes(fp32Dir),
  };

  machine.loadAtEnd = os.loadavg()[0];
  const partial = { command: opts.command ?? 'npm run bench', startedAt, durationS: (performance.now() - t0) / 1000, machine, bandwidth, settings, inkling, peer };
  return { ...partial, targets: evaluateTargets(partial) };
}
