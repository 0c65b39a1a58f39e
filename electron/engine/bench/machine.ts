/** A description of the machine a benchmark ran on, and how busy it was. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface MachineInfo {
  cpu: string;
  /** Logical CPUs the OS reports, and the parallelism Node sees. */
  logicalCpus: number;
  availableParallelism: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntimeNode: string;
  transformersJs: string;
  /** 1-minute load average when the run started and ended (the other processes competing for the CPU). */
  loadAtStart: number;
  loadAtEnd?: number;
}

/** A dependency's version, from the package.json above its entry point (exports may hide the file). */
function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name) return pkg.version ?? 'unknown';
      }
      const up = path.dirname(dir);
      if (up === dir) return 'unknown';
      dir = up;
    }
  } catch {
    return 'not installed';
  }
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    logicalCpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    transformersJs: packageVersion('@huggingface/transformers'),
    loadAtStart: os.loadavg()[0],
  };
}

/** Fraction of all CPU time spent busy over `ms` (Linux /proc/stat), or null where unavailable. */
export async function cpuBusy(ms = 1000): Promise<number | null> {
  const read = (): [number, number] | null => {
    try {
      const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = f[3] + (f[4] ?? 0);
      return [f.reduce((a, b) => a + b, 0), idle];
    } catch {
      return null;
    }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (!a || !b || b[0] === a[0]) return null;
  return 1 - (b[1] - a[1]) / (b[0] - a[0]);
}

/**
 * Waits until other processes leave the CPU mostly idle (busy < `threshold` over two consecutive
 * 1-second windows), for at most `maxMs`. Returns the last busy fraction seen (null: unknown).
 */
export async function waitForIdle(maxMs: number, threshold = 0.15): Promise<number | null> {
  const until = Date.now() + maxMs;
  let calm = 0;
  let last: number | null = null;
  while (Date.now() < until) {
    last = await cpuBusy(1000);
    if (last === null) return null;
    calm = last < threshold ? calm + 1 : 0;
    if (calm >= 2) return last;
  }
  return last;
}
