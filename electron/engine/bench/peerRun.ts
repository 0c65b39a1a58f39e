/**
 * The peer: @huggingface/transformers (transformers.js) generating greedily from Inkling's Hugging
 * Face layout export of the same weights, fp32, CPU (runs inside a child process). It gets the same
 * onnxruntime session settings as Inkling (the automatic thread count, no spinning: see runtime/ort.ts), so
 * the comparison is of the engines, not of their settings. It has no prefix cache: every request
 * re-reads its whole prompt; three continuations are a batch of three copies of the prompt.
 */
import path from 'node:path';
import { resolveSpinning } from '../runtime/ort';
import { resolveThreads } from '../runtime/threads';
import type { Subject, SubjectSpec, Timed } from './figures';
import { benchTexts } from './text';

type Transformers = typeof import('@huggingface/transformers');
type Model = Awaited<ReturnType<Transformers['AutoModelForCausalLM']['from_pretrained']>>;

export class PeerSubject implements Subject {
  private tf: Transformers | null = null;
  private model: Model | null = null;
  private readonly texts = benchTexts();

  constructor(
    readonly spec: SubjectSpec,
    private readonly session: { threads?: number; spinning?: boolean; onnxruntimeThreads?: boolean },
  ) {}

  async load(): Promise<number> {
    const tf = await import('@huggingface/transformers');
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.localModelPath = path.dirname(this.spec.dir);
    // The same spinning rule as Inkling's sessions (automatic: decided from the CPUs' use now).
    const { spinning } = await resolveSpinning(this.session);
    const t0 = performance.now();
    this.model = await tf.AutoModelForCausalLM.from_pretrained(path.basename(this.spec.dir), {
      dtype: 'fp32',
      device: 'cpu',
      session_options: {
        // The same thread count as Inkling's (automatic unless the plan says otherwise): engines, not settings.
        ...(this.session.onnxruntimeThreads ? {} : { intraOpNumThreads: resolveThreads(this.session.threads) }),
        extra: {
          session: {
            intra_op: { allow_spinning: spinning ? '1' : '0' },
            ...(spinning ? { force_spinning_stop: '1' } : {}),
          },
        },
      },
    });
    this.tf = tf;
    return performance.now() - t0;
  }

  /** Generates exactly `newTokens` greedy tokens for each of `batch` copies of `ids`. */
  private async run(ids: number[], newTokens: number, batch = 1): Promise<Timed> {
    if (!this.tf || !this.model) throw new Error(`${this.spec.label}: not loaded`);
    const { Tensor } = this.tf;
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
    await this.model.generate({
      input_ids: new Tensor('int64', BigInt64Array.from(rows.map(BigInt)), [batch, ids.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(rows.length).fill(1n), [batch, ids.length]),
      max_new_tokens: newTokens,
      min_new_tokens: newTokens,
      do_sample: false,
      // transformers.js types the streamer as its own class; any object with put/end works.
      streamer: streamer as never,
    });
    const total = performance.now() - start;
    if (stamps.length !== newTokens) throw new Error(`peer: expected ${newTokens} tokens, got ${stamps.length}`);
    return { ttft: stamps[0] - start, stamps, total };
  }

  generate(context: number, newTokens: number): Promise<Timed> {
    return this.run(this.texts.ids(context), newTokens);
  }

  async keystroke(context: number, k: number): Promise<number> {
    // No prefix cache: the document plus the new word is read again from the start.
    const typed = this.texts.tokenizer.decode(this.texts.ids(context)) + this.texts.words.slice(0, k + 1).join('');
    return (await this.run(this.texts.tokenizer.encode(typed), 1)).ttft;
  }

  async alternatives(context: number, newTokens: number, n: number): Promise<number> {
    return (await this.run(this.texts.ids(context), newTokens, n)).total;
  }

  async dispose(): Promise<void> {
    await this.model?.dispose();
    this.model = null;
  }
}
