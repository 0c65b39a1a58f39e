/**
 * The core of causal self-attention: softmax(q·kᵀ/√D + bias)·v over the cached and the new rows,
 * given q, k, v of this step ([B,S,C] each, heads interleaved in the last dim as [H, D]).
 * Returns y [B,S,C] (heads merged, before c_proj).
 *
 * Two ways to compute it:
 * - plain: append the new rows to the cache (Concat) and view it head-major (Reshape + Transpose),
 *   then two batched MatMuls. Fine for prompts, where those copies are shared by S queries.
 * - decode (S = 1, Inkling layout): the cache is read where it lies, nothing is copied or
 *   transposed. Rows shared by the whole batch ([1,Q,C]: a batch-1 document's own rows, or the
 *   prompt that alternatives fork from) are seen as [Q,H,D] and multiplied per head through
 *   FusedMatMul's batch-transposed strides: Q·C multiply-adds, one read for all sequences.
 *   Per-sequence rows ([B,P,C]: what alternatives add after the fork, few) use a block-diagonal
 *   query Q̃ [C,H] (column h holds head h's q in rows h·D..h·D+D-1, zeros elsewhere) that turns
 *   all H dot products into one MatMul, K[B,P,C]·Q̃ = scores [B,P,H], and a[B,H,P]·V[B,P,C] masked
 *   to each column's own head on the value side: any batch, at H× the multiply-adds.
 */
import { HF_NAMES } from './contract';
import { DataType } from './onnx';
import type { Ctx, LayerCache } from './ctx';

/** [B,L,C] → [B,H,L,D] */
function splitHeads({ g, H, D }: Ctx, x: string): string {
  const r = g.op('Reshape', [x, g.constI64([0, 0, H, D])]); // [B,L,H,D]
  return g.op('Transpose', [r], { perm: [0, 2, 1, 3] });
}

/** Dims [from, to) of a tensor's shape, as an int64 [to - from] tensor. */
function dims({ g }: Ctx, x: string, from: number, to: number): string {
  return g.op('Shape', [x], { start: from, end: to });
}

/** Shared rows (broadcast to every sequence), the sequence's own past rows and this step's rows: [B,T,C]. */
function appended(ctx: Ctx, shared: string | undefined, past: string, fresh: string): string {
  const { g, C } = ctx;
  if (!shared) return g.op('Concat', [past, fresh], { axis: 1 });
  const shape = g.op('Concat', [dims(ctx, past, 0, 1), dims(ctx, shared, 1, 2), g.constI64([C])], { axis: 0 }); // [B,Q,C]
  return g.op('Concat', [g.op('Expand', [shared, shape]), past, fresh], { axis: 1 });
}

/** Plain attention, any S. bias [B,1,S,T]. In the hf layout it also emits present.{i}.key|value. */
export function attentionPlain(
  ctx: Ctx,
  i: number,
  q: string,
  k: string,
  v: string,
  bias: string,
  cache: LayerCache,
  outName?: string,
): string {
  const { g, C, H, D, layout } = ctx;
  if (layout === 'inkling' && ctx.opt.fusedPromptAttention) {
    // MultiHeadAttention reads q [B,S,C] and the appended cache [B,T,C] with heads interleaved, adds
    // the [B,1,S,T] mask bias to the scores and returns [B,S,C]: the head views stay inside the op.
    const kCat = appended(ctx, cache.sharedKey, cache.pastKey, k); // [B,T,C]
    const vCat = appended(ctx, cache.sharedValue, cache.pastValue, v); // [B,T,C]
    const ins = [q, kCat, vCat, '', '', bias];
    return g.opN(
      'MultiHeadAttention',
      ins,
      { num_heads: H },
      { outputs: outName ? [outName] : 1, domain: 'com.microsoft' },
    )[0];
  }
  let kT: string; // [B,H,D,T]
  let vAll: string; // [B,H,T,D]
  if (layout === 'inkling') {
    // The cache is sequence-major [B,P,C]: append the new rows, then view as heads.
    const kCat = appended(ctx, cache.sharedKey, cache.pastKey, k); // [B,T,C]
    const vCat = appended(ctx, cache.sharedValue, cache.pastValue, v); // [B,T,C]
    kT = g.op('Transpose', [g.op('Reshape', [kCat, g.constI64([0, 0, H, D])])], { perm: [0, 2, 3, 1] });
    vAll = splitHeads(ctx, vCat);
  } else {
    // The cache is head-major [B,H,P,D] and the whole grown cache is an output ("present").
    const kAll = g.op('Concat', [cache.pastKey, splitHeads(ctx, k)], { axis: 2 }, HF_NAMES.presentKey(i));
    vAll = g.op('Concat', [cache.pastValue, splitHeads(ctx, v)], { axis: 2 }, HF_NAMES.presentValue(i));
    kT = g.op('Transpose', [kAll], { perm: [0, 1, 3, 2] });
  }
  // Scaling q (S rows) is cheaper than scaling the scores (S×T).
  const qh = g.op('Mul', [splitHeads(ctx, q), g.constF32([1 / Math.sqrt(D)])]); // [B,H,S,D]
  const scores = g.op('Add', [g.op('MatMul', [qh, kT]), bias]); // [B,H,S,T]
  const att = g.op('Softmax', [scores], { axis: -1 }); // [B,H,S,T]
  const y = g.op('MatMul', [att, vAll]); // [B,H,S,D]
  return g.op('Reshape', [g.op('Transpose', [y], { perm: [0, 2, 1, 3] }), g.constI64([0, 0, C])], {}, outName); // [B,S,C]
}

/**
 * What every layer's decode branch needs besides its own tensors, computed once per step in the
 * main graph (shapes are the same in every layer): head masks, the mask bias as [B,1,T], and the
 * split sizes of the key rows.
 */
export interface DecodeShared {
  mh: string; // [C,H] 0/1: column c belongs to head ⌊c/D⌋
  mhT: string; // [H,C]
  bias1: string; // [B,1,T] (the [B,1,S,T] bias seen as S = 1)
  splitSizes: string; // [Q, P, 1]
}

/** Built once, from layer 0's cache inputs (every layer's cache has the same shape). */
export function decodeShared(ctx: Ctx, bias: string, cache0: LayerCache): DecodeShared {
  const { g, C, H, D } = ctx;
  return g.scope('decode', () => {
    const zero = g.constI64([0], []);
    const one = g.constI64([1], []);
    const headOfColumn = g.op('Div', [g.op('Range', [zero, g.constI64([C], []), one]), g.constI64([D], [])]); // [C]
    const heads = g.op('Range', [zero, g.constI64([H], []), one]); // [H]
    const eq = g.op('Equal', [
      g.op('Unsqueeze', [headOfColumn, g.constI64([1])]),
      g.op('Unsqueeze', [heads, g.constI64([0])]),
    ]); // [C,H]
    const mh = g.op('Cast', [eq], { to: DataType.FLOAT });
    const P = dims(ctx, cache0.pastKey, 1, 2);
    const Q = cache0.sharedKey ? dims(ctx, cache0.sharedKey, 1, 2) : g.constI64([0]);
    return {
      mh,
      mhT: g.op('Transpose', [mh], { perm: [1, 0] }),
      bias1: g.op('Reshape', [bias, g.constI64([0, 1, -1])]), // a view; only used when S = 1
      splitSizes: g.op('Concat', [Q, P, g.constI64([1])], { axis: 0 }),
    };
  });
}

/**
 * One-token attention reading the cache in place (see the header). Key rows: shared (Q), past (P),
 * new (1), in that order.
 *
 * The shared rows [1,Q,C] are one tensor for the whole batch, seen as [Q,H,D]: FusedMatMul's
 * transBatchB reads it as H matrices [Q,D] through strides (no transpose is materialised), so every
 * head's products cost exactly Q·D multiply-adds and the rows are read once for all sequences. A
 * batch-1 document decodes entirely on this path (the decoder feeds its rows as shared). The
 * per-sequence past rows (what alternatives add after a fork: few) use the block-diagonal query
 * of the header instead, which works on [B,P,C] with any batch.
 */
function attentionDecode(
  ctx: Ctx,
  sh: DecodeShared,
  q: string,
  k: string,
  v: string,
  cache: LayerCache,
  outName: string,
): string {
  const { g, C, H, D } = ctx;
  const scale = 1 / Math.sqrt(D);
  const qBlock = g.op('Mul', [g.op('Reshape', [q, g.constI64([-1, C, 1])]), g.op('Mul', [sh.mh, g.constF32([scale])])]); // [B,C,H], scaled
  const qHeads = g.op('Transpose', [g.op('Reshape', [q, g.constI64([-1, H, D])])], { perm: [1, 0, 2] }); // [H,B,D]
  const headsView = (x: string) => g.op('Reshape', [x, g.constI64([-1, H, D])]); // [1,Q,C] → [Q,H,D], a view
  const fused = (a: string, b: string, attrs: Record<string, number | { float: number }>) =>
    g.opN('FusedMatMul', [a, b], { transBatchB: 1, ...attrs }, { domain: 'com.microsoft' })[0];
  const sShared = fused(qHeads, headsView(cache.sharedKey!), { transB: 1, alpha: { float: scale } }); // [H,B,Q]
  const parts = [
    g.op('Transpose', [sShared], { perm: [1, 0, 2] }), // [B,H,Q]
    g.op('Transpose', [g.op('MatMul', [cache.pastKey, qBlock])], { perm: [0, 2, 1] }), // [B,H,P]
    g.op('Reshape', [g.op('MatMul', [k, qBlock]), g.constI64([-1, H, 1])]), // [B,1,H] laid out as [B,H,1]
  ];
  const att = g.op('Softmax', [g.op('Add', [g.op('Concat', parts, { axis: 2 }), sh.bias1])], { axis: -1 }); // [B,H,T]

  // Split the weights by key rows and apply each part to its values.
  const [aShared, aPast, aNew] = g.opN('Split', [att, sh.splitSizes], { axis: 2 }, { outputs: 3 });
  const yShared = fused(g.op('Transpose', [aShared], { perm: [1, 0, 2] }), headsView(cache.sharedValue!), {}); // [H,B,D]
  const ySharedC = g.op('Reshape', [g.op('Transpose', [yShared], { perm: [1, 0, 2] }), g.constI64([-1, 1, C])]); // [B,1,C]
  const yHeads = g.op('MatMul', [aPast, cache.pastValue]); // [B,H,C]: head h's weights on every column
  const yPast = g.op('ReduceSum', [g.op('Mul', [yHeads, sh.mhT]), g.constI64([1])], { keepdims: 1 }); // [B,1,C]: each column's own head
  // [B,H,1] is laid out as [B,1,H]: spread each head's weight over its D columns.
  const aNewC = g.op('MatMul', [g.op('Reshape', [aNew, g.constI64([-1, 1, H])]), sh.mhT]); // [B,1,C]
  return g.op('Add', [g.op('Add', [ySharedC, yPast]), g.op('Mul', [aNewC, v])], {}, outName); // [B,1,C]
}

/**
 * Attention for the Inkling layout with the decode path: an `If` on `isDecode` (S = 1) picks
 * attentionDecode, else attentionPlain. bias: [B,1,S,T].
 */
export function attentionSwitch(
  ctx: Ctx,
  i: number,
  q: string,
  k: string,
  v: string,
  bias: string,
  cache: LayerCache,
  isDecode: string,
  sh: DecodeShared,
): string {
  const { g, C } = ctx;
  const out = (name: string) => [{ name, elemType: DataType.FLOAT, dims: ['batch', 'sequence', C] }];
  const decode = g.subgraph(`h.${i}.attn.decode`, (sg) =>
    out(attentionDecode({ ...ctx, g: sg }, sh, q, k, v, cache, `h.${i}.attn.y_decode`)),
  );
  const prompt = g.subgraph(`h.${i}.attn.prompt`, (sg) =>
    out(attentionPlain({ ...ctx, g: sg }, i, q, k, v, bias, cache, `h.${i}.attn.y_prompt`)),
  );
  return g.op('If', [isDecode], { then_branch: decode, else_branch: prompt }); // [B,S,C]
}
