/**
 * onnxruntime session creation on a model graph with the app's options or a variant, timed (wall and
 * CPU) and with the RSS after it; run twice to see it with the files in the page cache.
 *
 *   node --import tsx scripts/xl/session-load.ts <model.onnx> [default|disabled|noprepack] [repetitions]
 */
import { ort, sessionOptions } from '../../electron/engine/runtime/ort';

const [file, variant = 'default', reps = '2'] = process.argv.slice(2);
if (!file) throw new Error('usage: session-load.ts <model.onnx> [default|disabled|noprepack] [repetitions]');
const base = sessionOptions(['cpu'], variant === 'noprepack' ? { prepack: false } : {});
const options = variant === 'disabled' ? { ...base, graphOptimizationLevel: 'disabled' as const } : base;
for (let r = 0; r < Number(reps); r++) {
  const c0 = process.cpuUsage();
  const t = performance.now();
  const session = await ort().InferenceSession.create(file, options);
  const wall = performance.now() - t;
  const cpu = process.cpuUsage(c0);
  const rss = process.memoryUsage().rss / 2 ** 20;
  console.log(
    `${variant} ${r}: ${wall.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, RSS ${rss.toFixed(0)} MiB`,
  );
  await session.release();
}
