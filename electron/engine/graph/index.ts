/** GPT-2 → ONNX: Inkling's own graph (contract.ts) and the Hugging Face / transformers.js export. */
export { buildGraph, defineGraph, MASK_VALUE, type BuildOptions, type GraphLayout } from './build';
export { exportHf, type HfExport } from './export-hf';
export { dataPathFor, type SavedModel } from './builder';
export { HF_NAMES, INKLING_INPUTS, INKLING_OUTPUTS } from './contract';
