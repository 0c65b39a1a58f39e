/** GPT-2 → ONNX: Inkling's own graph (contract.ts) and the Hugging Face / transformers.js export. */
export {
  buildGraph,
  checkBlockSize,
  defineGraph,
  resolveOptions,
  FAST,
  MASK_VALUE,
  PRECISIONS,
  type BuildOptions,
  type GraphLayout,
  type GraphOptimizations,
} from './build';
export { PLAIN } from './ctx';
export { exportHf, type HfExport } from './export-hf';
export { dataPathFor, type SavedModel } from './builder';
export { HF_NAMES, INKLING_INPUTS, INKLING_OUTPUTS } from './contract';
export { quantizeBlockwise, dequantizedAt, type BlockQuantized, type QuantBits } from './quantize';
