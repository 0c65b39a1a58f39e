/**
 * The decoder for Inkling's own graph (electron/engine/graph/contract.ts).
 *
 * Cache layout, per layer, for K and V: Float32Array [batch, capacity, C] (C = n_embd, heads
 * interleaved). onnxruntime-node returns every output as a new buffer, so the graph returns only
 * this step's rows ([B, S, C]): at batch 1 the session writes them straight into the cache
 * (pre-allocated outputs), at batch > 1 we append them here.
 * - batch 1: the past is fed as the view [1, length, C] — zero-copy, no wasted attention. For a
 *   one-token step it goes in as `shared_key/value` (the graph's per-head decode path for rows the
 *   whole batch shares) with an empty `past`; for prompts as `past`.
 * - batch > 1: the rows of each sequence are not contiguous across the batch, so the whole buffer
 *   [B, capacity, C] is fed and attention_mask hides the unused rows (row order does not matter to
 *   attention; positions come from position_ids). Still zero-copy per step.
 * - fork (alternatives): the forked state does not copy the prompt. It keeps a view of the parent's
 *   first Q rows, fed as the graph's `shared_key/value` [1, Q, C] — read once per step for the whole
 *   batch — and has its own buffers only for the rows generated after the fork. The parent must not
 *   be truncated below Q or rewritten there while the fork is in use (the engine drops the fork at the
 *   end of the request). Graphs converted before shared inputs existed get a copying fork instead.
 */
import { INKLING_INPUTS, INKLING_OUTPUTS } from '../graph/contract';
import {
  CapacityError,
  checkTokens,
  type Decoder,
  type DecoderInfo,
  type KvState,
  type LogitsAt,
  type StepLogits,
} from './decoder';
import { floatTensor, int64Tensor, type OrtSession, type OrtTensor } from './ort';

/** Rows [0, length) of a batch-1 cache, read by forks. */
interface SharedRows {
  keys: Float32Array[];
  values: Float32Array[];
  length: number;
}

export class InklingKv implements KvState {
  /** Rows held per sequence, the shared ones included. */
  length = 0;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  constructor(
    readonly batch: number,
    /** Rows of this state's own buffers, per sequence. */
    readonly ownCapacity: number,
    readonly nLayer: number,
    readonly c: number,
    readonly shared: SharedRows | null = null,
  ) {
    const size = batch * ownCapacity * c;
    this.keys = Array.from({ length: nLayer }, () => new Float32Array(size));
    this.values = Array.from({ length: nLayer }, () => new Float32Array(size));
    this.length = shared?.length ?? 0;
  }

  get sharedLength(): number {
    return this.shared?.length ?? 0;
  }

  get capacity(): number {
    return this.sharedLength + this.ownCapacity;
  }
}

const EMPTY = new Float32Array(0);

function stepLogits(out: Record<string, OrtTensor>): StepLogits {
  const lse = out[INKLING_OUTPUTS.logSumExp] as OrtTensor | undefined;
  return {
    logits: out[INKLING_OUTPUTS.logits].data as Float32Array,
    logSumExp: lse ? (lse.data as Float32Array) : null,
  };
}

export class InklingDecoder implements Decoder<InklingKv> {
  /** Whether the graph takes shared_key/value inputs (graphs converted before them do not). */
  private readonly hasShared: boolean;
  /** Whether the graph returns each row's log-sum-exp (graphs converted before it do not). */
  private readonly hasLogSumExp: boolean;

  constructor(
    private readonly session: OrtSession,
    readonly info: DecoderInfo,
  ) {
    this.hasShared = session.inputNames.includes(INKLING_INPUTS.sharedKey(0));
    this.hasLogSumExp = session.outputNames.includes(INKLING_OUTPUTS.logSumExp);
  }

  newState(batch: number, capacity: number): InklingKv {
    if (capacity > this.info.contextLength) capacity = this.info.contextLength;
    return new InklingKv(batch, capacity, this.info.nLayer, this.info.nEmbd);
  }

  async forward(state: InklingKv, tokens: readonly (readonly number[])[], logitsAt: LogitsAt): Promise<StepLogits> {
    const { batch: b, ownCapacity, c, length: p, sharedLength: q } = state;
    const s = checkTokens(tokens, b, this.info.vocabSize);
    if (p + s > state.capacity)
      throw new CapacityError(`the cache holds ${state.capacity} tokens; ${p} + ${s} do not fit`);
    const own = p - q; // rows in this state's own buffers, per sequence

    const ids: number[] = [];
    const positions: number[] = [];
    for (const row of tokens) {
      for (let j = 0; j < s; j++) {
        ids.push(row[j]);
        positions.push(p + j);
      }
    }
    const full = b > 1; // see the header: batch > 1 feeds the whole buffer with a mask
    // A batch-1 one-token step feeds its own rows as the shared input: the graph's decode path reads
    // shared rows per head without the block-diagonal detour (graph/attention.ts).
    const ownAsShared = this.hasShared && !full && s === 1 && q === 0;
    const sharedRows = ownAsShared ? own : q;
    const pastRows = ownAsShared ? 0 : full ? ownCapacity : own;
    const mask: number[] = [];
    for (let bi = 0; bi < b; bi++) {
      for (let r = 0; r < sharedRows; r++) mask.push(1);
      for (let r = 0; r < pastRows; r++) mask.push(r < own ? 1 : 0);
      for (let j = 0; j < s; j++) mask.push(1);
    }
    const index: number[] = [];
    for (let bi = 0; bi < b; bi++) {
      if (logitsAt === 'last') index.push(bi * s + s - 1);
      else for (let j = 0; j < s; j++) index.push(bi * s + j);
    }

    const feeds: Record<string, OrtTensor> = {
      [INKLING_INPUTS.inputIds]: int64Tensor(ids, [b, s]),
      [INKLING_INPUTS.positionIds]: int64Tensor(positions, [b, s]),
      [INKLING_INPUTS.attentionMask]: int64Tensor(mask, [b, sharedRows + pastRows + s]),
      [INKLING_INPUTS.logitsIndex]: int64Tensor(index, [index.length]),
    };
    for (let i = 0; i < state.nLayer; i++) {
      if (ownAsShared) {
        feeds[INKLING_INPUTS.sharedKey(i)] = floatTensor(state.keys[i].subarray(0, own * c), [1, own, c]);
        feeds[INKLING_INPUTS.sharedValue(i)] = floatTensor(state.values[i].subarray(0, own * c), [1, own, c]);
        feeds[INKLING_INPUTS.pastKey(i)] = floatTensor(EMPTY, [1, 0, c]);
        feeds[INKLING_INPUTS.pastValue(i)] = floatTensor(EMPTY, [1, 0, c]);
        continue;
      }
      if (this.hasShared) {
        const sk = state.shared ? state.shared.keys[i].subarray(0, q * c) : EMPTY;
        const sv = state.shared ? state.shared.values[i].subarray(0, q * c) : EMPTY;
        feeds[INKLING_INPUTS.sharedKey(i)] = floatTensor(sk, [1, q, c]);
        feeds[INKLING_INPUTS.sharedValue(i)] = floatTensor(sv, [1, q, c]);
      }
      const k = full ? state.keys[i] : state.keys[i].subarray(0, own * c);
      const v = full ? state.values[i] : state.values[i].subarray(0, own * c);
      feeds[INKLING_INPUTS.pastKey(i)] = floatTensor(k, [b, pastRows, c]);
      feeds[INKLING_INPUTS.pastValue(i)] = floatTensor(v, [b, pastRows, c]);
    }
    // Batch 1: this step's rows [own, own + S) are contiguous in the sequence's buffers, so the
    // session writes new_key/value.i straight into them (pre-allocated outputs; disjoint from the
    // rows fed as input; the binding's own copy of each output is dropped). Batch > 1 interleaves
    // sequences: the rows come back and are copied.
    if (b === 1) {
      const fetches: Record<string, OrtTensor | null> = { [INKLING_OUTPUTS.logits]: null };
      if (this.hasLogSumExp) fetches[INKLING_OUTPUTS.logSumExp] = null;
      for (let i = 0; i < state.nLayer; i++) {
        fetches[INKLING_OUTPUTS.newKey(i)] = floatTensor(state.keys[i].subarray(own * c, (own + s) * c), [1, s, c]);
        fetches[INKLING_OUTPUTS.newValue(i)] = floatTensor(state.values[i].subarray(own * c, (own + s) * c), [1, s, c]);
      }
      const out = await this.session.run(feeds, fetches);
      state.length = p + s;
      return stepLogits(out);
    }
    const out = await this.session.run(feeds);

    // Append this step's rows: new_key.i is [B, S, C]; row j of sequence bi goes to own row `own + j`.
    for (let i = 0; i < state.nLayer; i++) {
      const nk = out[INKLING_OUTPUTS.newKey(i)].data as Float32Array;
      const nv = out[INKLING_OUTPUTS.newValue(i)].data as Float32Array;
      for (let bi = 0; bi < b; bi++) {
        const dst = (bi * ownCapacity + own) * c;
        state.keys[i].set(nk.subarray(bi * s * c, (bi + 1) * s * c), dst);
        state.values[i].set(nv.subarray(bi * s * c, (bi + 1) * s * c), dst);
      }
    }
    state.length = p + s;
    return stepLogits(out);
  }

  truncate(state: InklingKv, length: number): void {
    if (length < state.sharedLength || length > state.length) {
      throw new RangeError(
        `cannot truncate ${state.length} tokens to ${length}${state.sharedLength ? ` (the first ${state.sharedLength} are shared)` : ''}`,
      );
    }
    state.length = length; // rows past `length` are simply overwritten later
  }

  fork(src: InklingKv, batch: number, capacity: number): InklingKv {
    if (src.batch !== 1) throw new Error('fork() takes a batch-1 state');
    if (capacity > this.info.contextLength) capacity = this.info.contextLength;
    if (src.length > capacity) throw new CapacityError(`fork: ${src.length} tokens do not fit in ${capacity}`);
    if (this.hasShared && !src.shared) {
      // Share the parent's rows; own buffers only for what the alternatives add.
      const shared: SharedRows = { keys: src.keys, values: src.values, length: src.length };
      return new InklingKv(batch, capacity - src.length, src.nLayer, src.c, shared);
    }
    // Older graphs (or a fork of a fork): copy the prompt's rows into every sequence.
    const dst = new InklingKv(batch, capacity, src.nLayer, src.c);
    const q = src.sharedLength;
    const rows = (src.length - q) * src.c;
    for (let i = 0; i < src.nLayer; i++) {
      for (let bi = 0; bi < batch; bi++) {
        const at = bi * dst.ownCapacity * dst.c;
        if (src.shared) {
          dst.keys[i].set(src.shared.keys[i].subarray(0, q * src.c), at);
          dst.values[i].set(src.shared.values[i].subarray(0, q * src.c), at);
        }
        dst.keys[i].set(src.keys[i].subarray(0, rows), at + q * src.c);
        dst.values[i].set(src.values[i].subarray(0, rows), at + q * src.c);
      }
    }
    dst.length = src.length;
    return dst;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
