/**
 * How fast onnxruntime's quantized matrix kernel can read weights at all: one MatMulNBits node,
 * [1, K] × [N, K] quantized, larger than the last-level cache, timed beside the bench's bandwidth
 * ceiling in the same process. It bounds what any graph built from that kernel can decode: a model
 * reading B bytes per token cannot pass (kernel rate ÷ B) tokens per second.
 *
 *   node --import tsx scripts/xl/kernel-rate.ts [N=131072] [K=4096] [variants: bits/block, e.g. 8/32 8/128 4/32]
 *
 * The graph files are written once under .cache/bench/kernel/ (git-ignored). Codes are pseudo-random
 * bytes (a fixed LCG), so the kernel's time does not depend on special values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { measureBandwidth } from '../../electron/engine/bench/bandwidth';
import { GraphBuilder } from '../../electron/engine/graph/builder';
import { DataType } from '../../electron/engine/graph/onnx';
import { floatTensor, ort, sessionOptions } from '../../electron/engine/runtime/ort';

const args = process.argv.slice(2);
const numbers = args.filter((a) => /^\d+$/.test(a)).map(Number);
const [N = 131072, K = 4096] = numbers;
const variants = args.filter((a) => a.includes('/'));
if (variants.length === 0) variants.push('8/32', '8/128', '4/32');

/** Bytes a MatMulNBits node reads per run: codes, fp32 scales, packed zero points. */
function weightBytes(bits: number, block: number): number {
  const blocks = K / block;
  return N * blocks * ((block * bits) / 8) + N * blocks * 4 + N * Math.ceil((blocks * bits) / 8);
}

async function graph(bits: 4 | 8, block: number): Promise<string> {
  const dir = path.join('.cache', 'bench', 'kernel', `mnb-${bits}-${block}-${N}x${K}`);
  const file = path.join(dir, 'model.onnx');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const blocks = K / block;
  const g = new GraphBuilder('kernel-rate');
  const x = g.input('x', DataType.FLOAT, [1, K]);
  const codeBytes = N * blocks * ((block * bits) / 8);
  let seed = 12345;
  const codes = g.weight({
    name: 'codes',
    dataType: DataType.UINT8,
    dims: [N, blocks, (block * bits) / 8],
    bytes: () => {
      throw new Error('written in pieces');
    },
    *pieces() {
      for (let at = 0; at < codeBytes; at += 1 << 24) {
        const piece = new Uint8Array(Math.min(1 << 24, codeBytes - at));
        for (let i = 0; i < piece.length; i++) {
          seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
          piece[i] = seed >>> 24;
        }
        yield piece;
      }
    },
  });
  const scaleValues = new Float32Array(N * blocks).map((_, i) => 0.01 + (i % 7) * 0.001);
  const scales = g.weight({
    name: 'scales',
    dataType: DataType.FLOAT,
    dims: [N * blocks],
    bytes: () => new Uint8Array(scaleValues.buffer),
  });
  const zpLength = N * Math.ceil((blocks * bits) / 8);
  const zeroPoints = g.weight({
    name: 'zero_points',
    dataType: DataType.UINT8,
    dims: [zpLength],
    bytes: () => new Uint8Array(zpLength).fill(bits === 8 ? 128 : 0x88),
  });
  const attrs = { K, N, bits, block_size: block, accuracy_level: 4 };
  const [y] = g.opN('MatMulNBits', [x, codes, scales, zeroPoints], attrs, { domain: 'com.microsoft' });
  g.output(g.op('Identity', [y], {}, 'y'), DataType.FLOAT, [1, N]);
  await g.save(file);
  return file;
}

const ceiling = await measureBandwidth({ bufferMiB: 1024, runs: 5 });
for (const m of ceiling.methods) console.log(`${m.name}: ${(m.bytesPerSecond / 1e9).toFixed(1)} GB/s`);
const input = new Float32Array(K).map((_, i) => Math.sin(i));
for (const v of variants) {
  const [bits, block] = v.split('/').map(Number) as [4 | 8, number];
  const file = await graph(bits, block);
  const session = await ort().InferenceSession.create(file, sessionOptions(['cpu'], { threads: 2, spinning: true }));
  let best = Infinity;
  for (let r = 0; r <= 10; r++) {
    const t0 = performance.now();
    await session.run({ x: floatTensor(input, [1, K]) });
    if (r > 0) best = Math.min(best, performance.now() - t0); // run 0 warms up
  }
  await session.release();
  const bytes = weightBytes(bits, block);
  const gbps = bytes / best / 1e6;
  console.log(
    `MatMulNBits int${bits}, blocks of ${block}, [1, ${K}] × [${N}, ${K}]: ${(bytes / 1e6).toFixed(0)} MB in ` +
      `${best.toFixed(2)} ms = ${gbps.toFixed(1)} GB/s (${((gbps * 1e9 * 100) / ceiling.bytesPerSecond).toFixed(0)}% of the ceiling)`,
  );
}
