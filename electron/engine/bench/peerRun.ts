/**
 * The peer: @huggingface/transformers (transformers.js) generating greedily from Inkling's Hugging
 * Face layout export of the same weights, fp32, CPU, onnxruntime's default session settings (runs
 * inside a child process). It has no prefix cache: every request re-reads its whole prompt.
 */
import path from 'node:path';
import { best, decodeRate, median, peakRss, type RunFigures, type RunPlan } from './figures';
import { benchTexts } from './text';

interface Timed {
  ttft: number;
  stamps: number[];
  total: number;
}

export async function runPeer(plan: RunPlan): Promise<RunFigures> {
  const baseRssBytes = process.memoryUsage().rss;
  const { AutoModelForCausalLM, Tensor, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.dirname(plan.dir);
  const texts = benchTexts();
  const t0 = performance.now();
  const model = await AutoModelForCausalLM.from_pretrained(path.basename(plan.dir), { dtype: 'fp32', device: 'cpu' });
  const loadMs = performance.now() - t0;

  /** Generates exactly `newTokens` greedy tokens for each of `batch` copies of `ids`. */
  async function generate(ids: number[], newTokens: number, batch = 1): Promise<Timed> {
    const rows = Array.from({ length: batch }, () => ids).flat();
    const stamps: number[] = [];
    let puts = 0;
    // The streamer's put() sees the prompt first, then each step's new tokens.
    const streamer = {
      put: () => {
        if (puts++ > 0) stamps.push(performance.now());
      },
      end: () => {},
    };
    const start = performance.now();
    await model.generate({
      input_ids: new Tensor('int64', BigInt64Array.from(rows.map(BigInt)), [batch, ids.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(rows.length).fill(1n), [batch, ids.length]),
      max_new_tokens: newTokens,
      min_new_tokens: newTokens,
      do_sample: false,
      // transformers.js types the streamer as its TextStreamer class; any object with put/end works.
      streamer: streamer as never,
    });
    const total = performance.now() - start;
    if (stamps.length !== newTokens) throw new Error(`peer: expected ${newTokens} tokens, got ${stamps.length}`);
    return { ttft: stamps[0] - start, stamps, total };
  }

  const out: RunFigures = { label: plan.label, loadMs, decode: {}, prefill: {}, peakRssBytes: 0, baseRssBytes };
  try {
    if (plan.memoryOnly) {
      await generate(texts.ids(Math.max(...plan.contexts)), plan.newTokens);
      return out;
    }
    await generate(texts.ids(16), 4); // warm-up
    for (const n of plan.contexts) {
      const rates: number[] = [];
      const prefills: number[] = [];
      for (let r = 0; r < plan.reps; r++) {
        const t = await generate(texts.ids(n), plan.newTokens);
        rates.push(decodeRate(t.stamps));
        prefills.push((n * 1000) / t.ttft);
      }
      out.decode[n] = Math.max(...rates);
      out.prefill[n] = Math.max(...prefills);
    }
    const long = Math.max(...plan.contexts);
    if (plan.keystroke) {
      // No prefix cache: the document plus the new word is read again from the start.
      const latencies: number[] = [];
      const doc = texts.tokenizer.decode(texts.ids(long));
      let typed = doc;
      for (const w of texts.words.slice(0, Math.max(1, plan.reps))) {
        typed += w;
        latencies.push((await generate(texts.tokenizer.encode(typed), 1)).ttft);
      }
      out.keystrokeMs = median(latencies);
    }
    if (plan.alternatives) {
      // Three continuations = a batch of three copies of the prompt (greedy, as Inkling's are timed).
      const n = Math.min(...plan.contexts);
      const one: number[] = [];
      const three: number[] = [];
      for (let r = 0; r < plan.reps; r++) {
        one.push((await generate(texts.ids(n), plan.newTokens, 1)).total);
        three.push((await generate(texts.ids(n), plan.newTokens, 3)).total);
      }
      out.alternatives = [{ context: n, one: best(one), three: best(three) }];
    }
  } finally {
    out.peakRssBytes = peakRss();
    await model.dispose();
  }
  return out;
}
