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
 *               `logits_index` (gathered *before* the vocabulary projection).
 *   "hf"      – the Hugging Face / transformers.js export: past_key_values [B, H, P, D] in,
 *               present [B, H, P+S, D] and logits [B, S, V] for every position out.
 * Precisions (weights only; activations stay fp32): fp32; fp16 (stored half, cast to fp32 when the
 * session loads); int8 / int4 (block-quantized, MatMulNBits for every projection including the
 * tied head, GatherBlockQuantized for the embedding lookup). Optional fused rewrites: ctx.ts.
 * Shapes in comments: B batch, S new tokens, P cached tokens, T = P + S, C n_embd, H heads,
 * D = C / H, V vocabulary, N requested logits rows.
 */
import type { Gpt2Config, Gpt2Weights, Precision } from '../weights/types';
import { attentionPlain, attentionSwitch, decodeShared, type DecodeShared } from './attention';
import { GraphBuilder, type SavedModel } from './builder';
import { INKLING_INPUTS, INKLING_OUTPUTS, HF_NAMES } from './contract';
import { DIM, PLAIN, type Ctx, type GraphLayout, type GraphOptimizations, type LayerCache } from './ctx';
import { DataType } from './onnx';
import { checkConfig, params, QUANT_BLOCK_SIZE, QUANT_BLOCK_SIZES, type QuantBlockSize } from './params';

export type { GraphLayout, GraphOptimizations } from './ctx';

export interface BuildOptions {
  layout: GraphLayout;
  precision?: Precision;
  /** Fused rewrites; default: FAST for the inkling layout, PLAIN (standard ops only) for hf. */
  optimizations?: Partial<GraphOptimizations>;
  /** int8/int4: weights per quantization block (default 32; see QUANT_BLOCK_SIZES in params.ts). */
  blockSize?: QuantBlockSize;
  /** Hears the fraction of the weights written so far (by bytes), while the data file is written. */
  onProgress?: (fraction: number) => void;
}

/** The rewrites that measured faster on CPU (docs/BENCHMARKS.md): the default for Inkling's graph. */
export const FAST: GraphOptimizations = {
  decodeAttention: true,
  fusedPromptAttention: true,
  skipLayerNorm: true,
  fastGelu: true,
  accuracyLevel: 4,
};

export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8', 'int4'];

/**
 * Added to the scores of masked positions. Finite on purpose: a row whose every position is masked
 * (a left-padding query row) then softmaxes to a uniform distribution instead of NaN (-inf - -inf),
 * and -1e9 swamps any real score so masked keys get exactly zero weight in normal rows.
 */
export const MASK_VALUE = -1e9;

const bitsOf = (p: Precision): 4 | 8 | 0 => (p === 'int4' ? 4 : p === 'int8' ? 8 : 0);

// ---------------------------------------------------------------------------------------------
// Blocks

/** A weight in the graph's storage precision, as an fp32 value (fp16 is cast once at load). */
function dense({ p, precision }: Ctx, name: string): string {
  return precision === 'fp16' ? p.f16AsF32(name) : p.f32(name);
}

/**
 * The token table as the lookup and the tied head read it. fp32: one table, listed as an
 * overridable initializer (builder.ts) so that the head's Gemm reads it in place instead of
 * pre-packing a second 154 MB copy (for one row, Gemm with transB is as fast unpacked).
 * fp16: the head gets the table cast to fp32 once at load (pre-packed, the cast copy is then
 * dropped), the lookup reads the fp16 rows and casts only those.
 */
function tokenTable(ctx: Ctx): { lookup: (ids: string) => string; head: () => string } {
  const { g, p, precision, cfg } = ctx;
  if (precision === 'fp16') {
    const half = p.f16Raw('wte.weight');
    return {
      lookup: (ids) => g.op('Cast', [g.op('Gather', [half, ids], { axis: 0 })], { to: DataType.FLOAT }),
      head: () => p.f16AsF32('wte.weight'),
    };
  }
  const wte = p.f32('wte.weight');
  if (ctx.layout === 'inkling' && !exposed.has(g)) {
    g.overridable(wte, DataType.FLOAT, [cfg.vocabSize, cfg.nEmbd]);
    exposed.add(g);
  }
  return { lookup: (ids) => g.op('Gather', [wte, ids], { axis: 0 }), head: () => wte };
}

const exposed = new WeakSet<object>();

/** [B,S] ids, [B,S] positions → [B,S,C] */
function embed(ctx: Ctx, inputIds: string, positionIds: string): string {
  const { g, p, precision } = ctx;
  const bits = bitsOf(precision);
  let tok: string;
  if (bits) {
    const q = p.quantized('wte.weight', 'rows', bits, 'gather');
    tok = g.opN(
      'GatherBlockQuantized',
      [q.codes, inputIds, q.scales, q.zeroPoints],
      { gather_axis: 0, quantize_axis: 1, block_size: q.blockSize, bits },
      { domain: 'com.microsoft' },
    )[0];
  } else {
    tok = tokenTable(ctx).lookup(inputIds); // [B,S,C]
  }
  const pos = g.op('Gather', [dense(ctx, 'wpe.weight'), positionIds], { axis: 0 }); // [B,S,C]
  return g.op('Add', [tok, pos]);
}

/** LayerNorm over the last dim with GPT-2's learned scale/shift: [..., C] → [..., C] */
function layerNorm({ g, p, cfg }: Ctx, x: string, prefix: string): string {
  return g.op('LayerNormalization', [x, p.f32(`${prefix}.weight`), p.f32(`${prefix}.bias`)], {
    axis: -1,
    epsilon: { float: cfg.layerNormEpsilon },
  });
}

/**
 * Conv1D (weight stored [in, out]): [..., in] → [..., out]. With `withBias` false the caller adds
 * the bias itself (a fused op downstream takes it).
 */
function linear(ctx: Ctx, x: string, prefix: string, withBias = true): string {
  const { g, p, precision, opt } = ctx;
  const bits = bitsOf(precision);
  const bias = withBias ? p.f32(`${prefix}.bias`) : '';
  if (bits) {
    const q = p.quantized(`${prefix}.weight`, 'cols', bits, 'matmul');
    const inputs = [x, q.codes, q.scales, q.zeroPoints, '', bias];
    while (inputs[inputs.length - 1] === '') inputs.pop();
    const attrs = { K: q.k, N: q.n, bits, block_size: q.blockSize, accuracy_level: opt.accuracyLevel };
    return g.opN('MatMulNBits', inputs, attrs, { domain: 'com.microsoft' })[0];
  }
  const y = g.op('MatMul', [x, dense(ctx, `${prefix}.weight`)]);
  return withBias ? g.op('Add', [y, bias]) : y;
}

/** gelu_new: 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))), composed from opset-17 ops. */
function geluNew({ g }: Ctx, x: string): string {
  const x3 = g.op('Mul', [g.op('Mul', [x, x]), x]);
  const inner = g.op('Mul', [
    g.op('Add', [x, g.op('Mul', [x3, g.constF32([0.044715])])]),
    g.constF32([Math.sqrt(2 / Math.PI)]),
  ]);
  const onePlusTanh = g.op('Add', [g.op('Tanh', [inner]), g.constF32([1])]);
  return g.op('Mul', [g.op('Mul', [x, g.constF32([0.5])]), onePlusTanh]);
}

/** [B,S,C] → [B,S,C]; without `withBias` the c_proj bias is left to the caller. */
function mlp(ctx: Ctx, i: number, x: string, withBias = true): string {
  const { g, p, opt } = ctx;
  let h: string; // [B,S,4C]
  if (opt.fastGelu) {
    // FastGelu is exactly gelu_new (same tanh approximation), with the c_fc bias added inside.
    const pre = linear(ctx, x, `h.${i}.mlp.c_fc`, false);
    h = g.opN('FastGelu', [pre, p.f32(`h.${i}.mlp.c_fc.bias`)], {}, { domain: 'com.microsoft' })[0];
  } else {
    h = geluNew(ctx, linear(ctx, x, `h.${i}.mlp.c_fc`));
  }
  return linear(ctx, h, `h.${i}.mlp.c_proj`, withBias); // [B,S,C]
}

/**
 * Causal self-attention of layer i. x: [B,S,C] (already ln_1'd); bias: [B,1,S,T] additive mask.
 * Returns [B,S,C]. Emits the layer's cache outputs as a side effect (names per layout).
 */
function attn(
  ctx: Ctx,
  i: number,
  x: string,
  bias: string,
  cache: LayerCache,
  decode: Decode | null,
  withBias = true,
): string {
  const { g, C, layout } = ctx;
  const qkv = linear(ctx, x, `h.${i}.attn.c_attn`); // [B,S,3C]
  const splitNames =
    layout === 'inkling'
      ? [`h.${i}.attn.q`, INKLING_OUTPUTS.newKey(i), INKLING_OUTPUTS.newValue(i)]
      : [`h.${i}.attn.q`, `h.${i}.attn.k`, `h.${i}.attn.v`];
  const [q, k, v] = g.opN('Split', [qkv, g.constI64([C, C, C])], { axis: 2 }, { outputs: splitNames }); // 3 × [B,S,C]
  const y = decode
    ? attentionSwitch(ctx, i, q, k, v, bias, cache, decode.isDecode, decode.shared)
    : attentionPlain(ctx, i, q, k, v, bias, cache);
  return linear(ctx, y, `h.${i}.attn.c_proj`, withBias);
}

/**
 * The transformer blocks and the final LayerNorm: [B,S,C] → ln_f(x) [B,S,C].
 * Plain: pre-LayerNorm blocks as written above. With skipLayerNorm, each residual add (plus the
 * projection's bias) is fused with the LayerNorm that follows it: ln_2 inside a block, the next
 * block's ln_1 (or ln_f) after it.
 */
/** The decode path's switch (S = 1) and what its branches share; null when the path is off. */
interface Decode {
  isDecode: string;
  shared: DecodeShared;
}

/**
 * `select` (Inkling layout, with skipLayerNorm): the flattened B·S rows whose logits are wanted
 * ([N] int64). The last block then runs its MLP (two thirds of a block's multiply-adds) only on
 * those rows — every row still needs its K/V, but no other row of the last block's output is read —
 * and the result is [1,N,C] instead of [B,S,C]: for an 800-token prompt, 1/12 of the MLP work.
 */
function blocks(
  ctx: Ctx,
  x: string,
  bias: string,
  caches: LayerCache[],
  decode: Decode | null,
  select?: string,
): string {
  const { g, p, cfg, C } = ctx;
  const L = cfg.nLayer;
  if (!ctx.opt.skipLayerNorm) {
    for (let i = 0; i < L; i++) {
      x = g.scope(`h.${i}`, () => {
        const a = g.op('Add', [x, attn(ctx, i, layerNorm(ctx, x, `h.${i}.ln_1`), bias, caches[i], decode)]);
        return g.op('Add', [a, mlp(ctx, i, layerNorm(ctx, a, `h.${i}.ln_2`))]);
      });
    }
    return layerNorm(ctx, x, 'ln_f');
  }
  const skipLn = (y: string, residual: string, ln: string, projBias: string): [string, string] => {
    const [normed, , , sum] = g.opN(
      'SkipLayerNormalization',
      [y, residual, p.f32(`${ln}.weight`), p.f32(`${ln}.bias`), p.f32(projBias)],
      { epsilon: { float: cfg.layerNormEpsilon } },
      { outputs: [g.fresh('ln'), '', '', g.fresh('residual')], domain: 'com.microsoft' },
    );
    return [normed, sum];
  };
  // [B,S,C] → the selected rows as [1,N,C] (SkipLayerNormalization takes 3-D input).
  const pick = (t: string, rows: string) =>
    g.op('Unsqueeze', [
      g.op('Gather', [g.op('Reshape', [t, g.constI64([-1, C])]), rows], { axis: 0 }),
      g.constI64([0]),
    ]);
  let h = layerNorm(ctx, x, 'h.0.ln_1');
  for (let i = 0; i < L; i++) {
    [h, x] = g.scope(`h.${i}`, () => {
      const a = attn(ctx, i, h, bias, caches[i], decode, false);
      const last = select !== undefined && i === L - 1;
      const [h2, x2] = skipLn(
        last ? pick(a, select) : a,
        last ? pick(x, select) : x,
        `h.${i}.ln_2`,
        `h.${i}.attn.c_proj.bias`,
      );
      const m = mlp(ctx, i, h2, false);
      return skipLn(m, x2, i + 1 < L ? `h.${i + 1}.ln_1` : 'ln_f', `h.${i}.mlp.c_proj.bias`);
    });
  }
  return h;
}

/** Output head tied to the token embedding: [M,C] · wteᵀ → [M,V]. */
function lm_head(ctx: Ctx, x: string, outputName?: string): string {
  const { g, p, precision, opt } = ctx;
  const bits = bitsOf(precision);
  if (bits) {
    // MatMulNBits takes B as [N, K] = wte's own [V, C] layout.
    const q = p.quantized('wte.weight', 'rows', bits, 'matmul');
    const attrs = { K: q.k, N: q.n, bits, block_size: q.blockSize, accuracy_level: opt.accuracyLevel };
    return g.opN('MatMulNBits', [x, q.codes, q.scales, q.zeroPoints], attrs, {
      outputs: outputName ? [outputName] : 1,
      domain: 'com.microsoft',
    })[0];
  }
  const wte = tokenTable(ctx).head();
  if (ctx.layout !== 'inkling') return g.op('Gemm', [x, wte], { transB: 1 }, outputName); // [M,V]
  // One row (a decode step, a prompt's last position): Gemm with transB reads wte's rows as stored.
  // Several rows (alternatives, scoring): the table as the left operand of a MatMul streams through
  // once for all of them (logitsᵀ = wte · xᵀ), where the transB Gemm repacks it on every call.
  const rows = g.op('Squeeze', [g.op('Shape', [x], { start: 0, end: 1 }), g.constI64([0])]);
  const one = g.op('Equal', [rows, g.constI64([1], [])]);
  const out = (name: string) => [
    { name, elemType: DataType.FLOAT, dims: [DIM.n, ctx.cfg.vocabSize] as (string | number)[] },
  ];
  const single = g.subgraph('lm_head.one_row', (sg) =>
    out(sg.op('Gemm', [x, wte], { transB: 1 }, 'lm_head.logits_one')),
  );
  const many = g.subgraph('lm_head.rows', (sg) =>
    out(
      sg.op(
        'Transpose',
        [sg.op('MatMul', [wte, sg.op('Transpose', [x], { perm: [1, 0] })])],
        { perm: [1, 0] },
        'lm_head.logits_rows',
      ),
    ),
  );
  return g.op('If', [one], { then_branch: single, else_branch: many }, outputName); // [M,V]
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

/**
 * true (bool scalar) when the decode path applies: this step feeds one token per sequence and some
 * cached rows are shared by the batch (Q > 0; the decoder feeds a batch-1 document's rows that way).
 * With Q = 0 the plain path runs instead: onnxruntime's FusedMatMul crashes (SIGFPE) on an empty
 * batch-transposed operand.
 */
function isDecodeStep({ g }: Ctx, inputIds: string, cache0: LayerCache): string {
  const one = g.constI64([1]);
  const S = g.op('Shape', [inputIds], { start: 1, end: 2 }); // [1]
  const Q = g.op('Shape', [cache0.sharedKey!], { start: 1, end: 2 }); // [1]
  const both = g.op('And', [g.op('Equal', [S, one]), g.op('GreaterOrEqual', [Q, one])]); // [1]
  return g.op('Squeeze', [both, g.constI64([0])]);
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
    caches.push({
      sharedKey: g.input(I.sharedKey(i), DataType.FLOAT, [1, DIM.shared, C]),
      sharedValue: g.input(I.sharedValue(i), DataType.FLOAT, [1, DIM.shared, C]),
      pastKey: g.input(I.pastKey(i), DataType.FLOAT, [B, P, C]),
      pastValue: g.input(I.pastValue(i), DataType.FLOAT, [B, P, C]),
    });
  }

  const bias = attentionBias(ctx, inputIds, attentionMask); // [B,1,S,T]
  const decode = ctx.opt.decodeAttention
    ? { isDecode: isDecodeStep(ctx, inputIds, caches[0]), shared: decodeShared(ctx, bias, caches[0]) }
    : null;
  // Only the requested rows go through the last block's MLP (with skipLayerNorm) and the (large)
  // vocabulary projection.
  const select = ctx.opt.skipLayerNorm ? logitsIndex : undefined;
  const x = blocks(ctx, embed(ctx, inputIds, positionIds), bias, caches, decode, select); // after ln_f: [1,N,C] when selected, else [B,S,C]
  const rows = select
    ? g.op('Reshape', [x, g.constI64([-1, C])])
    : g.op('Gather', [g.op('Reshape', [x, g.constI64([-1, C])]), logitsIndex], { axis: 0 }); // [N,C]
  const logits = lm_head(ctx, rows, INKLING_OUTPUTS.logits); // [N,V]
  // The softmax normaliser of each row, vectorised here instead of 50257 Math.exp calls per token in
  // JS: max + log Σ exp(x − max). Composed from ReduceMax/Exp/ReduceSum because onnxruntime's own
  // ReduceLogSumExp is 8× slower on a 50257-wide row (0.46 vs 0.06 ms) and less exact (4e-5 vs 5e-6).
  const rowMax = g.op('ReduceMax', [logits], { axes: [1], keepdims: 1 }); // [N,1]
  const sumExp = g.op('ReduceSum', [g.op('Exp', [g.op('Sub', [logits, rowMax])]), g.constI64([1])], { keepdims: 0 }); // [N]
  g.op('Add', [g.op('Log', [sumExp]), g.op('Squeeze', [rowMax, g.constI64([1])])], {}, INKLING_OUTPUTS.logSumExp); // [N]

  g.output(INKLING_OUTPUTS.logits, DataType.FLOAT, [N, cfg.vocabSize]);
  g.output(INKLING_OUTPUTS.logSumExp, DataType.FLOAT, [N]);
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
  const x = blocks(ctx, embed(ctx, inputIds, positionIds), bias, caches, null); // [B,S,C], after ln_f

  const flat = g.op('Reshape', [x, g.constI64([-1, C])]); // [B*S,C]
  const outShape = g.op('Concat', [g.op('Shape', [inputIds]), g.constI64([cfg.vocabSize])], { axis: 0 }); // [B,S,V]
  g.op('Reshape', [lm_head(ctx, flat), outShape], {}, 'logits'); // [B,S,V]

  g.output('logits', DataType.FLOAT, [B, S, cfg.vocabSize]);
  for (let i = 0; i < cfg.nLayer; i++) {
    g.output(HF_NAMES.presentKey(i), DataType.FLOAT, [B, H, T, D]);
    g.output(HF_NAMES.presentValue(i), DataType.FLOAT, [B, H, T, D]);
  }
}

/** The options a build actually uses (defaults filled in, checked). */
export function resolveOptions(opts: BuildOptions): {
  precision: Precision;
  opt: GraphOptimizations;
  blockSize: QuantBlockSize;
} {
  const precision = opts.precision ?? 'fp32';
  if (!PRECISIONS.includes(precision))
    throw new Error(`graph precision "${String(precision)}" is not supported (expected ${PRECISIONS.join(', ')})`);
  const blockSize = opts.blockSize ?? QUANT_BLOCK_SIZE;
  if (!QUANT_BLOCK_SIZES.includes(blockSize))
    throw new Error(
      `quantization block size ${String(blockSize)} is not supported (expected ${QUANT_BLOCK_SIZES.join(', ')})`,
    );
  const base = opts.layout === 'inkling' ? FAST : PLAIN;
  const opt = { ...base, ...opts.optimizations };
  // The decode path reads Inkling's sequence-major cache; the hf layout has its own head-major one.
  if (opts.layout === 'hf') {
    opt.decodeAttention = false;
    opt.fusedPromptAttention = false;
  }
  return { precision, opt, blockSize };
}

/** int8/int4 blocks run along n_embd (and 4·n_embd): it must be a multiple of the block size. */
export function checkBlockSize(cfg: Pick<Gpt2Config, 'nEmbd'>, precision: Precision, blockSize: QuantBlockSize): void {
  if (bitsOf(precision) && cfg.nEmbd % blockSize !== 0) {
    throw new Error(
      `${precision} with blocks of ${blockSize} needs n_embd to be a multiple of ${blockSize}; this model has n_embd ${cfg.nEmbd}` +
        (blockSize !== QUANT_BLOCK_SIZE ? ` (choose a block size that divides it, e.g. ${QUANT_BLOCK_SIZE})` : ''),
    );
  }
}

/** Builds the graph in memory (weights are referenced, not copied). */
export function defineGraph(weights: Gpt2Weights, opts: BuildOptions): GraphBuilder {
  const cfg = weights.config;
  checkConfig(cfg);
  const { precision, opt, blockSize } = resolveOptions(opts);
  checkBlockSize(cfg, precision, blockSize);
  const g = new GraphBuilder(`gpt2_${opts.layout}`);
  const ctx: Ctx = {
    g,
    p: params(g, weights, blockSize),
    cfg,
    layout: opts.layout,
    precision,
    opt,
    C: cfg.nEmbd,
    H: cfg.nHead,
    D: cfg.nEmbd / cfg.nHead,
  };
  if (opts.layout === 'inkling') inklingGraph(ctx);
  else if (opts.layout === 'hf') hfGraph(ctx);
  else throw new Error(`unknown graph layout "${String(opts.layout)}" (expected "inkling" or "hf")`);
  return g;
}

/** Writes `outOnnxPath` and its weights file `outOnnxPath + "_data"`. */
export async function buildGraph(weights: Gpt2Weights, opts: BuildOptions, outOnnxPath: string): Promise<SavedModel> {
  const g = defineGraph(weights, opts);
  const { precision, opt, blockSize } = resolveOptions(opts);
  return g.save(outOnnxPath, {
    docString: `GPT-2 (${weights.config.nLayer} layers, n_embd ${weights.config.nEmbd}), ${opts.layout} layout, ${precision}`,
    metadata: {
      'inkling.layout': opts.layout,
      'inkling.precision': precision,
      'inkling.optimizations': JSON.stringify(opt),
      ...(bitsOf(precision) ? { 'inkling.blockSize': String(blockSize) } : {}),
      'inkling.config': JSON.stringify(weights.config),
    },
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
}
