/**
 * The shapes every part of the engine agrees on: a GPT-2 configuration and its weights, named the
 * Hugging Face way without the optional `transformer.` prefix.
 *
 * Canonical tensor names and shapes (C = nEmbd, V = vocabSize, P = nPositions; Conv1D layout [in, out]):
 *   wte.weight [V, C]            wpe.weight [P, C]
 *   h.{i}.ln_1.weight|bias [C]   h.{i}.attn.c_attn.weight [C, 3C]  h.{i}.attn.c_attn.bias [3C]
 *   h.{i}.attn.c_proj.weight [C, C]  h.{i}.attn.c_proj.bias [C]
 *   h.{i}.ln_2.weight|bias [C]   h.{i}.mlp.c_fc.weight [C, 4C]  h.{i}.mlp.c_fc.bias [4C]
 *   h.{i}.mlp.c_proj.weight [4C, C]  h.{i}.mlp.c_proj.bias [C]
 *   ln_f.weight|bias [C]
 * The output head is tied to `wte.weight` (GPT-2 has no separate lm_head).
 */
export interface Gpt2Config {
  vocabSize: number;
  /** Context length (GPT-2: 1024). */
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  layerNormEpsilon: number;
  bosTokenId: number;
  eosTokenId: number;
}

export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

export interface Gpt2Weights {
  config: Gpt2Config;
  /** Returns the tensor by canonical name (see above); throws naming the tensor if absent. */
  get(name: string): Tensor32;
  /**
   * Rows [row0, row0 + count) of a tensor (along its first dimension), row-major, without reading
   * the rest: converters stream large tensors through this in pieces. Optional; callers fall back
   * to `get`. With `into`, the values may be written to its first values (and a view of them
   * returned) instead of a new array.
   */
  rows?(name: string, row0: number, count: number, into?: Float32Array): Float32Array;
  /**
   * Where the tensor's float32 bytes already lie in a file (path, byte offset), or null when they
   * are stored in another dtype: a graph can point at them instead of copying them. Optional.
   */
  locate?(name: string): { path: string; offset: number } | null;
  /**
   * For a graph being written: the tensor's bytes are not to be copied but referenced where they
   * lie, at `location` (relative to the graph's folder) and `offset`. Null: copy as usual. Optional.
   */
  external?(name: string): { location: string; offset: number } | null;
}

export type Precision = 'fp32' | 'fp16' | 'int8' | 'int4';
