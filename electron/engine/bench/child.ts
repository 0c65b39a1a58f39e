/**
 * Entry of a benchmark child process: `node --import tsx/esm child.ts '<RunPlan as JSON>'`.
 * Prints one line of JSON on stdout (speed: label → SpeedFigures; memory: MemoryFigures);
 * progress and errors go to stderr.
 */
import {
  median,
  peakRss,
  type MemoryFigures,
  type MemoryPlan,
  type RunPlan,
  type SpeedFigures,
  type SpeedPlan,
  type Subject,
  type SubjectSpec,
  decodeRate,
} from './figures';
import { InklingSubject } from './inklingRun';
import { PeerSubject } from './peerRun';

function subject(spec: SubjectSpec, plan: { threads?: number; spinning?: boolean }): Subject {
  const session = { ...plan, ...spec.session };
  return spec.kind === 'peer' ? new PeerSubject(spec, session) : new InklingSubject(spec, session);
}

/** Every subject loaded at once; each measurement takes turns across them (see figures.ts). */
async function speed(plan: SpeedPlan): Promise<Record<string, SpeedFigures>> {
  const session = { threads: plan.threads, spinning: plan.spinning };
  const subjects = plan.subjects.map((s) => subject(s, session));
  const out: Record<string, SpeedFigures> = {};
  for (const s of subjects) {
    await s.load();
    await s.generate(16, 4); // warm-up: first-run allocations and lazy initialisation
    out[s.spec.label] = { decode: {}, prefill: {}, ...(s.cpuNote ? { cpuNote: s.cpuNote } : {}) };
  }
  const N = plan.newTokens;
  const contexts = [...new Set(plan.subjects.flatMap((s) => s.contexts))].sort((a, b) => a - b);
  const [short, long] = [contexts[0], contexts[contexts.length - 1]];
  try {
    for (const ctx of contexts) {
      for (let r = 0; r < plan.reps; r++) {
        for (const s of subjects) {
          if (!s.spec.contexts.includes(ctx)) continue;
          const t = await s.generate(ctx, N);
          const f = out[s.spec.label];
          f.decode[ctx] = Math.max(f.decode[ctx] ?? 0, decodeRate(t.stamps));
          f.prefill[ctx] = Math.max(f.prefill[ctx] ?? 0, (ctx * 1000) / t.ttft);
        }
      }
    }
    const typing = subjects.filter((s) => s.spec.keystroke);
    const latencies = new Map<Subject, number[]>(typing.map((s) => [s, []]));
    for (let k = 0; k < Math.max(3, plan.reps); k++)
      for (const s of typing) latencies.get(s)!.push(await s.keystroke(long, k));
    for (const s of typing) out[s.spec.label].keystrokeMs = median(latencies.get(s)!);

    for (const ctx of [short, long]) {
      // The peer has no cache to share: its long-prompt batch would only repeat the prefill figure.
      const alts = subjects.filter((s) => s.spec.alternatives && (s.spec.kind === 'inkling' || ctx === short));
      const best = new Map<Subject, { one: number; three: number }>(
        alts.map((s) => [s, { one: Infinity, three: Infinity }]),
      );
      for (let r = 0; r < plan.reps; r++) {
        for (const s of alts) {
          const b = best.get(s)!;
          b.one = Math.min(b.one, await s.alternatives(ctx, N, 1));
          b.three = Math.min(b.three, await s.alternatives(ctx, N, 3));
        }
      }
      for (const s of alts) (out[s.spec.label].alternatives ??= []).push({ context: ctx, ...best.get(s)! });
    }
  } finally {
    for (const s of subjects) await s.dispose();
  }
  return out;
}

async function memory(plan: MemoryPlan): Promise<MemoryFigures> {
  // The subject prepares the benchmark's texts (with a tokenizer of its own) before the baseline:
  // only what loading and running the model adds is the engine's.
  const s = subject(plan.subject, { threads: plan.threads, spinning: plan.spinning });
  const baseRssBytes = process.memoryUsage().rss;
  const loadMs = await s.load();
  try {
    await s.generate(plan.context, plan.newTokens);
    return { loadMs, peakRssBytes: peakRss(), baseRssBytes };
  } finally {
    await s.dispose();
  }
}

const plan = JSON.parse(process.argv[2] ?? '{}') as RunPlan;
try {
  const result = plan.mode === 'memory' ? await memory(plan) : await speed(plan);
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (err) {
  process.stderr.write(`benchmark child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
}
