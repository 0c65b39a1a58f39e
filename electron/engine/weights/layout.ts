/**
 * GPT-2's tensor layout: the canonical names and shapes of types.ts, how checkpoint key spellings
 * map onto them, and an in-memory Gpt2Weights for tests and tools.
 */
import type { Gpt2Config, Gpt2Weights, Tensor32 } from './types';
import { formatShape } from './errors';

/** Every tensor a GPT-2 of this config has, canonical name -> shape, in model order. */
export function gpt2TensorShapes(c: Gpt2Config): Map<string, number[]> {
  const C = c.nEmbd;
  const shapes = new Map<string, number[]>();
  shapes.set('wte.weight', [c.vocabSize, C]);
  shapes.set('wpe.weight', [c.nPositions, C]);
  for (let i = 0; i < c.nLayer; i++) {
    const h = `h.${i}.`;
    shapes.set(`${h}ln_1.weight`, [C]);
    shapes.set(`${h}ln_1.bias`, [C]);
    shapes.set(`${h}attn.c_attn.weight`, [C, 3 * C]);
    shapes.set(`${h}attn.c_attn.bias`, [3 * C]);
    shapes.set(`${h}attn.c_proj.weight`, [C, C]);
    shapes.set(`${h}attn.c_proj.bias`, [C]);
    shapes.set(`${h}ln_2.weight`, [C]);
    shapes.set(`${h}ln_2.bias`, [C]);
    shapes.set(`${h}mlp.c_fc.weight`, [C, 4 * C]);
    shapes.set(`${h}mlp.c_fc.bias`, [4 * C]);
    shapes.set(`${h}mlp.c_proj.weight`, [4 * C, C]);
    shapes.set(`${h}mlp.c_proj.bias`, [C]);
  }
  shapes.set('ln_f.weight', [C]);
  shapes.set('ln_f.bias', [C]);
  return shapes;
}

/** Number of parameters (the tied head counted once). */
export function gpt2ParameterCount(c: Gpt2Config): number {
  let n = 0;
  for (const shape of gpt2TensorShapes(c).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

export const HF_PREFIX = 'transformer.';
export const LM_HEAD = 'lm_head.weight';

/** A checkpoint key without the optional `transformer.` prefix. */
export function canonicalTensorName(key: string): string {
  return key.startsWith(HF_PREFIX) ? key.slice(HF_PREFIX.length) : key;
}

/** The attention-mask buffers old PyTorch GPT-2 checkpoints saved alongside the weights. */
export function isAttentionBuffer(canonicalName: string): boolean {
  return /^h\.\d+\.attn\.(bias|masked_bias)$/.test(canonicalName);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Gpt2Weights over tensors already in memory (tests, tools). Checks that every expected tensor is
 * present with its expected shape and that nothing else is.
 */
export function inMemoryWeights(
  config: Gpt2Config,
  tensors: Record<string, Tensor32> | Map<string, Tensor32>,
): Gpt2Weights {
  const map = tensors instanceof Map ? tensors : new Map(Object.entries(tensors));
  const expected = gpt2TensorShapes(config);
  for (const [name, shape] of expected) {
    const t = map.get(name);
    if (!t) throw new Error(`weights: tensor ${name} is missing (expected shape ${formatShape(shape)})`);
    if (!sameShape(t.shape, shape))
      throw new Error(`weights: tensor ${name} has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count)
      throw new Error(
        `weights: tensor ${name} has ${t.data.length} values, its shape ${formatShape(shape)} needs ${count}`,
      );
  }
  for (const name of map.keys()) {
    if (!expected.has(name)) throw new Error(`weights: unknown tensor ${name}`);
  }
  return {
    config,
    get(name: string): Tensor32 {
      const t = map.get(name);
      if (!t) throw new Error(`weights: no tensor named ${name}`);
      return t;
    },
  };
}
