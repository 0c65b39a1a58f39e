/** A description of the machine a benchmark ran on, and how busy it was. */
import { createRequire } from 'node:module';
import os from 'node:os';

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

function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version: string }).version;
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
