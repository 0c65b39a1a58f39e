/**
 * The decoder for Inkling's own graph (electron/engine/graph/contract.ts).
 *
 * Cache layout, per layer, for K and V: Float32Array [batch, capacity, C] (C = n_embd, heads
 * interleaved). onnxruntime-node copies every output into a new buffer, so the graph returns only
 * this step's rows ([B, S, C]) and we append them here.
 * - batch 1: the past is fed as the view [1, length, C] — zero-copy, no wasted attention.
 * - batch > 1: the rows of each sequence are not contiguous across the batch, so the whole buffer
 *   [B, capacity, C] is fed and attention_mask hides the unused rows (row order does not matter to
 *   attention; positions come from position_ids). Still zero-copy per step.
 */
import { INKLING_INPUTS, INKLING_OUTPUTS } from '../graph/contract';
import { CapacityError, checkTokens, type Decoder, type DecoderInfo, type KvState, type LogitsAt } from './decoder';
import { floatTensor, int64Tensor, type OrtSession, type OrtTensor } from './ort';

class InklingKv implements KvState {
  length = 0;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
  constructor(
    readonly batch: number,
    readonly capacity: number,
    readonly nLayer: number,
    readonly c: number,
  ) {
    const size = batch * capacity * c;
    this.keys = Array.from({ length: nLayer }, () => new Float32Array(size));
    this.values = Array.from({ length: nLayer }, () => new Float32Array(size));
  }
}

export class InklingDecoder implements Decoder {
  constructor(
    private readonly session: OrtSession,
    readonly info: DecoderInfo,
  ) {}

  newState(batch: number, capacity: number): KvState {
    if (capacity > this.info.contextLength) capacity = this.info.contextLength;
    return new InklingKv(batch, capacity, this.info.nLayer, this.info.nEmbd);
  }

  async forward(stateIn: KvState, tokens: readonly (readonly number[])[], logitsAt: LogitsAt): Promise<Float32Array> {
    const state = stateIn as InklingKv;
    const { batch: b, capacity, c, length: p } = { batch: state.batch, capacity: state.capacity, c: state.c, length: state.length };
    const s = checkTokens(tokens, b, this.info.vocabSize);
    if (p + s > capacity) throw new CapacityError(`the cache holds ${capacity} tokens; ${p} + ${s} do not fit`);

    const ids: number[] = [];
    const positions: number[] = [];
    for (const row of tokens) {
      for (let j = 0; j < s; j++) {
        ids.push(row[j]);
        positions.push(p + j);
      }
    }
    const full = b > 1; // see the header: batch > 1 feeds the whole buffer with a mask
    const pastRows = full ? capacity : p;
    const mask: number[] = [];
    for (let bi = 0; bi < b; bi++) {
      for (let r = 0; r < pastRows; r++) mask.push(r < p ? 1 : 0);
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
      [INKLING_INPUTS.attentionMask]: int64Tensor(mask, [b, pastRows + s]),
      [INKLING_INPUTS.logitsIndex]: int64Tensor(index, [index.length]),
    };
    for (let i = 0; i < state.nLayer; i++) {
      const k = full ? state.keys[i] : state.keys[i].subarray(0, p * c);
      const v = full ? state.values[i] : state.values[i].subarray(0, p * c);
      feeds[INKLING_INPUTS.pastKey(i)] = floatTensor(k, [b, pastRows, c]);
      feeds[INKLING_INPUTS.pastValue(i)] = floatTensor(v, [b, pastRows, c]);
    }
    const out = await this.session.run(feeds);

    // Append this step's rows: new_key.i is [B, S, C]; row j of sequence bi goes to cache row p + j.
    for (let i = 0; i < state.nLayer; i++) {
      const nk = out[INKLING_OUTPUTS.newKey(i)].data as Float32Array;
      const nv = out[INKLING_OUTPUTS.newValue(i)].data as Float32Array;
      for (let bi = 0; bi < b; bi++) {
        const dst = (bi * capacity + p) * c;
        state.keys[i].set(nk.subarray(bi * s * c, (bi + 1) * s * c), dst);
        state.values[i].set(nv.subarray(bi * s * c, (bi + 1) * s * c), dst);
      }
    }
    state.length = p + s;
    return out[INKLING_OUTPUTS.logits].data as Float32Array;
  }

  truncate(stateIn: KvState, length: number): void {
    const state = stateIn as InklingKv;
    if (length < 0 || length > state.length) throw new RangeError(`cannot truncate ${state.length} tokens to ${length}`);
    state.length = length; // rows past `length` are simply overwritten later
  }

  fork(stateIn: KvState, batch: number, capacity: number): KvState {
    const src = stateIn as InklingKv;
    if (src.batch !== 1) throw new Error('fork() takes a batch-1 state');
    const dst = this.newState(batch, capacity) as InklingKv;
    if (src.length > dst.capacity) throw new CapacityError(`fork: ${src.length} tokens do not fit in ${dst.capacity}`);
    const rows = src.length * src.c;
    for (let i = 0; i < src.nLayer; i++) {
      const k = src.keys[i].subarray(0, rows);
      const v = src.values[i].subarray(0, rows);
      for (let bi = 0; bi < batch; bi++) {
        dst.keys[i].set(k, bi * dst.capacity * dst.c);
        dst.values[i].set(v, bi * dst.capacity * dst.c);
      }
    }
    dst.length = src.length;
    return dst;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
