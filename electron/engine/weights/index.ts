/** Weights: GPT-2 configs, safetensors checkpoints, and random test models. */
export type { Gpt2Config, Gpt2Weights, Tensor32, Precision } from './types';
export { WeightsError } from './errors';
export { parseGpt2Config, readGpt2Config, readGpt2ConfigAsync, toHfConfig, GPT2_EOS_TOKEN_ID } from './config';
export { gpt2TensorShapes, gpt2ParameterCount, inMemoryWeights } from './layout';
export { openSafetensors, SafetensorsFile, type TensorInfo } from './safetensors';
export { writeSafetensors, type TensorToWrite, type WritableDtype } from './safetensorsWriter';
export {
  loadCheckpoint,
  validateCheckpointDir,
  type LoadedCheckpoint,
  type CheckpointReport,
  type LoadCheckpointOptions,
} from './checkpoint';
export { makeTestModel, testModelConfig, type MakeTestModelOptions } from './testModel';
export { numberToF16Bits, numberToBf16Bits, f16BitsToNumber, bf16BitsToNumber } from './half';
