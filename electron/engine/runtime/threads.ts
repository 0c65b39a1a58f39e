/**
 * The "automatic" thread setting: how many intra-op threads a session gets when the writer has not
 * chosen a number (threads 0, the app's default).
 *
 * Why not leave it to onnxruntime: given no count, onnxruntime also pins its threads to cores, and
 * on a machine where other programs are busy a pinned thread waits for its one core while another
 * core is free. Measured on the 2-core build machine with other processes running (docs/BENCHMARKS.md,
 * *Threads*): onnxruntime's own choice decoded about half as fast as an explicit count of 2. An
 * explicit count is never pinned, so the automatic setting always resolves to a number:
 *
 *   - one thread per physical core (hyper-threads share a core's load units and caches: decode is
 *     bound by memory reads, so a second thread per core adds wake-ups, not bandwidth);
 *   - on a hybrid CPU (Intel P- and E-cores, Linux `cpu_core` / `cpu_atom`), the performance cores
 *     only: onnxruntime splits each operator evenly, so every step waits for the slowest thread;
 *   - never more than the CPUs this process may use (`os.availableParallelism`: affinity masks and
 *     container limits), never fewer than 1.
 * Where the topology cannot be read (macOS, Windows, a sandbox without /sys) it falls back to
 * `os.availableParallelism()`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the resolution reads from the machine (faked in tests). */
export interface CpuTopology {
  /** Each online logical CPU's `thread_siblings_list` (e.g. "0,4" or "0-1"), in CPU order. */
  siblings: string[];
  /** Logical CPUs of the performance cores on a hybrid CPU (`/sys/devices/cpu_core/cpus`), if any. */
  performanceCpus?: string;
  /** CPUs this process may run on. */
  availableParallelism: number;
}

export interface ThreadChoice {
  threads: number;
  /** A short sentence saying where the number came from (shown by the bench and in logs). */
  reason: string;
}

/** Parses a Linux CPU list such as "0-3,8,10-11" into CPU numbers; throws on anything else. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`not a CPU list: "${list}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`not a CPU list: "${list}"`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

/** The automatic thread count for a topology (pure: see the module comment for the rules). */
export function chooseThreads(t: CpuTopology): ThreadChoice {
  const cap = Math.max(1, Math.floor(t.availableParallelism) || 1);
  if (t.siblings.length === 0) {
    return { threads: cap, reason: `${cap} (CPU topology unknown: one per CPU this process may use)` };
  }
  let cores: Set<string>;
  try {
    // A physical core is one distinct set of sibling CPUs.
    const sets = t.siblings.map((s) => parseCpuList(s));
    const perf = t.performanceCpus ? new Set(parseCpuList(t.performanceCpus)) : null;
    const chosen = perf ? sets.filter((s) => s.some((c) => perf.has(c))) : sets;
    cores = new Set((chosen.length > 0 ? chosen : sets).map((s) => [...s].sort((a, b) => a - b).join(',')));
    const threads = Math.max(1, Math.min(cap, cores.size));
    const all = new Set(sets.map((s) => s.join(','))).size;
    const what =
      perf && chosen.length > 0 && chosen.length < sets.length
        ? `${cores.size} performance cores of ${all}`
        : `${cores.size} physical core${cores.size === 1 ? '' : 's'}`;
    const capped = threads < cores.size ? `, limited to the ${cap} CPUs this process may use` : '';
    return { threads, reason: `${threads} (${what}, ${t.siblings.length} logical CPUs${capped})` };
  } catch {
    return { threads: cap, reason: `${cap} (CPU topology unreadable: one per CPU this process may use)` };
  }
}

/** Reads the topology of this machine (Linux sysfs; elsewhere only the parallelism). */
export function readCpuTopology(sysCpu = '/sys/devices/system/cpu', sysDevices = '/sys/devices'): CpuTopology {
  const availableParallelism = os.availableParallelism?.() ?? os.cpus().length;
  const siblings: string[] = [];
  if (process.platform === 'linux') {
    try {
      const online = parseCpuList(fs.readFileSync(path.join(sysCpu, 'online'), 'utf8'));
      for (const c of online)
        siblings.push(fs.readFileSync(path.join(sysCpu, `cpu${c}`, 'topology', 'thread_siblings_list'), 'utf8').trim());
    } catch {
      siblings.length = 0;
    }
  }
  let performanceCpus: string | undefined;
  try {
    if (siblings.length > 0 && fs.existsSync(path.join(sysDevices, 'cpu_atom'))) {
      performanceCpus = fs.readFileSync(path.join(sysDevices, 'cpu_core', 'cpus'), 'utf8').trim();
    }
  } catch {
    performanceCpus = undefined;
  }
  return { siblings, availableParallelism, ...(performanceCpus ? { performanceCpus } : {}) };
}

let cachedChoice: ThreadChoice | null = null;

/** The automatic choice for this machine (read once per process). */
export function automaticThreads(): ThreadChoice {
  cachedChoice ??= chooseThreads(readCpuTopology());
  return cachedChoice;
}

/**
 * The intra-op thread count a session gets for a `threads` setting: a positive number as given,
 * 0 / undefined the automatic choice.
 */
export function resolveThreads(threads: number | undefined): number {
  return threads !== undefined && threads > 0 ? Math.floor(threads) : automaticThreads().threads;
}

/**
 * The "automatic" spinning setting. Spinning intra-op threads busy-wait for the next operator
 * instead of sleeping, which saves a wake-up per operator (a decode step is ~500 of them for 124M,
 * ~1,300 for XL). Measured side by side on the 2-core build machine (docs/BENCHMARKS.md, *Spinning*):
 * idle, spinning decoded XL int4 15–19% faster (15.5 vs 13.0 tok/s) and 124M fp32 ~11% faster;
 * with two other busy processes it was 20–25% *slower* (6.3 vs 8.4 tok/s), because a spinning
 * thread holds a core the other programs want and is preempted in turn. So it depends on what else
 * is running, and the engine decides at load from what the other programs used of the CPUs
 * just before: spinning when the session's threads have their cores to themselves, off otherwise.
 * When on, threads spin only while a run is in progress (`session.force_spinning_stop`): between
 * tokens and between requests they sleep, so an idle app costs no CPU (measured: same speed).
 */
export interface CpuUse {
  /** CPUs' worth of time other processes used during the sample (e.g. 0.3 = 30% of one CPU). */
  othersBusy: number;
  /**
   * CPUs' worth the app's own other processes used meanwhile (its window starting up, say), not
   * counted in `othersBusy`: they are not other programs, and what they do at load passes.
   */
  appBusy?: number;
  /** Logical CPUs of the machine. */
  cpus: number;
  /** Length of the sample, ms. */
  ms: number;
}

export interface SpinningChoice {
  spinning: boolean;
  /** A short sentence saying why (shown by the bench and in logs). */
  reason: string;
}

/** Spare CPU below a full core that still counts as "the threads have their cores to themselves". */
const SPIN_SLACK = 0.25;

/** Spinning on iff the CPUs other programs left idle cover the session's threads (pure). */
export function chooseSpinning(use: CpuUse, threads: number): SpinningChoice {
  const idle = use.cpus - use.othersBusy;
  const spinning = idle >= threads - SPIN_SLACK;
  const app =
    use.appBusy !== undefined && use.appBusy >= 0.01
      ? ` (Inkling's own other processes, ${use.appBusy.toFixed(2)}, not counted)`
      : '';
  const used = `other programs used ${use.othersBusy.toFixed(2)} of ${use.cpus} CPUs over ${Math.round(use.ms)} ms${app}`;
  return {
    spinning,
    reason: spinning
      ? `on (${used}: the ${threads} thread${threads === 1 ? '' : 's'} have their cores to themselves)`
      : `off (${used}: fewer than ${threads} CPUs idle, and spinning threads would fight them for cores)`,
  };
}

/** What a CPU sample reads (faked in tests). */
export interface CpuClock {
  /** Per-CPU cumulative times, ms (`os.cpus()`). */
  cpus(): Array<{ times: { user: number; nice: number; sys: number; idle: number; irq: number } }>;
  /** This process's cumulative CPU time, µs (`process.cpuUsage()`). */
  own(): { user: number; system: number };
  /** The app's other processes' cumulative CPU time, ms (`appProcessesCpuMs`); absent: not known. */
  app?(): number | null;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * The process the app runs as, when this process is one of its helpers (the engine host sets it:
 * its parent is the app, Electron's main process or the web host). Null in a process of its own
 * (the CLI, the bench): then every other process counts as another program.
 */
let appRoot: number | null = null;

export function setAppRoot(pid: number | null): void {
  appRoot = pid;
}

/** Linux's clock ticks per second for /proc times (USER_HZ: 100 on every Linux Node.js supports). */
const USER_HZ = 100;

/**
 * Cumulative CPU time, ms, of process `root` and all its descendants except `self` (and `self`'s
 * own descendants), from Linux's /proc: what the app's other processes (main, window, GPU) used.
 * Null where /proc cannot be read (macOS, Windows, a sandbox): then nothing is subtracted.
 */
export function appProcessesCpuMs(root: number, self: number, procDir = '/proc'): number | null {
  let names: string[];
  try {
    names = fs.readdirSync(procDir).filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of names) {
    let stat: string;
    try {
      stat = fs.readFileSync(path.join(procDir, name, 'stat'), 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    // "pid (comm) state ppid … utime stime …": comm may hold spaces and parentheses, so split after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(name);
    parent.set(pid, Number(fields[1]));
    ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  if (!ticks.has(root)) return null;
  let total = 0;
  for (const [pid, t] of ticks) {
    // Within root's tree and outside self's: walk up (a bounded number of steps: /proc can race).
    let p: number | undefined = pid;
    let inTree = false;
    for (let hops = 0; p !== undefined && p > 0 && hops < 64; hops++) {
      if (p === self) break;
      if (p === root) {
        inTree = true;
        break;
      }
      p = parent.get(p);
    }
    if (inTree && Number.isFinite(t)) total += t;
  }
  return (total * 1000) / USER_HZ;
}

const systemClock: CpuClock = {
  cpus: () => os.cpus(),
  own: () => process.cpuUsage(),
  app: () => (appRoot !== null && process.platform === 'linux' ? appProcessesCpuMs(appRoot, process.pid) : null),
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Starts measuring what other processes use of the CPUs; `finish` waits until at least `minMs`
 * have passed since the start (work this process does meanwhile, such as reading the tokenizer,
 * is subtracted, so the wait overlaps with it) and returns the use.
 */
export function startCpuSample(clock: CpuClock = systemClock): { finish(minMs?: number): Promise<CpuUse> } {
  const totals = () => {
    let busy = 0;
    let all = 0;
    const cpus = clock.cpus();
    for (const { times: t } of cpus) {
      const b = t.user + t.nice + t.sys + t.irq;
      busy += b;
      all += b + t.idle;
    }
    return { busy, all, n: cpus.length };
  };
  const ownMs = () => {
    const u = clock.own();
    return (u.user + u.system) / 1000;
  };
  const t0 = clock.now();
  const c0 = totals();
  const o0 = ownMs();
  const a0 = clock.app?.() ?? null;
  return {
    async finish(minMs = 150) {
      const waited = clock.now() - t0;
      if (waited < minMs) await clock.sleep(minMs - waited);
      const c1 = totals();
      const ms = clock.now() - t0;
      const cpus = Math.max(1, c1.n);
      const allMs = c1.all - c0.all;
      // CPU-ms per wall-ms from the CPU counters themselves (their tick is 10 ms on Linux).
      const wall = allMs > 0 ? allMs / cpus : ms;
      const a1 = a0 !== null ? (clock.app?.() ?? null) : null;
      const app = a0 !== null && a1 !== null ? Math.max(0, a1 - a0) : 0;
      const others = c1.busy - c0.busy - (ownMs() - o0) - app;
      const clamp = (x: number) => (wall > 0 ? Math.min(cpus, Math.max(0, x / wall)) : 0);
      return {
        othersBusy: clamp(others),
        cpus,
        ms,
        ...(a0 !== null && a1 !== null ? { appBusy: clamp(app) } : {}),
      };
    },
  };
}
