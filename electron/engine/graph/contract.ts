/**
 * The I/O contract of Inkling's own ONNX graph ("inkling" layout). The runtime depends on exactly
 * these names and shapes; the builder produces exactly them.
 *
 * Inputs
 *   input_ids        int64   [B, S]          new tokens of this step
 *   position_ids     int64   [B, S]          their positions (0-based, < nPositions)
 *   attention_mask   int64   [B, Q + P + S]  1 = attend, 0 = ignore (padding, unused cache rows)
 *   logits_index     int64   [N]             which of the B*S new positions (flattened, b*S + s) get logits
 *   shared_key.{i}   float32 [1, Q, C]       cached rows every sequence of the batch shares (the prompt
 *   shared_value.{i} float32 [1, Q, C]       of batched alternatives), read once per step; Q may be 0
 *   past_key.{i}     float32 [B, P, C]       layer i's cached keys of each sequence (after the shared
 *   past_value.{i}   float32 [B, P, C]       rows), sequence-major: heads interleaved in the last dim
 *                                            as [H, D] (the natural c_attn output)
 * Outputs
 *   logits           float32 [N, V]
 *   logsumexp        float32 [N]             log Σ exp(logits) per row (max + log Σ exp(x − max)): the normaliser of every log-probability
 *                                            the engine reports (graphs converted before it lack it; the
 *                                            runtime then computes it in JavaScript)
 *   new_key.{i}      float32 [B, S, C]       only the rows of this step; the engine appends them to
 *   new_value.{i}    float32 [B, S, C]       its own cache buffers
 * Key rows are ordered shared (0..Q-1), past (Q..Q+P-1), new (Q+P..); attention is causal: new token s
 * (at row Q + P + s) sees the rows up to its own whose mask is 1.
 */
export const INKLING_INPUTS = {
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  attentionMask: 'attention_mask',
  logitsIndex: 'logits_index',
  sharedKey: (i: number) => `shared_key.${i}`,
  sharedValue: (i: number) => `shared_value.${i}`,
  pastKey: (i: number) => `past_key.${i}`,
  pastValue: (i: number) => `past_value.${i}`,
} as const;

export const INKLING_OUTPUTS = {
  logits: 'logits',
  logSumExp: 'logsumexp',
  newKey: (i: number) => `new_key.${i}`,
  newValue: (i: number) => `new_value.${i}`,
} as const;

/**
 * The Hugging Face / transformers.js layout ("hf"):
 *   inputs  input_ids [B,S] int64, attention_mask [B,P+S] int64, position_ids [B,S] int64,
 *           past_key_values.{i}.key|value float32 [B, H, P, D]
 *   outputs logits [B, S, V], present.{i}.key|value [B, H, P+S, D]
 */
export const HF_NAMES = {
  pastKey: (i: number) => `past_key_values.${i}.key`,
  pastValue: (i: number) => `past_key_values.${i}.value`,
  presentKey: (i: number) => `present.${i}.key`,
  presentValue: (i: number) => `present.${i}.value`,
} as const;
