/**
 * GPT-2 as an ONNX graph, one function per part of the model (read it like nanoGPT's model.py):
 *
 *   x = embed(input_ids, position_ids)            wte[ids] + wpe[pos]
 *   for each layer i:
 *     x = x + attn(ln_1(x))                       causal self-attention with a K/V cache
 *     x = x + mlp(ln_2(x))                        c_fc → gelu_new → c_proj
 *   logits = lm_head(ln_f(x))                     tied to wte
 *
 * Two I/O layouts share these blocks (see contract.ts):
 *   "inkling" – past K/V in as [B, P, C], only this step's K/V rows out, logits only at
 *               `logits_index` (gathered *before* ln_f and the vocabulary projection).
 *   "hf"      – the Hugging Face / transformers.js export: past_key_values [B, H, P, D] in,
 *               present [B, H, P+S, D] and logits [B, S, V] for every position out.
 * Shapes in comments: B batch, S new tokens, P cached tokens, T = P + S, C n_embd, H heads,
 * D = C / H, V vocabulary, N requested logits rows.
 */
import type { Gpt2Config, Gpt2Weights } from '../weights/types';
import { GraphBuilder, type SavedModel } from './builder';
import { HF_NAMES, INKLING_INPUTS, INKLING_OUTPUTS } from './contract';
import { DataType } from './onnx';
import { checkConfig, paramRegistry } from './params';

export type GraphLayout = 'inkling' | 'hf';

export interface BuildOptions {
  layout: GraphLayout;
  precision?: 'fp32';
}

/**
 * Added to the scores of masked positions. Finite on purpose: a row whose every position is masked
 * (a left-padding query row) then softmaxes to a uniform distribution instead of NaN (-inf - -inf),
 * and -1e9 swamps any real score so masked keys get exactly zero weight in normal rows.
 */
export const MASK_VALUE = -1e9;

/** Symbolic dimension names shown in the graph's input/output shapes. */
const DIM = { batch: 'batch', seq: 'sequence', past: 'past_sequence', total: 'total_sequence', n: 'num_logits' };

interface Ctx {
  g: GraphBuilder;
  /** Value name of a canonical weight (registered on first use). */
  w: (name: string) => string;
  cfg: Gpt2Config;
  layout: GraphLayout;
  C: number;
  H: number;
  D: number;
}

/** Cached keys/values of one layer, in the layout's own shape. */
interface LayerCache {
  pastKey: string;
  pastValue: string;
}

// ---------------------------------------------------------------------------------------------
// Blocks

/** [B,S] ids, [B,S] positions → [B,S,C] */
function embed({ g, w }: Ctx, inputIds: string, positionIds: string): string {
  const tok = g.op('Gather', [w('wte.weight'), inputIds], { axis: 0 }); // [B,S,C]
  const pos = g.op('Gather', [w('wpe.weight'), positionIds], { axis: 0 }); // [B,S,C]
  return g.op('Add', [tok, pos]);
}

/** LayerNorm over the last dim with GPT-2's learned scale/shift: [..., C] → [..., C] */
function layerNorm({ g, w, cfg }: Ctx, x: string, prefix: string): string {
  return g.op('LayerNormalization', [x, w(`${prefix}.weight`), w(`${prefix}.bias`)], {
    axis: -1,
    epsilon: { float: cfg.layerNormEpsilon },
  });
}

const ln_1 = (ctx: Ctx, i: number, x: string) => layerNorm(ctx, x, `h.${i}.ln_1`);
const ln_2 = (ctx: Ctx, i: number, x: string) => layerNorm(ctx, x, `h.${i}.ln_2`);
const ln_f = (ctx: Ctx, x: string) => layerNorm(ctx, x, 'ln_f');

/** Conv1D (weight stored [in, out]): [..., in] → [..., out] */
function linear({ g, w }: Ctx, x: string, prefix: string): string {
  return g.op('Add', [g.op('MatMul', [x, w(`${prefix}.weight`)]), w(`${prefix}.bias`)]);
}

/** [B,L,C] → [B,H,L,D] */
function splitHeads({ g, H, D }: Ctx, x: string): string {
  const r = g.op('Reshape', [x, g.constI64([0, 0, H, D])]); // [B,L,H,D]
  return g.op('Transpose', [r], { perm: [0, 2, 1, 3] });
}

/**
 * Causal self-attention of layer i. x: [B,S,C] (already ln_1'd); bias: [B,1,S,T] additive mask.
 * Returns [B,S,C]. Emits the layer's cache outputs as a side effect (names per layout).
 */
function attn(ctx: Ctx, i: number, x: string, bias: string, cache: LayerCache): string {
  const { g, C, H, D, layout } = ctx;
  const qkv = linear(ctx, x, `h.${i}.attn.c_attn`); // [B,S,3C]
  const splitNames =
    layout === 'inkling'
      ? [`h.${i}.attn.q`, INKLING_OUTPUTS.newKey(i), INKLING_OUTPUTS.newValue(i)]
      : [`h.${i}.attn.q`, `h.${i}.attn.k`, `h.${i}.attn.v`];
  const [q, k, v] = g.opN('Split', [qkv, g.constI64([C, C, C])], { axis: 2 }, { outputs: splitNames }); // 3 × [B,S,C]

  let kT: string; // [B,H,D,T]
  let vAll: string; // [B,H,T,D]
  if (layout === 'inkling') {
    // The cache is sequence-major [B,P,C]: append the new rows, then view as heads.
    const kCat = g.op('Concat', [cache.pastKey, k], { axis: 1 }); // [B,T,C]
    const vCat = g.op('Concat', [cache.pastValue, v], { axis: 1 }); // [B,T,C]
    kT = g.op('Transpose', [g.op('Reshape', [kCat, g.constI64([0, 0, H, D])])], { perm: [0, 2, 3, 1] });
    vAll = splitHeads(ctx, vCat);
  } else {
    // The cache is head-major [B,H,P,D] and the whole grown cache is an output ("present").
    const kAll = g.op('Concat', [cache.pastKey, splitHeads(ctx, k)], { axis: 2 }, HF_NAMES.presentKey(i));
    vAll = g.op('Concat', [cache.pastValue, splitHeads(ctx, v)], { axis: 2 }, HF_NAMES.presentValue(i));
    kT = g.op('Transpose', [kAll], { perm: [0, 1, 3, 2] });
  }

  // att = softmax(q·kᵀ / sqrt(D) + bias); scaling q (S rows) is cheaper than scaling scores (S×T).
  const qh = g.op('Mul', [splitHeads(ctx, q), g.constF32([1 / Math.sqrt(D)])]); // [B,H,S,D]
  const scores = g.op('Add', [g.op('MatMul', [qh, kT]), bias]); // [B,H,S,T]
  const att = g.op('Softmax', [scores], { axis: -1 }); // [B,H,S,T]
  const y = g.op('MatMul', [att, vAll]); // [B,H,S,D]
  const merged = g.op('Reshape', [g.op('Transpose', [y], { perm: [0, 2, 1, 3] }), g.constI64([0, 0, C])]); // [B,S,C]
  return linear(ctx, merged, `h.${i}.attn.c_proj`);
}

/** gelu_new: 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), composed from opset-17 ops. */
function geluNew({ g }: Ctx, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [x3, g.constF32([0.044715])])]), g.constF32([Math.sqrt(2 / Math.PI)])]);
  const onePlusTanh = g.op('Add', [g.op('Tanh', [inner]), g.constF32([1])]);
  return g.op('Mul', [g.op('Mul', [x, g.constF32([0.5])]), onePlusTanh]);
}

/** [B,S,C] → [B,S,C] */
function mlp(ctx: Ctx, i: number, x: string): string {
  const h = linear(ctx, x, `h.${i}.mlp.c_fc`); // [B,S,4C]
  return linear(ctx, geluNew(ctx, h), `h.${i}.mlp.c_proj`); // [B,S,C]
}

/** Pre-LayerNorm transformer block: [B,S,C] → [B,S,C] */
function block(ctx: Ctx, i: number, x: string, bias: string, cache: LayerCache): string {
  return ctx.g.scope(`h.${i}`, () => {
    const a = ctx.g.op('Add', [x, attn(ctx, i, ln_1(ctx, i, x), bias, cache)]);
    return ctx.g.op('Add', [a, mlp(ctx, i, ln_2(ctx, i, a))]);
  });
}

/** Output head tied to the token embedding: [M,C] · wteᵀ → [M,V] (Gemm transB reads wte in place). */
function lm_head({ g, w }: Ctx, x: string, outputName?: string): string {
  return g.op('Gemm', [x, w('wte.weight')], { transB: 1 }, outputName);
}

/**
 * Additive attention mask [B,1,S,T]: 0 where new token s (absolute row P+s) may see key row t
 * (t ≤ P+s and attention_mask[b,t] = 1), MASK_VALUE elsewhere. Computed once, shared by all layers.
 */
function attentionBias({ g }: Ctx, inputIds: string, attentionMask: string): string {
  return g.scope('mask', () => {
    const axis0 = g.constI64([0]);
    const S = g.op('Squeeze', [g.op('Shape', [inputIds], { start: 1, end: 2 }), axis0]); // scalar
    const T = g.op('Squeeze', [g.op('Shape', [attentionMask], { start: 1, end: 2 }), axis0]); // scalar
    const P = g.op('Sub', [T, S]);
    const one = g.constI64([1], []);
    const keyPos = g.op('Range', [g.constI64([0], []), T, one]); // [T]   0..T-1
    const queryPos = g.op('Range', [P, T, one]); // [S]   P..T-1
    const causal = g.op('LessOrEqual', [
      g.op('Unsqueeze', [keyPos, g.constI64([0])]), // [1,T]
      g.op('Unsqueeze', [queryPos, g.constI64([1])]), // [S,1]
    ]); // [S,T]
    const keep = g.op('Unsqueeze', [g.op('Cast', [attentionMask], { to: DataType.BOOL }), g.constI64([1, 2])]); // [B,1,1,T]
    const allowed = g.op('And', [causal, keep]); // [B,1,S,T]
    return g.op('Where', [allowed, g.constF32([0]), g.constF32([MASK_VALUE])]);
  });
}

// ---------------------------------------------------------------------------------------------
// Layouts

function inklingGraph(ctx: Ctx): void {
  const { g, cfg, C } = ctx;
  const { batch: B, seq: S, past: P, total: T, n: N } = DIM;
  const I = INKLING_INPUTS;
  const inputIds = g.input(I.inputIds, DataType.INT64, [B, S]);
  const positionIds = g.input(I.positionIds, DataType.INT64, [B, S]);
  const attentionMask = g.input(I.attentionMask, DataType.INT64, [B, T]);
  const logitsIndex = g.input(I.logitsIndex, DataType.INT64, [N]);
  const caches: LayerCache[] = [];
  for (let i = 0; i < cfg.nLayer; i++) {
    caches.push({ pastKey: g.input(I.pastKey(i), DataType.FLOAT, [B, P, C]), pastValue: g.input(I.pastValue(i), DataType.FLOAT, [B, P, C]) });
  }

  const bias = attentionBias(ctx, inputIds, attentionMask); // [B,1,S,T]
  let x = embed(ctx, inputIds, positionIds); // [B,S,C]
  for (let i = 0; i < cfg.nLayer; i++) x = block(ctx, i, x, bias, caches[i]);

  // Only the requested rows go through ln_f and the (large) vocabulary projection.
  const rows = g.op('Gather', [g.op('Reshape', [x, g.constI64([-1, C])]), logitsIndex], { axis: 0 }); // [N,C]
  lm_head(ctx, ln_f(ctx, rows), INKLING_OUTPUTS.logits); // [N,V]

  g.output(INKLING_OUTPUTS.logits, DataType.FLOAT, [N, cfg.vocabSize]);
  for (let i = 0; i < cfg.nLayer; i++) {
    g.output(INKLING_OUTPUTS.newKey(i), DataType.FLOAT, [B, S, C]);
    g.output(INKLING_OUTPUTS.newValue(i), DataType.FLOAT, [B, S, C]);
  }
}

function hfGraph(ctx: Ctx): void {
  const { g, cfg, C, H, D } = ctx;
  const { batch: B, seq: S, past: P, total: T } = DIM;
  const inputIds = g.input('input_ids', DataType.INT64, [B, S]);
  const attentionMask = g.input('attention_mask', DataType.INT64, [B, T]);
  const positionIds = g.input('position_ids', DataType.INT64, [B, S]);
  const caches: LayerCache[] = [];
  for (let i = 0; i < cfg.nLayer; i++) {
    caches.push({
      pastKey: g.input(HF_NAMES.pastKey(i), DataType.FLOAT, [B, H, P, D]),
      pastValue: g.input(HF_NAMES.pastValue(i), DataType.FLOAT, [B, H, P, D]),
    });
  }

  const bias = attentionBias(ctx, inputIds, attentionMask); // [B,1,S,T]
  let x = embed(ctx, inputIds, positionIds); // [B,S,C]
  for (let i = 0; i < cfg.nLayer; i++) x = block(ctx, i, x, bias, caches[i]);

  const flat = g.op('Reshape', [ln_f(ctx, x), g.constI64([-1, C])]); // [B*S,C]
  const outShape = g.op('Concat', [g.op('Shape', [inputIds]), g.constI64([cfg.vocabSize])], { axis: 0 }); // [B,S,V]
  g.op('Reshape', [lm_head(ctx, flat), outShape], {}, 'logits'); // [B,S,V]

  g.output('logits', DataType.FLOAT, [B, S, cfg.vocabSize]);
  for (let i = 0; i < cfg.nLayer; i++) {
    g.output(HF_NAMES.presentKey(i), DataType.FLOAT, [B, H, T, D]);
    g.output(HF_NAMES.presentValue(i), DataType.FLOAT, [B, H, T, D]);
  }
}

/** Builds the graph in memory (weights are referenced, not copied). */
export function defineGraph(weights: Gpt2Weights, opts: BuildOptions): GraphBuilder {
  const cfg = weights.config;
  checkConfig(cfg);
  if ((opts.precision ?? 'fp32') !== 'fp32') {
    throw new Error(`graph precision "${String(opts.precision)}" is not supported by buildGraph (only fp32)`);
  }
  const g = new GraphBuilder(`gpt2_${opts.layout}`);
  const ctx: Ctx = { g, w: paramRegistry(g, weights), cfg, layout: opts.layout, C: cfg.nEmbd, H: cfg.nHead, D: cfg.nEmbd / cfg.nHead };
  if (opts.layout === 'inkling') inklingGraph(ctx);
  else if (opts.layout === 'hf') hfGraph(ctx);
  else throw new Error(`unknown graph layout "${String(opts.layout)}" (expected "inkling" or "hf")`);
  return g;
}

/** Writes `outOnnxPath` and its weights file `outOnnxPath + "_data"`. */
export async function buildGraph(weights: Gpt2Weights, opts: BuildOptions, outOnnxPath: string): Promise<SavedModel> {
  const g = defineGraph(weights, opts);
  return g.save(outOnnxPath, {
    docString: `GPT-2 (${weights.config.nLayer} layers, n_embd ${weights.config.nEmbd}), ${opts.layout} layout, fp32`,
    metadata: { 'inkling.layout': opts.layout, 'inkling.precision': 'fp32', 'inkling.config': JSON.stringify(weights.config) },
  });
}
