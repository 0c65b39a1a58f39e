import path from 'node:path';
import { InklingError } from '../../common/errors';

/**
 * A problem with a model file (code `model_invalid`). The message is written for the user: it starts with the file name,
 * then the tensor (when there is one), then what was expected and what was found, e.g.
 *   "model.safetensors: tensor h.3.attn.c_attn.weight: data_offsets [0, 64] overlap h.3.attn.c_attn.bias"
 */
export class WeightsError extends InklingError {
  override readonly name = 'WeightsError';
  constructor(
    message: string,
    /** Full path of the file the problem is in. */
    readonly file: string,
    /** Tensor name as written in the file, when the problem is about one tensor. */
    readonly tensor?: string,
  ) {
    super('model_invalid', message);
  }
}

/** Builds a WeightsError whose message names the file (by base name) and the tensor. */
export function weightsError(file: string, tensor: string | undefined, problem: string): WeightsError {
  // Tensor names come from the file: a hostile one may be megabytes long.
  const shown = tensor !== undefined && tensor.length > 120 ? `${tensor.slice(0, 120)}…` : tensor;
  const where = shown === undefined ? '' : `tensor ${shown}: `;
  return new WeightsError(`${path.basename(file)}: ${where}${problem}`, file, tensor);
}

/** "[768, 2304]" — the way shapes appear in every message. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
