/**
 * The decoder for Hugging Face / transformers.js ONNX exports (and Inkling's own `export-hf`).
 * Their graphs return the whole `present` cache [B, H, T, D] every step; it simply becomes the next
 * step's past. Input names are read from the session: `position_ids` may be absent, merged decoders
 * take `use_cache_branch`.
 */
import { HF_NAMES } from '../graph/contract';
import {
  CapacityError,
  checkTokens,
  type Decoder,
  type DecoderInfo,
  type KvState,
  type LogitsAt,
  type StepLogits,
} from './decoder';
import { floatTensor, int64Tensor, ort, type OrtSession, type OrtTensor } from './ort';

export class HfKv implements KvState {
  length = 0;
  keys: Float32Array[];
  values: Float32Array[];
  constructor(
    readonly batch: number,
    readonly capacity: number,
    nLayer: number,
  ) {
    this.keys = Array.from({ length: nLayer }, () => new Float32Array(0));
    this.values = Array.from({ length: nLayer }, () => new Float32Array(0));
  }
}

export interface HfInputs {
  hasPositionIds: boolean;
  hasUseCacheBranch: boolean;
}

/** Checks that a session looks like a GPT-2 decoder with a KV cache, naming what is missing. */
export function describeHfSession(session: OrtSession, nLayer: number, file: string): HfInputs {
  const inputs = new Set(session.inputNames);
  const outputs = new Set(session.outputNames);
  const missing: string[] = [];
  for (const name of ['input_ids', 'attention_mask']) if (!inputs.has(name)) missing.push(`input ${name}`);
  if (!outputs.has('logits')) missing.push('output logits');
  for (let i = 0; i < nLayer; i++) {
    if (!inputs.has(HF_NAMES.pastKey(i))) missing.push(`input ${HF_NAMES.pastKey(i)}`);
    if (!outputs.has(HF_NAMES.presentKey(i))) missing.push(`output ${HF_NAMES.presentKey(i)}`);
  }
  if (missing.length) {
    throw new Error(
      `${file}: not a GPT-2 decoder export with a KV cache (missing ${missing.slice(0, 4).join(', ')}` +
        `${missing.length > 4 ? ', …' : ''}). Export it "with past" (text-generation-with-past).`,
    );
  }
  return { hasPositionIds: inputs.has('position_ids'), hasUseCacheBranch: inputs.has('use_cache_branch') };
}

export class HfDecoder implements Decoder<HfKv> {
  private readonly headDim: number;
  constructor(
    private readonly session: OrtSession,
    readonly info: DecoderInfo,
    private readonly inputs: HfInputs,
  ) {
    this.headDim = info.nEmbd / info.nHead;
  }

  newState(batch: number, capacity: number): HfKv {
    return new HfKv(batch, Math.min(capacity, this.info.contextLength), this.info.nLayer);
  }

  async forward(state: HfKv, tokens: readonly (readonly number[])[], logitsAt: LogitsAt): Promise<StepLogits> {
    const b = state.batch;
    const p = state.length;
    const s = checkTokens(tokens, b, this.info.vocabSize);
    if (p + s > state.capacity)
      throw new CapacityError(`the cache holds ${state.capacity} tokens; ${p} + ${s} do not fit`);
    const { nHead, nLayer, vocabSize } = this.info;
    const ids = tokens.flat();
    const positions: number[] = [];
    for (let bi = 0; bi < b; bi++) for (let j = 0; j < s; j++) positions.push(p + j);
    const feeds: Record<string, OrtTensor> = {
      input_ids: int64Tensor(ids, [b, s]),
      attention_mask: int64Tensor(new Array<number>(b * (p + s)).fill(1), [b, p + s]),
    };
    if (this.inputs.hasPositionIds) feeds.position_ids = int64Tensor(positions, [b, s]);
    if (this.inputs.hasUseCacheBranch) feeds.use_cache_branch = new (ort().Tensor)('bool', [p > 0], [1]);
    for (let i = 0; i < nLayer; i++) {
      feeds[HF_NAMES.pastKey(i)] = floatTensor(state.keys[i], [b, nHead, p, this.headDim]);
      feeds[HF_NAMES.pastValue(i)] = floatTensor(state.values[i], [b, nHead, p, this.headDim]);
    }
    const out = await this.session.run(feeds);
    for (let i = 0; i < nLayer; i++) {
      state.keys[i] = out[HF_NAMES.presentKey(i)].data as Float32Array;
      state.values[i] = out[HF_NAMES.presentValue(i)].data as Float32Array;
    }
    state.length = p + s;
    const logits = out.logits.data as Float32Array; // [B, S, V]
    if (logitsAt === 'all') return { logits, logSumExp: null };
    const last = new Float32Array(b * vocabSize);
    for (let bi = 0; bi < b; bi++)
      last.set(logits.subarray((bi * s + s - 1) * vocabSize, (bi * s + s) * vocabSize), bi * vocabSize);
    return { logits: last, logSumExp: null };
  }

  truncate(state: HfKv, length: number): void {
    if (length < 0 || length > state.length)
      throw new RangeError(`cannot truncate ${state.length} tokens to ${length}`);
    if (length === state.length) return;
    const rows = (src: Float32Array) => this.copyRows(src, state.batch, state.length, length);
    state.keys = state.keys.map(rows);
    state.values = state.values.map(rows);
    state.length = length;
  }

  fork(src: HfKv, batch: number, capacity: number): HfKv {
    if (src.batch !== 1) throw new Error('fork() takes a batch-1 state');
    const dst = this.newState(batch, capacity);
    if (src.length > dst.capacity) throw new CapacityError(`fork: ${src.length} tokens do not fit in ${dst.capacity}`);
    const rep = (t: Float32Array) => {
      const outBuf = new Float32Array(t.length * batch);
      for (let bi = 0; bi < batch; bi++) outBuf.set(t, bi * t.length);
      return outBuf;
    };
    dst.keys = src.keys.map(rep);
    dst.values = src.values.map(rep);
    dst.length = src.length;
    return dst;
  }

  /** Copies the first `keep` of `len` rows of a [B, H, len, D] tensor. */
  private copyRows(src: Float32Array, b: number, len: number, keep: number): Float32Array {
    const { nHead } = this.info;
    const d = this.headDim;
    const out = new Float32Array(b * nHead * keep * d);
    for (let bh = 0; bh < b * nHead; bh++) {
      out.set(src.subarray(bh * len * d, bh * len * d + keep * d), bh * keep * d);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
