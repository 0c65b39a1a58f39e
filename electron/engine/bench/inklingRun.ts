/** Inkling's engine on one converted model, as a benchmark subject (runs inside a child process). */
import { loadModel, type Engine } from '../runtime';
import type { Subject, SubjectSpec, Timed } from './figures';
import { benchTexts } from './text';

/** Greedy, no penalties, <|endoftext|> banned so every run generates exactly maxNewTokens. */
function params(maxNewTokens: number, alternatives = 1): Record<string, unknown> {
  return { temperature: 0, repetitionPenalty: 1, maxNewTokens, alternatives, logitBias: { 50256: -Infinity } };
}

export class InklingSubject implements Subject {
  private engine: Engine | null = null;
  private readonly texts = benchTexts();
  /** The document each keystroke extends, per context length. */
  private docs = new Map<number, string>();
  cpuNote?: string;

  constructor(
    readonly spec: SubjectSpec,
    private readonly session: { threads?: number; spinning?: boolean; onnxruntimeThreads?: boolean },
  ) {}

  private get e(): Engine {
    if (!this.engine) throw new Error(`${this.spec.label}: not loaded`);
    return this.engine;
  }

  private text(n: number): string {
    return this.texts.tokenizer.decode(this.texts.ids(n));
  }

  async load(): Promise<number> {
    const t0 = performance.now();
    const loaded = await loadModel(this.spec.dir, this.session);
    this.engine = loaded.engine;
    this.cpuNote = loaded.info.cpuNote;
    return performance.now() - t0;
  }

  private async timed(prompt: string, maxNewTokens: number, cacheKey?: string, alternatives = 1): Promise<Timed> {
    const stamps: number[] = [];
    const t0 = performance.now();
    await this.e.generate({ prompt, cacheKey, params: params(maxNewTokens, alternatives) }, (ev) => {
      if (ev.kind === 'token' && ev.alternative === 0) stamps.push(performance.now());
    });
    const total = performance.now() - t0;
    if (stamps.length !== maxNewTokens)
      throw new Error(`${this.spec.label}: expected ${maxNewTokens} tokens, got ${stamps.length}`);
    return { ttft: stamps[0] - t0, stamps, total };
  }

  generate(context: number, newTokens: number): Promise<Timed> {
    return this.timed(this.text(context), newTokens);
  }

  async keystroke(context: number, k: number): Promise<number> {
    // The writer's document is already cached; each keystroke adds a word and asks for a continuation.
    const key = `doc-${context}`;
    let doc = this.docs.get(context);
    if (doc === undefined) {
      doc = this.text(context);
      await this.timed(doc, 1, key);
    }
    doc += this.texts.words[k % this.texts.words.length];
    this.docs.set(context, doc);
    return (await this.timed(doc, 1, key)).ttft;
  }

  async alternatives(context: number, newTokens: number, n: number): Promise<number> {
    // The prompt is cached, as a document being edited is; the alternatives share its K/V.
    const key = `alt-${context}`;
    const prompt = this.text(context);
    await this.timed(prompt, 1, key);
    return (await this.timed(prompt, newTokens, key, n)).total;
  }

  async dispose(): Promise<void> {
    await this.engine?.dispose();
    this.engine = null;
  }
}
