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
}

export type Precision = 'fp32' | 'fp16' | 'int8' | 'int4';
