/** make-test-model, convert, export-hf: commands that write model folders. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { convertCheckpoint, exportHfFolder } from '../../engine/convert';
import { PRECISIONS } from '../../engine/graph';
import { QUANT_BLOCK_SIZE, QUANT_BLOCK_SIZES, type QuantBlockSize } from '../../engine/graph/params';
import { makeTestModel } from '../../engine/weights';
import { intArg } from '../main';
import { progressBar } from '../progress';

export function registerModelCommands(program: Command): void {
  program
    .command('make-test-model')
    .description('Write a random-weight GPT-2 checkpoint in the Hugging Face layout (for tests and benchmarks)')
    .requiredOption('--out <dir>', 'folder to write (config.json, model.safetensors, tokenizer files)')
    .option('--layers <n>', 'number of transformer blocks', intArg('--layers', 1, 96), 2)
    .option('--embd <n>', 'embedding width (divisible by --heads)', intArg('--embd', 1, 8192), 64)
    .option('--heads <n>', 'attention heads', intArg('--heads', 1, 128), 4)
    .option('--positions <n>', 'context length', intArg('--positions', 1, 8192), 1024)
    .option('--seed <n>', 'random seed (same seed, same bytes)', intArg('--seed', 0), 1)
    .option('--dtype <dtype>', 'F32, F16 or BF16', 'F32')
    .option('--prefix', 'write tensor names with the "transformer." prefix', false)
    .action(
      async (o: {
        out: string;
        layers: number;
        embd: number;
        heads: number;
        positions: number;
        seed: number;
        dtype: string;
        prefix: boolean;
      }) => {
        const dtype = o.dtype.toUpperCase();
        if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16')
          throw new Error(`--dtype must be F32, F16 or BF16, got ${o.dtype}`);
        await makeTestModel({
          outDir: resolve(o.out),
          layers: o.layers,
          embd: o.embd,
          heads: o.heads,
          positions: o.positions,
          seed: o.seed,
          dtype,
          prefix: o.prefix,
        });
        process.stdout.write(resolve(o.out) + '\n');
      },
    );

  program
    .command('convert')
    .description("Convert a Hugging Face GPT-2 checkpoint folder into Inkling's optimized ONNX model folder")
    .argument('<src>', 'checkpoint folder (config.json, model.safetensors, vocab.json + merges.txt or tokenizer.json)')
    .requiredOption('--out <dir>', 'new or empty folder for the converted model')
    .option(
      '--precision <p>',
      'weights as fp32 (exact), fp16 (half the size, same speed), int8 or int4 (block-quantized: smaller and faster, slightly different)',
      'fp32',
    )
    .option(
      '--no-quality',
      'int8/int4/fp16: skip measuring the difference from fp32 (a separate step after the weights are written)',
    )
    .option(
      '--block-size <n>',
      `int8/int4: weights per quantization block, ${QUANT_BLOCK_SIZES.join(', ')} (default ${QUANT_BLOCK_SIZE}); larger decodes faster but is coarser: compare with \`inkling eval\` before relying on it`,
    )
    .action(async (src: string, o: { out: string; precision: string; quality: boolean; blockSize?: string }) => {
      const precision = PRECISIONS.find((p) => p === o.precision);
      if (!precision) throw new Error(`--precision must be one of ${PRECISIONS.join(', ')}, got ${o.precision}`);
      let blockSize: QuantBlockSize | undefined;
      if (o.blockSize !== undefined) {
        blockSize = QUANT_BLOCK_SIZES.find((b) => String(b) === o.blockSize);
        if (!blockSize)
          throw new Error(`--block-size must be one of ${QUANT_BLOCK_SIZES.join(', ')}, got ${o.blockSize}`);
        if (precision !== 'int8' && precision !== 'int4')
          throw new Error(`--block-size applies to int8 and int4 only, not ${precision}`);
      }
      const bar = progressBar('converting');
      await convertCheckpoint(src, o.out, {
        precision,
        onProgress: bar.update,
        qualityReport: o.quality,
        ...(blockSize !== undefined ? { blockSize } : {}),
      });
      bar.done();
      process.stdout.write(resolve(o.out) + '\n');
    });

  program
    .command('export-hf')
    .description('Export a checkpoint folder in the Hugging Face / transformers.js ONNX layout (onnx/model.onnx)')
    .argument('<src>', 'checkpoint folder')
    .requiredOption('--out <dir>', 'new or empty folder for the export')
    .action(async (src: string, o: { out: string }) => {
      await exportHfFolder(src, o.out);
      process.stdout.write(resolve(o.out) + '\n');
    });
}
