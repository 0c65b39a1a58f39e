/**
 * GPT-2's forward pass in plain TypeScript, in float64, written to be read rather than to be fast.
 * It is the yardstick the ONNX graphs are tested against, so every part is its own function named
 * after GPT-2's parts (nanoGPT's model.py in miniature):
 *
 *   x = wte[ids] + wpe[0..S)                      [S, C]
 *   for each block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))
 *   logits = ln_f(x) · wteᵀ                       [S, V]  (head tied to the token embedding)
 *
 * A "row" is one position's vector (Float64Array of C). Weights are Conv1D, stored [in, out].
 */
import type { Gpt2Config, Gpt2Weights } from '../weights/types';

/** Row-major matrix as stored in the checkpoint. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

export interface BlockWeights {
  ln1: { weight: Float32Array; bias: Float32Array };
  cAttn: { weight: Matrix; bias: Float32Array }; // [C, 3C]: q | k | v
  attnProj: { weight: Matrix; bias: Float32Array }; // [C, C]
  ln2: { weight: Float32Array; bias: Float32Array };
  cFc: { weight: Matrix; bias: Float32Array }; // [C, 4C]
  mlpProj: { weight: Matrix; bias: Float32Array }; // [4C, C]
}

/** LayerNorm over one row: (x - mean) / sqrt(var + eps) * weight + bias, biased variance. */
export function layerNorm(x: Float64Array, weight: Float32Array, bias: Float32Array, eps: number): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  variance /= n;
  const inv = 1 / Math.sqrt(variance + eps);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (x[i] - mean) * inv * weight[i] + bias[i];
  return out;
}

/** Conv1D: out = x · W + b, with W stored [in, out]. */
export function linear(x: Float64Array, weight: Matrix, bias: Float32Array): Float64Array {
  const out = Float64Array.from(bias);
  for (let i = 0; i < weight.rows; i++) {
    const xi = x[i];
    const row = i * weight.cols;
    for (let j = 0; j < weight.cols; j++) out[j] += xi * weight.data[row + j];
  }
  return out;
}

/** GPT-2's "gelu_new": the tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/** Softmax over scores[0..n), in place, subtracting the max for stability. */
function softmax(scores: Float64Array, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, scores[i]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    scores[i] = Math.exp(scores[i] - max);
    sum += scores[i];
  }
  for (let i = 0; i < n; i++) scores[i] /= sum;
}

/**
 * Causal multi-head self-attention over all rows. Head h uses dims [h·D, (h+1)·D) of q, k and v;
 * position t attends to positions 0..t with weights softmax(q·k / √D).
 */
export function attention(xs: Float64Array[], w: BlockWeights, nHead: number): Float64Array[] {
  const C = xs[0].length;
  const D = C / nHead;
  const qkv = xs.map((x) => linear(x, w.cAttn.weight, w.cAttn.bias)); // [S, 3C]
  const scale = 1 / Math.sqrt(D);
  const scores = new Float64Array(xs.length);
  return qkv.map((row, t) => {
    const y = new Float64Array(C); // heads concatenated
    for (let h = 0; h < nHead; h++) {
      const q = h * D;
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += row[q + d] * qkv[s][C + q + d];
        scores[s] = dot * scale;
      }
      softmax(scores, t + 1);
      for (let s = 0; s <= t; s++) {
        for (let d = 0; d < D; d++) y[q + d] += scores[s] * qkv[s][2 * C + q + d];
      }
    }
    return linear(y, w.attnProj.weight, w.attnProj.bias);
  });
}

/** The feed-forward part: c_proj(gelu(c_fc(x))). */
export function mlp(x: Float64Array, w: BlockWeights): Float64Array {
  const hidden = linear(x, w.cFc.weight, w.cFc.bias).map(gelu);
  return linear(hidden, w.mlpProj.weight, w.mlpProj.bias);
}

/** One pre-LayerNorm transformer block with its two residual connections. */
function block(xs: Float64Array[], w: BlockWeights, c: Gpt2Config): Float64Array[] {
  const attnOut = attention(
    xs.map((x) => layerNorm(x, w.ln1.weight, w.ln1.bias, c.layerNormEpsilon)),
    w,
    c.nHead,
  );
  const afterAttn = xs.map((x, t) => add(x, attnOut[t]));
  return afterAttn.map((x) => add(x, mlp(layerNorm(x, w.ln2.weight, w.ln2.bias, c.layerNormEpsilon), w)));
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

/** Token plus position embedding for each input position. */
function embed(weights: Gpt2Weights, ids: number[]): Float64Array[] {
  const C = weights.config.nEmbd;
  const wte = weights.get('wte.weight').data;
  const wpe = weights.get('wpe.weight').data;
  return ids.map((id, pos) => {
    const x = new Float64Array(C);
    for (let i = 0; i < C; i++) x[i] = wte[id * C + i] + wpe[pos * C + i];
    return x;
  });
}

/** The tied output head: one logit per vocabulary entry, logits[v] = x · wte[v]. The hot loop. */
function lmHead(x: Float64Array, wte: Float32Array, vocabSize: number): Float64Array {
  const C = x.length;
  const logits = new Float64Array(vocabSize);
  for (let v = 0; v < vocabSize; v++) {
    let dot = 0;
    const row = v * C;
    for (let i = 0; i < C; i++) dot += x[i] * wte[row + i];
    logits[v] = dot;
  }
  return logits;
}

function blockWeights(weights: Gpt2Weights, layer: number): BlockWeights {
  const vec = (name: string) => weights.get(`h.${layer}.${name}`).data;
  const mat = (name: string): Matrix => {
    const t = weights.get(`h.${layer}.${name}`);
    return { rows: t.shape[0], cols: t.shape[1], data: t.data };
  };
  return {
    ln1: { weight: vec('ln_1.weight'), bias: vec('ln_1.bias') },
    cAttn: { weight: mat('attn.c_attn.weight'), bias: vec('attn.c_attn.bias') },
    attnProj: { weight: mat('attn.c_proj.weight'), bias: vec('attn.c_proj.bias') },
    ln2: { weight: vec('ln_2.weight'), bias: vec('ln_2.bias') },
    cFc: { weight: mat('mlp.c_fc.weight'), bias: vec('mlp.c_fc.bias') },
    mlpProj: { weight: mat('mlp.c_proj.weight'), bias: vec('mlp.c_proj.bias') },
  };
}

/** Logits [S][V] for every position of `ids` (positions 0..S-1, no cache). */
export function referenceForward(weights: Gpt2Weights, ids: number[]): Float64Array[] {
  const c = weights.config;
  if (ids.length === 0) throw new Error('referenceForward: ids is empty');
  if (ids.length > c.nPositions)
    throw new Error(`referenceForward: ${ids.length} tokens exceed the context of ${c.nPositions}`);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize)
      throw new Error(`referenceForward: ids[${i}] = ${id} is not a token id in [0, ${c.vocabSize})`);
  });

  let xs = embed(weights, ids);
  for (let layer = 0; layer < c.nLayer; layer++) xs = block(xs, blockWeights(weights, layer), c);
  const lnF = { weight: weights.get('ln_f.weight').data, bias: weights.get('ln_f.bias').data };
  const wte = weights.get('wte.weight').data;
  return xs.map((x) => lmHead(layerNorm(x, lnF.weight, lnF.bias, c.layerNormEpsilon), wte, c.vocabSize));
}
