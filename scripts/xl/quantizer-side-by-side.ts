/**
 * The block quantizer of another revision next to this one's, on real XL-shape tensors, one thread,
 * in turns in one process: CPU ns per weight and whether the bytes are identical.
 *
 *   git show main:electron/engine/graph/quantize.ts > /tmp/quantize-old.ts
 *   node --import tsx scripts/xl/quantizer-side-by-side.ts <checkpoint dir> /tmp/quantize-old.ts [bits] [rounds]
 */
import { resolve } from 'node:path';
import * as now from '../../electron/engine/graph/quantize';
import { loadCheckpoint } from '../../electron/engine/weights';

type Quantizer = Pick<typeof now, 'allocateQuantized' | 'quantizeInto'>;

const [dir, oldFile, bitsArg = '4', roundsArg = '2'] = process.argv.slice(2);
if (!dir || !oldFile)
  throw new Error('usage: quantizer-side-by-side.ts <checkpoint dir> <old quantize.ts> [bits] [rounds]');
const bits = Number(bitsArg) === 8 ? 8 : 4;
const old = (await import(resolve(oldFile))) as Quantizer;
const ck = await loadCheckpoint(dir, { verifyValues: false });
const cpuMs = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const total = { previous: 0, now: 0, weights: 0 };
for (let round = 0; round < Number(roundsArg); round++) {
  for (const name of ['h.0.mlp.c_fc.weight', 'h.0.attn.c_attn.weight']) {
    const [k, n] = ck.get(name).shape; // Conv1D [in, out]: quantized as [out, in]
    const t = new Float32Array(n * k);
    now.transposePiece(ck.get(name).data, k, n, t);
    const order: Array<['previous' | 'now', Quantizer]> = [
      ['previous', old],
      ['now', now],
    ];
    if (round % 2) order.reverse();
    const out: Record<string, now.BlockQuantized> = {};
    for (const [label, m] of order) {
      const q = m.allocateQuantized(n, k, bits, 32);
      const ms = cpuMs(() => m.quantizeInto(q, t, k, 0, n, 0, k));
      total[label] += ms;
      out[label] = q;
      console.log(
        `round ${round} ${name} int${bits} ${label}: ${ms.toFixed(0)} ms CPU, ${((ms * 1e6) / (n * k)).toFixed(1)} ns/weight`,
      );
    }
    const same = (['codes', 'scales', 'zeroPoints'] as const).every((f) =>
      Buffer.from(out.previous[f].buffer).equals(Buffer.from(out.now[f].buffer)),
    );
    console.log(`  identical bytes: ${same}`);
    if (!same) process.exitCode = 1;
    total.weights += n * k;
  }
}
const ns = (ms: number) => ((ms * 1e6) / total.weights).toFixed(1);
console.log(
  `total: previous ${ns(total.previous)} ns/weight, now ${ns(total.now)} ns/weight, ratio ${(total.previous / total.now).toFixed(2)}×`,
);
