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
