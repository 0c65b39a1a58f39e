/**
 * The core of causal self-attention: softmax(q·kᵀ/√D + bias)·v over the cached and the new rows,
 * given q, k, v of this step ([B,S,C] each, heads interleaved in the last dim as [H, D]).
 * Returns y [B,S,C] (heads merged, before c_proj).
 *
 * Two ways to compute it:
 * - plain: append the new rows to the cache (Concat) and view it head-major (Reshape + Transpose),
 *   then two batched MatMuls. Fine for prompts, where those copies are shared by S queries.
 * - decode (S = 1, Inkling layout): the cache [B,P,C] is read where it lies. A block-diagonal
 *   query Q̃ [C,H] (column h holds head h's q in rows h·D..h·D+D-1, zeros elsewhere) turns all H
 *   per-head dot products into one MatMul: K[B,P,C]·Q̃ = scores [B,P,H]. On the value side
 *   a[B,H,P]·V[B,P,C] gives every head's weights applied to every column; keeping column c of
 *   head h(c) (mask [H,C], sum over H) is y. Both read K and V once, copy nothing, and cost H× the
 *   multiply-adds of per-head products — cheap next to reading the cache, which dominates.
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
export function attentionPlain(ctx: Ctx, i: number, q: string, k: string, v: string, bias: string, cache: LayerCache, outName?: string): string {
  const { g, C, H, D, layout } = ctx;
  if (layout === 'inkling' && ctx.opt.fusedPromptAttention) {
    // MultiHeadAttention reads q [B,S,C] and the appended cache [B,T,C] with heads interleaved, adds
    // the [B,1,S,T] mask bias to the scores and returns [B,S,C]: the head views stay inside the op.
    const kCat = appended(ctx, cache.sharedKey, cache.pastKey, k); // [B,T,C]
    const vCat = appended(ctx, cache.sharedValue, cache.pastValue, v); // [B,T,C]
    const ins = [q, kCat, vCat, '', '', bias];
    return g.opN('MultiHeadAttention', ins, { num_heads: H }, { outputs: outName ? [outName] : 1, domain: 'com.microsoft' })[0];
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
 * Column c belongs to head ⌊c/D⌋: the 0/1 matrices [C,H] and [H,C], built from a few ops (the
 * runtime folds them into constants at load) so the .onnx file stays free of bulky constants.
 */
function headMasks({ g, C, H, D }: Ctx): { mh: string; mhT: string } {
  const zero = g.constI64([0], []);
  const one = g.constI64([1], []);
  const headOfColumn = g.op('Div', [g.op('Range', [zero, g.constI64([C], []), one]), g.constI64([D], [])]); // [C]
  const heads = g.op('Range', [zero, g.constI64([H], []), one]); // [H]
  const eq = g.op('Equal', [g.op('Unsqueeze', [headOfColumn, g.constI64([1])]), g.op('Unsqueeze', [heads, g.constI64([0])])]); // [C,H]
  const mh = g.op('Cast', [eq], { to: DataType.FLOAT });
  return { mh, mhT: g.op('Transpose', [mh], { perm: [1, 0] }) };
}

const masksOf = new WeakMap<object, { mh: string; mhT: string }>();

/**
 * One-token attention reading the cache in place (see the header). bias1: [B,1,T] over the rows
 * shared (Q), past (P) and new (1), in that order.
 */
function attentionDecode(ctx: Ctx, masks: { mh: string; mhT: string }, q: string, k: string, v: string, bias1: string, cache: LayerCache, outName: string): string {
  const { g, C, H, D } = ctx;
  const { mh, mhT } = masks; // [C,H], [H,C]
  const qs = g.op('Mul', [q, g.constF32([1 / Math.sqrt(D)])]); // [B,1,C]
  const qBlock = g.op('Mul', [g.op('Reshape', [qs, g.constI64([-1, C, 1])]), mh]); // [B,C,H]
  const B = dims(ctx, q, 0, 1); // [1]
  const P = dims(ctx, cache.pastKey, 1, 2); // [1]

  const parts: string[] = []; // scores [B,H,·] in key-row order
  const sizes: string[] = [];
  let Q = '';
  if (cache.sharedKey && cache.sharedValue) {
    // Every sequence's queries against the shared rows in one pass over them: [Q,C]·[C,B·H].
    Q = dims(ctx, cache.sharedKey, 1, 2);
    const qAll = g.op('Reshape', [g.op('Transpose', [qBlock], { perm: [1, 0, 2] }), g.constI64([C, -1])]); // [C,B·H]
    const sShared = g.op('MatMul', [g.op('Reshape', [cache.sharedKey, g.constI64([-1, C])]), qAll]); // [Q,B·H]
    const qbh = g.op('Concat', [Q, B, g.constI64([H])], { axis: 0 });
    parts.push(g.op('Transpose', [g.op('Reshape', [sShared, qbh])], { perm: [1, 2, 0] })); // [B,H,Q]
    sizes.push(Q);
  }
  parts.push(g.op('Transpose', [g.op('MatMul', [cache.pastKey, qBlock])], { perm: [0, 2, 1] })); // [B,H,P]
  sizes.push(P);
  parts.push(g.op('Reshape', [g.op('MatMul', [g.op('Mul', [qs, k]), mh]), g.constI64([-1, H, 1])])); // [B,H,1]
  sizes.push(g.constI64([1]));
  const att = g.op('Softmax', [g.op('Add', [g.op('Concat', parts, { axis: 2 }), bias1])], { axis: -1 }); // [B,H,T]

  // Split the weights by key rows and apply each part to its values.
  const a = g.opN('Split', [att, g.op('Concat', sizes, { axis: 0 })], { axis: 2 }, { outputs: parts.length });
  let yHeads = g.op('MatMul', [a[parts.length - 2], cache.pastValue]); // [B,H,C]: head h's weights on every column
  if (Q) {
    const bh = g.op('Reshape', [a[0], g.op('Concat', [g.constI64([-1]), Q], { axis: 0 })]); // [B·H,Q]
    const yShared = g.op('MatMul', [bh, g.op('Reshape', [cache.sharedValue!, g.constI64([-1, C])])]); // [B·H,C]
    yHeads = g.op('Add', [yHeads, g.op('Reshape', [yShared, g.op('Concat', [B, g.constI64([H, C])], { axis: 0 })])]);
  }
  const yPast = g.op('ReduceSum', [g.op('Mul', [yHeads, mhT]), g.constI64([1])], { keepdims: 1 }); // [B,1,C]
  // [B,H,1] is laid out as [B,1,H]: spread each head's weight over its D columns.
  const aNewC = g.op('MatMul', [g.op('Reshape', [a[parts.length - 1], g.constI64([-1, 1, H])]), mhT]); // [B,1,C]
  return g.op('Add', [yPast, g.op('Mul', [aNewC, v])], {}, outName); // [B,1,C]
}

/**
 * Attention for the Inkling layout with the decode path: an `If` on `isDecode` (S = 1) picks
 * attentionDecode, else attentionPlain. bias: [B,1,S,T].
 */
export function attentionSwitch(ctx: Ctx, i: number, q: string, k: string, v: string, bias: string, cache: LayerCache, isDecode: string): string {
  const { g, C } = ctx;
  // One pair of head masks per model (defined in the main graph, read by every layer's branch).
  let masks = masksOf.get(ctx.p);
  if (!masks) {
    masks = headMasks(ctx);
    masksOf.set(ctx.p, masks);
  }
  const m = masks;
  const out = (name: string) => [{ name, elemType: DataType.FLOAT, dims: ['batch', 'sequence', C] }];
  const decode = g.subgraph(`h.${i}.attn.decode`, (sg) => {
    const sub = { ...ctx, g: sg };
    const bias1 = sg.op('Reshape', [bias, sg.constI64([0, 1, -1])]); // [B,1,1,T] → [B,1,T]
    return out(attentionDecode(sub, m, q, k, v, bias1, cache, `h.${i}.attn.y_decode`));
  });
  const prompt = g.subgraph(`h.${i}.attn.prompt`, (sg) => out(attentionPlain({ ...ctx, g: sg }, i, q, k, v, bias, cache, `h.${i}.attn.y_prompt`)));
  return g.op('If', [isDecode], { then_branch: decode, else_branch: prompt }); // [B,S,C]
}
