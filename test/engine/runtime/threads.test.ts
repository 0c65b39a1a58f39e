// The automatic thread setting (runtime/threads.ts): one per physical (performance) core, always an
// explicit number for onnxruntime (its own choice pins threads and measured ~2× slower under load).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseThreads, parseCpuList, readCpuTopology, resolveThreads } from '../../../electron/engine/runtime/threads';
import { sessionOptions } from '../../../electron/engine/runtime/ort';

describe('automatic threads', () => {
  it('counts one thread per physical core on an SMT machine (pairs 0,4 1,5 2,6 3,7)', () => {
    const siblings = ['0,4', '1,5', '2,6', '3,7', '0,4', '1,5', '2,6', '3,7'];
    expect(chooseThreads({ siblings, availableParallelism: 8 }).threads).toBe(4);
    // Sibling lists written as ranges (adjacent numbering)
    expect(chooseThreads({ siblings: ['0-1', '0-1', '2-3', '2-3'], availableParallelism: 4 }).threads).toBe(2);
  });

  it('uses only the performance cores of a hybrid CPU', () => {
    // 6 P-cores with SMT (CPUs 0-11, pairs 0-1 … 10-11) and 8 E-cores without (12-19).
    const siblings = [
      ...Array.from({ length: 12 }, (_, c) => `${c - (c % 2)}-${c - (c % 2) + 1}`),
      ...Array.from({ length: 8 }, (_, i) => `${12 + i}`),
    ];
    const hybrid = chooseThreads({ siblings, performanceCpus: '0-11', availableParallelism: 20 });
    expect(hybrid.threads).toBe(6);
    expect(hybrid.reason).toContain('performance cores');
    // Without the hybrid hint every physical core counts.
    expect(chooseThreads({ siblings, availableParallelism: 20 }).threads).toBe(14);
  });

  it('gives one thread on one core, and never more than the CPUs the process may use', () => {
    expect(chooseThreads({ siblings: ['0'], availableParallelism: 1 }).threads).toBe(1);
    expect(chooseThreads({ siblings: ['0', '1', '2', '3'], availableParallelism: 2 }).threads).toBe(2);
    expect(chooseThreads({ siblings: ['0', '1'], availableParallelism: 0 }).threads).toBe(1);
  });

  it('falls back to the available parallelism where the topology is unknown or unreadable', () => {
    expect(chooseThreads({ siblings: [], availableParallelism: 6 }).threads).toBe(6);
    expect(chooseThreads({ siblings: ['0', 'garbage'], availableParallelism: 3 }).threads).toBe(3);
  });

  it('parses CPU lists and refuses anything else', () => {
    expect(parseCpuList('0-3,8,10-11\n')).toEqual([0, 1, 2, 3, 8, 10, 11]);
    expect(() => parseCpuList('3-1')).toThrow(/CPU list/);
    expect(() => parseCpuList('a')).toThrow(/CPU list/);
  });

  it('resolves 0 and undefined to the automatic count and keeps an explicit one', () => {
    expect(resolveThreads(3)).toBe(3);
    expect(resolveThreads(0)).toBe(resolveThreads(undefined));
    expect(resolveThreads(0)).toBeGreaterThanOrEqual(1);
  });

  it('always hands onnxruntime an explicit thread count, unless told to let it choose', () => {
    expect(sessionOptions(['cpu']).intraOpNumThreads).toBe(resolveThreads(0));
    expect(sessionOptions(['cpu'], { threads: 0 }).intraOpNumThreads).toBe(resolveThreads(0));
    expect(sessionOptions(['cpu'], { threads: 5 }).intraOpNumThreads).toBe(5);
    expect(sessionOptions(['cpu'], { onnxruntimeThreads: true }).intraOpNumThreads).toBeUndefined();
  });
});

describe('reading the topology from sysfs', () => {
  let dir = '';
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(process.platform === 'linux')('reads online CPUs, their siblings and the hybrid P-core list', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-topo-'));
    const cpu = path.join(dir, 'system', 'cpu');
    fs.mkdirSync(cpu, { recursive: true });
    fs.writeFileSync(path.join(cpu, 'online'), '0-2\n');
    for (const [c, s] of [
      [0, '0-1'],
      [1, '0-1'],
      [2, '2'],
    ] as const) {
      fs.mkdirSync(path.join(cpu, `cpu${c}`, 'topology'), { recursive: true });
      fs.writeFileSync(path.join(cpu, `cpu${c}`, 'topology', 'thread_siblings_list'), `${s}\n`);
    }
    fs.mkdirSync(path.join(dir, 'cpu_core'));
    fs.mkdirSync(path.join(dir, 'cpu_atom'));
    fs.writeFileSync(path.join(dir, 'cpu_core', 'cpus'), '0-1\n');
    const t = readCpuTopology(cpu, dir);
    expect(t.siblings).toEqual(['0-1', '0-1', '2']);
    expect(t.performanceCpus).toBe('0-1');
    expect(chooseThreads({ ...t, availableParallelism: 3 }).threads).toBe(1);
  });
});
