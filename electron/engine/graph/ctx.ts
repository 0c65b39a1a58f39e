/** What every block of the graph builder reads: the builder, the weights, the config and the options. */
import type { Gpt2Config, Precision } from '../weights/types';
import type { GraphBuilder } from './builder';
import type { Params } from './params';

export type GraphLayout = 'inkling' | 'hf';

/**
 * Optional rewrites of the plain ONNX graph; FAST (build.ts) turns on those that measured faster
 * (or as fast and leaner) on CPU — the measurements are in docs/BENCHMARKS.md. All of them compute
 * the same function; the fp32 reference tests hold for every combination.
 */
export interface GraphOptimizations {
  /**
   * One-token steps read the cached K/V rows in place (no concatenation, no transposes): an `If` on
   * the step length picks this path for S = 1 and the plain attention for prompts.
   */
  decodeAttention: boolean;
  /**
   * Prompts (S > 1) in the Inkling layout: com.microsoft MultiHeadAttention over the appended
   * cache instead of the plain MatMul/Softmax/MatMul (one score buffer, no head transposes).
   */
  fusedPromptAttention: boolean;
  /** com.microsoft SkipLayerNormalization: residual add + bias + LayerNorm in one pass. */
  skipLayerNorm: boolean;
  /** com.microsoft FastGelu with the c_fc bias folded in (GPT-2's tanh GELU exactly). */
  fastGelu: boolean;
  /**
   * MatMulNBits accuracy_level: 4 = int8 activations (VNNI dot products), 0 = fp32 compute (exact
   * on the stored weights; int8 has no fast kernel for it).
   */
  accuracyLevel: 0 | 1 | 4;
}

export const PLAIN: GraphOptimizations = {
  decodeAttention: false,
  fusedPromptAttention: false,
  skipLayerNorm: false,
  fastGelu: false,
  accuracyLevel: 0,
};

export interface Ctx {
  g: GraphBuilder;
  p: Params;
  cfg: Gpt2Config;
  layout: GraphLayout;
  precision: Precision;
  opt: GraphOptimizations;
  C: number;
  H: number;
  D: number;
}

/** Cached keys/values of one layer, in the layout's own shape. */
export interface LayerCache {
  pastKey: string;
  pastValue: string;
  /** Inkling layout: rows [1,Q,C] shared by every sequence of the batch, before the past rows. */
  sharedKey?: string;
  sharedValue?: string;
}

/** Symbolic dimension names shown in the graph's input/output shapes. */
export const DIM = {
  batch: 'batch',
  seq: 'sequence',
  shared: 'shared_sequence',
  past: 'past_sequence',
  total: 'total_sequence',
  n: 'num_logits',
} as const;
