/**
 * GPT-2 parameters as ONNX initializers: each canonical tensor is registered with the shape the
 * config implies and streamed from `Gpt2Weights` only when the data file is written.
 */
import type { Gpt2Config, Gpt2Weights } from '../weights/types';
import type { GraphBuilder } from './builder';
import { gpt2TensorShapes } from '../weights/layout';
import { DataType } from './onnx';

/** Checks the config describes a GPT-2 the graph can be built for. */
export function checkConfig(cfg: Gpt2Config): void {
  const positive = ['vocabSize', 'nPositions', 'nEmbd', 'nLayer', 'nHead'] as const;
  for (const k of positive) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0) throw new Error(`GPT-2 config: ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.nEmbd % cfg.nHead !== 0) {
    throw new Error(`GPT-2 config: n_embd (${cfg.nEmbd}) must be divisible by n_head (${cfg.nHead})`);
  }
  if (!(cfg.layerNormEpsilon > 0)) throw new Error(`GPT-2 config: layer_norm_epsilon must be > 0, got ${cfg.layerNormEpsilon}`);
}

/**
 * Returns a function that registers a canonical tensor (once) and gives its value name. The bytes
 * are a view of the weights' own Float32Array: nothing is copied on the way to disk.
 */
export function paramRegistry(g: GraphBuilder, weights: Gpt2Weights): (name: string) => string {
  const seen = new Map<string, string>();
  const shapes = gpt2TensorShapes(weights.config);
  return (name) => {
    const known = seen.get(name);
    if (known) return known;
    const dims = shapes.get(name);
    if (!dims) throw new Error(`graph builder: unknown GPT-2 tensor "${name}" (config has ${weights.config.nLayer} layers)`);
    const value = g.weight({
      name,
      dataType: DataType.FLOAT,
      dims,
      bytes: () => {
        const t = weights.get(name);
        if (t.shape.length !== dims.length || t.shape.some((d, i) => d !== dims[i])) {
          throw new Error(`weight "${name}": expected shape [${dims.join(', ')}], found [${t.shape.join(', ')}]`);
        }
        return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      },
    });
    seen.set(name, value);
    return value;
  };
}
