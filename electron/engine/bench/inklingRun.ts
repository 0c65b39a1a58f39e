/** The benchmark figures of Inkling's engine on one converted model (runs inside a child process). */
import { loadModel, type Engine } from '../runtime';
import { best, decodeRate, median, peakRss, type RunFigures, type RunPlan } from './figures';
import { benchTexts } from './text';

/** Greedy, no penalties, <|endoftext|> banned so every run generates exactly maxNewTokens. */
function params(maxNewTokens: number, alternatives = 1): Record<string, unknown> {
  return { temperature: 0, repetitionPenalty: 1, maxNewTokens, alternatives, logitBias: { 50256: -Infinity } };
}

interface Timed {
  /** call → first token, ms */
  ttft: number;
  /** timestamps of each token of alternative 0 */
  stamps: number[];
  /** call → end, ms */
  total: number;
}

async function timedGenerate(engine: Engine, prompt: string, maxNewTokens: number, cacheKey?: string, alternatives = 1): Promise<Timed> {
  const stamps: number[] = [];
  const t0 = performance.now();
  await engine.generate({ prompt, cacheKey, params: params(maxNewTokens, alternatives) }, (e) => {
    if (e.kind === 'token' && e.alternative === 0) stamps.push(performance.now());
  });
  const total = performance.now() - t0;
  if (stamps.length !== maxNewTokens) throw new Error(`benchmark: expected ${maxNewTokens} tokens, got ${stamps.length}`);
  return { ttft: stamps[0] - t0, stamps, total };
}

export async function runInkling(plan: RunPlan): Promise<RunFigures> {
  const baseRssBytes = process.memoryUsage().rss;
  const texts = benchTexts();
  const text = (n: number) => texts.tokenizer.decode(texts.ids(n));
  const t0 = performance.now();
  const { engine } = await loadModel(plan.dir, { threads: plan.threads, spinning: plan.spinning });
  const loadMs = performance.now() - t0;
  const out: RunFigures = { label: plan.label, loadMs, decode: {}, prefill: {}, peakRssBytes: 0, baseRssBytes };
  try {
    if (plan.memoryOnly) {
      await timedGenerate(engine, text(Math.max(...plan.contexts)), plan.newTokens, 'doc');
      return out;
    }
    await timedGenerate(engine, text(16), 4); // warm-up: first-run allocations and lazy init

    for (const n of plan.contexts) {
      const rates: number[] = [];
      const prefills: number[] = [];
      for (let r = 0; r < plan.reps; r++) {
        const t = await timedGenerate(engine, text(n), plan.newTokens);
        rates.push(decodeRate(t.stamps));
        prefills.push((n * 1000) / t.ttft);
      }
      out.decode[n] = Math.max(...rates);
      out.prefill[n] = Math.max(...prefills);
    }

    const long = Math.max(...plan.contexts);
    if (plan.keystroke) {
      // The writer's document is already cached; each keystroke adds a word and asks for a continuation.
      let doc = text(long);
      await timedGenerate(engine, doc, 1, 'doc');
      const latencies: number[] = [];
      for (const w of texts.words.slice(0, Math.max(3, plan.reps * 2))) {
        doc += w;
        latencies.push((await timedGenerate(engine, doc, 1, 'doc')).ttft);
      }
      out.keystrokeMs = median(latencies);
    }

    if (plan.alternatives) {
      out.alternatives = [];
      for (const n of [Math.min(...plan.contexts), long]) {
        const prompt = text(n);
        const key = `alt-${n}`;
        await timedGenerate(engine, prompt, 1, key); // the prompt is cached, as a document being edited is
        const one: number[] = [];
        const three: number[] = [];
        for (let r = 0; r < plan.reps; r++) {
          one.push((await timedGenerate(engine, prompt, plan.newTokens, key, 1)).total);
          three.push((await timedGenerate(engine, prompt, plan.newTokens, key, 3)).total);
        }
        out.alternatives.push({ context: n, one: best(one), three: best(three) });
      }
    }
  } finally {
    out.peakRssBytes = peakRss();
    await engine.dispose();
  }
  return out;
}
