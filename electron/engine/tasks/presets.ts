/** Parameter presets per task: complete SamplingParams (defaults with the task's changes). */
import { defaultParams, type SamplingParams } from '../generate/params';

export function preset(changes: Partial<SamplingParams>): Readonly<SamplingParams> {
  return Object.freeze({ ...defaultParams(), ...changes });
}

/** Every sampler and penalty off at temperature 1: the plain distribution the paper's settings start from. */
export const PLAIN: Partial<SamplingParams> = {
  temperature: 1,
  topK: 0,
  topP: 1,
  typicalP: 1,
  minP: 0,
  repetitionPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  noRepeatNgramSize: 0,
};

/** Greedy decoding with every penalty off: the paper's setting for translation and QA. */
export const GREEDY: Partial<SamplingParams> = { ...PLAIN, temperature: 0 };
