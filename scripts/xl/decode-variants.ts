/**
 * Side-by-side decode/prefill of several converted models (and session variants) in one process,
 * taking turns repetition by repetition, so other load falls on all alike.
 *
 *   node --import tsx scripts/xl/decode-variants.ts <reps> <label>=<dir>[:spin|:nospin][:t1] ...
 */
import { InklingSubject } from '../../electron/engine/bench/inklingRun';
import { decodeRate } from '../../electron/engine/bench/figures';

const [repsArg, ...specs] = process.argv.slice(2);
const subjects = specs.map((s) => {
  const [label, rest] = s.split('=');
  const [dir, ...flags] = rest.split(':');
  // Spinning: ':spin' on, ':nospin' off, neither = the engine's automatic choice at load.
  const spinning = flags.includes('spin') ? true : flags.includes('nospin') ? false : undefined;
  const session = { spinning, threads: flags.includes('t1') ? 1 : undefined };
  return { label, subject: new InklingSubject({ label, dir } as never, session) };
});
for (const s of subjects)
  console.log(`${s.label}: load ${(await s.subject.load()).toFixed(0)} ms; ${s.subject.cpuNote}`);
const best = new Map<string, { d32: number; d800: number; pre: number }>();
for (let r = 0; r < Number(repsArg); r++) {
  for (const s of subjects) {
    const a = await s.subject.generate(32, 32);
    const b = await s.subject.generate(800, 16);
    const prev = best.get(s.label) ?? { d32: 0, d800: 0, pre: 0 };
    const cur = { d32: decodeRate(a.stamps), d800: decodeRate(b.stamps), pre: 800 / (b.ttft / 1000) };
    best.set(s.label, {
      d32: Math.max(prev.d32, cur.d32),
      d800: Math.max(prev.d800, cur.d800),
      pre: Math.max(prev.pre, cur.pre),
    });
    console.log(
      `r${r} ${s.label}: decode32 ${cur.d32.toFixed(1)} decode800 ${cur.d800.toFixed(1)} prefill800 ${cur.pre.toFixed(0)} tok/s`,
    );
  }
}
for (const [l, b] of best)
  console.log(`BEST ${l}: decode32 ${b.d32.toFixed(1)} decode800 ${b.d800.toFixed(1)} prefill800 ${b.pre.toFixed(0)}`);
for (const s of subjects) await s.subject.dispose();
