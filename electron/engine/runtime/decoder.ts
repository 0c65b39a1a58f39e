/**
 * A decoder is one loaded GPT-2 graph plus the K/V cache it reads. Two graph layouts stand behind
 * this interface: Inkling's own (`inkling`: the step returns only the new K/V rows; the cache lives in
 * buffers owned here and passed back as zero-copy views) and third-party Hugging Face exports (`hf`:
 * full `present` tensors come back every step and replace the cache).
 */
import { InklingError } from '../../common/errors';

export interface DecoderInfo {
  format: 'inkling' | 'hf';
  nLayer: number;
  nEmbd: number;
  nHead: number;
  vocabSize: number;
  contextLength: number;
  device: string;
  fallbackReason?: string;
}

/** The cached keys/values of `batch` sequences that all hold `length` tokens. */
export interface KvState {
  readonly batch: number;
  readonly capacity: number;
  readonly length: number;
}

export type LogitsAt = 'last' | 'all';

/** One forward pass's output rows. */
export interface StepLogits {
  /** [rows, V] flat. */
  logits: Float32Array;
  /** log Σ exp(logits) of each row when the graph computes it (Inkling graphs), else null. */
  logSumExp: Float32Array | null;
}

/**
 * `S` is the decoder's own cache type: every method takes the states this decoder made, so none of
 * them needs to downcast a state (the engine keeps each decoder's states apart).
 */
export interface Decoder<S extends KvState = KvState> {
  readonly info: DecoderInfo;
  /** An empty cache for `batch` sequences of at most `capacity` tokens. */
  newState(batch: number, capacity: number): S;
  /**
   * Feeds tokens [B][S] at positions length..length+S-1 of every sequence, appends their K/V to
   * `state`, and returns logits as one flat buffer: [B, V] for 'last', [B*S, V] for 'all'.
   */
  forward(state: S, tokens: readonly (readonly number[])[], logitsAt: LogitsAt): Promise<StepLogits>;
  /** Forgets everything after the first `length` tokens (prefix reuse after an edit). */
  truncate(state: S, length: number): void;
  /** A batch-`batch` copy of a batch-1 state (alternatives sharing one prompt). */
  fork(state: S, batch: number, capacity: number): S;
  dispose(): Promise<void>;
}

/** More tokens than the K/V cache was made for (code `context_full`). */
export class CapacityError extends InklingError {
  constructor(message: string) {
    super('context_full', message);
    this.name = 'CapacityError';
  }
}

export function checkTokens(tokens: readonly (readonly number[])[], batch: number, vocabSize: number): number {
  if (tokens.length !== batch) throw new Error(`expected ${batch} token rows, got ${tokens.length}`);
  const s = tokens[0]?.length ?? 0;
  if (s === 0) throw new Error('forward() needs at least one token');
  for (const row of tokens) {
    if (row.length !== s) throw new Error('every batch row must have the same number of tokens');
    for (const id of row) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new Error(`token id ${id} is outside the vocabulary (0..${vocabSize - 1})`);
      }
    }
  }
  return s;
}
