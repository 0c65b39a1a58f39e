/**
 * Export a GPT-2 as a Hugging Face / transformers.js model folder:
 *
 *   outDir/config.json                 GPT-2 config (+ "transformers.js_config")
 *   outDir/generation_config.json
 *   outDir/tokenizer.json, tokenizer_config.json, vocab.json, merges.txt
 *   outDir/onnx/model.onnx             graph in the "hf" layout
 *   outDir/onnx/model.onnx_data        its weights
 *
 * transformers.js 4 looks for external data as `<file>.onnx_data` next to the .onnx file when
 * `transformers.js_config.use_external_data_format` names the file (needed in browsers; in Node
 * onnxruntime resolves the data file itself from the path recorded in the graph).
 */
import fs from 'node:fs';
import path from 'node:path';
import { atomicWriteFileSync } from '../../common/fs';
import type { Gpt2Weights } from '../weights/types';
import { toHfConfig } from '../weights/config';
import { buildGraph } from './build';
import { Gpt2Tokenizer } from '../tokenizer';

export interface HfExport {
  dir: string;
  onnxPath: string;
  dataPath: string;
  /** Size of the ONNX graph and its data file. */
  bytes: number;
  /** Tokenizer files written next to config.json. */
  tokenizerFiles: string[];
}

function writeJson(file: string, value: unknown): void {
  atomicWriteFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

export async function exportHf(weights: Gpt2Weights, tokenizerDir: string, outDir: string): Promise<HfExport> {
  const cfg = weights.config;
  fs.mkdirSync(path.join(outDir, 'onnx'), { recursive: true });
  const saved = await buildGraph(weights, { layout: 'hf' }, path.join(outDir, 'onnx', 'model.onnx'));

  writeJson(path.join(outDir, 'config.json'), {
    ...toHfConfig(cfg),
    'transformers.js_config': { dtype: 'fp32', use_external_data_format: { 'model.onnx': 1 } },
  });
  writeJson(path.join(outDir, 'generation_config.json'), {
    _from_model_config: true,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
  });
  // The tokenizer loads tokenizer.json or vocab.json + merges.txt and writes all four files
  // transformers.js expects (vocab.json, merges.txt, tokenizer.json, tokenizer_config.json).
  Gpt2Tokenizer.fromDir(tokenizerDir).writeFiles(outDir);
  const tokenizerFiles = ['vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json'];
  return { dir: outDir, ...saved, tokenizerFiles };
}
