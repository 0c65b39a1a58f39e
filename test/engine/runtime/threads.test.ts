// The automatic thread setting (runtime/threads.ts): one per physical (performance) core, always an
// explicit number for onnxruntime (its own choice pins threads and measured ~2× slower under load).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appProcessesCpuMs,
  chooseSpinning,
  chooseThreads,
  parseCpuList,
  readCpuTopology,
  resolveThreads,
  startCpuSample,
} from '../../../electron/engine/runtime/threads';
import { resolveSpinning, sessionOptions } from '../../../electron/engine/runtime/ort';

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

describe('automatic spinning', () => {
  const use = (othersBusy: number, cpus = 2) => ({ othersBusy, cpus, ms: 150 });

  it('spins when the threads have their cores to themselves, not when other programs want them', () => {
    expect(chooseSpinning(use(0), 2).spinning).toBe(true);
    expect(chooseSpinning(use(0.2), 2).spinning).toBe(true);
    expect(chooseSpinning(use(0.3), 2).spinning).toBe(false);
    expect(chooseSpinning(use(2), 2).spinning).toBe(false);
    // 8 threads on 16 CPUs: 7 CPUs busy elsewhere still leaves 9 idle.
    expect(chooseSpinning(use(7, 16), 8).spinning).toBe(true);
    expect(chooseSpinning(use(9, 16), 8).spinning).toBe(false);
    expect(chooseSpinning(use(1.5, 2), 2).reason).toMatch(/^off \(other programs used 1\.50 of 2 CPUs/);
    expect(chooseSpinning(use(0, 2), 2).reason).toMatch(/^on \(/);
  });

  /** A fake clock: CPU counters advance as the test says, sleep moves time. */
  function fakeClock(perCpuBusyMs: (ms: number) => number[], ownMsAt: (ms: number) => number) {
    let t = 0;
    const cpus = () =>
      perCpuBusyMs(t).map((busy) => ({ times: { user: busy, nice: 0, sys: 0, irq: 0, idle: t - busy } }));
    return {
      clock: {
        cpus,
        own: () => ({ user: ownMsAt(t) * 1000, system: 0 }),
        now: () => t,
        sleep: async (ms: number) => {
          t += ms;
        },
      },
      advance: (ms: number) => {
        t += ms;
      },
    };
  }

  it('measures what other processes used, minus this process, over at least the minimum time', async () => {
    // CPU 0 fully busy (half of it this process), CPU 1 a quarter busy: others = 0.5 + 0.25 CPUs.
    const f = fakeClock(
      (t) => [t, t / 4],
      (t) => t / 2,
    );
    const sample = startCpuSample(f.clock);
    f.advance(40); // the caller's own work meanwhile
    const got = await sample.finish(150);
    expect(got.ms).toBe(150);
    expect(got.cpus).toBe(2);
    expect(got.othersBusy).toBeCloseTo(0.75, 6);
  });

  it("does not count the app's own other processes (its window starting up) as other programs", async () => {
    // Both CPUs fully busy; of that, 1.5 CPUs are the app's window and main process, none this process.
    let appMs = 0;
    const f = fakeClock(
      (t) => [t, t],
      () => 0,
    );
    const clock = { ...f.clock, app: () => appMs };
    const sample = startCpuSample(clock);
    f.advance(100);
    appMs = 150;
    const got = await sample.finish(100);
    expect(got.othersBusy).toBeCloseTo(0.5, 6);
    expect(got.appBusy).toBeCloseTo(1.5, 6);
    expect(chooseSpinning(got, 2).reason).toMatch(/Inkling's own other processes, 1\.50, not counted/);
    // Where the app's processes cannot be read, everything counts, as before.
    const g = fakeClock(
      (t) => [t, t],
      () => 0,
    );
    const unknown = await startCpuSample({ ...g.clock, app: () => null }).finish(100);
    expect(unknown.othersBusy).toBeCloseTo(2, 6);
    expect(unknown.appBusy).toBeUndefined();
  });

  it('appProcessesCpuMs sums the app tree from /proc, without this process and its children', () => {
    const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-proc-'));
    try {
      // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
      const stat = (pid: number, comm: string, ppid: number, utime: number, stime: number) => {
        fs.mkdirSync(path.join(proc, String(pid)));
        fs.writeFileSync(
          path.join(proc, String(pid), 'stat'),
          `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304 0 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 0\n`,
        );
      };
      stat(100, 'inkling', 1, 40, 10); // the app: 50 ticks
      stat(101, 'inkling --type=zygote', 100, 20, 10); // its window's parent: 30
      stat(104, 'weird ) (name', 101, 15, 5); // a renderer with an awkward name: 20
      stat(102, 'engine', 100, 900, 100); // this process: not counted
      stat(103, 'engine child', 102, 5, 2); // its child: not counted
      stat(200, 'other program', 1, 999, 999); // not the app's
      fs.mkdirSync(path.join(proc, '300')); // a process that ended while read
      fs.writeFileSync(path.join(proc, 'self'), '');
      expect(appProcessesCpuMs(100, 102, proc)).toBe(1000); // (50 + 30 + 20) ticks × 10 ms
      expect(appProcessesCpuMs(555, 102, proc)).toBeNull(); // the app is gone
      expect(appProcessesCpuMs(100, 102, path.join(proc, 'missing'))).toBeNull();
    } finally {
      fs.rmSync(proc, { recursive: true, force: true });
    }
    if (process.platform === 'linux') {
      const real = appProcessesCpuMs(process.ppid, process.pid);
      expect(real).not.toBeNull();
      expect(real!).toBeGreaterThanOrEqual(0);
    }
  });

  it('never reports less than nothing or more than every CPU', async () => {
    const idle = fakeClock(
      () => [0, 0],
      (t) => t, // this process "used" time the counters do not show (tick granularity)
    );
    expect((await startCpuSample(idle.clock).finish(100)).othersBusy).toBe(0);
    const real = await startCpuSample().finish(20);
    expect(real.othersBusy).toBeGreaterThanOrEqual(0);
    expect(real.othersBusy).toBeLessThanOrEqual(real.cpus);
    expect(real.cpus).toBeGreaterThanOrEqual(1);
  });

  it('keeps a set value, and spins only inside runs when on', async () => {
    expect((await resolveSpinning({ spinning: false })).spinning).toBe(false);
    expect((await resolveSpinning({ spinning: true })).reason).toBe('on (as set)');
    const quiet = { finish: async () => ({ othersBusy: 0, cpus: 64, ms: 150 }) };
    const busy = { finish: async () => ({ othersBusy: 64, cpus: 64, ms: 150 }) };
    expect((await resolveSpinning({ threads: 2 }, quiet)).spinning).toBe(true);
    expect((await resolveSpinning({ threads: 2 }, busy)).spinning).toBe(false);
    const session = (o: ReturnType<typeof sessionOptions>) => (o.extra as { session: Record<string, unknown> }).session;
    expect(session(sessionOptions(['cpu'], { spinning: true }))).toMatchObject({
      intra_op: { allow_spinning: '1' },
      force_spinning_stop: '1',
    });
    const off = session(sessionOptions(['cpu'], { spinning: false }));
    expect(off.intra_op).toEqual({ allow_spinning: '0' });
    expect(off.force_spinning_stop).toBeUndefined();
  });
});
