// Tokenizer throughput, printed (not asserted). Run: npx tsx test/engine/tokenizer/bench.ts
// Measures load time, cold encode (fresh tokenizer, empty word cache), warm encode (same text again,
// the per-keystroke case), decode, and js-tiktoken's r50k_base on the same text as a peer.
import { getEncoding } from 'js-tiktoken';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer/index';
import { corpus } from './corpus';

const text = corpus()
  .map((c) => c.text)
  .join('');
const mb = Buffer.byteLength(text) / 1e6;
// English prose alone (the .md files): the common case for a writing app.
const prose = corpus()
  .filter((c) => /\.md @/.test(c.label))
  .map((c) => c.text)
  .join('');
const proseMb = Buffer.byteLength(prose) / 1e6;
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, (performance.now() - t) / 1000];
};
const best = (runs: number[]) => Math.min(...runs);

const loads: number[] = [];
const cold: number[] = [];
const warm: number[] = [];
const decode: number[] = [];
let ids: number[] = [];
for (let i = 0; i < 3; i++) {
  const [tok, load] = time(() => Gpt2Tokenizer.fromDir(new URL('../../../models/gpt2', import.meta.url).pathname));
  loads.push(load);
  let s: number;
  [ids, s] = time(() => tok.encode(text));
  cold.push(s);
  [, s] = time(() => tok.encode(text));
  warm.push(s);
  [, s] = time(() => tok.decode(ids));
  decode.push(s);
}
const proseCold: number[] = [];
const proseWarm: number[] = [];
for (let i = 0; i < 3; i++) {
  const tok = Gpt2Tokenizer.fromDir(new URL('../../../models/gpt2', import.meta.url).pathname);
  proseCold.push(time(() => tok.encode(prose))[1]);
  proseWarm.push(time(() => tok.encode(prose))[1]);
}
const r50k = getEncoding('r50k_base');
const [, peer] = time(() => r50k.encode(text, [], []));
console.log(`corpus: ${mb.toFixed(2)} MB UTF-8, ${ids.length} tokens`);
console.log(`load vocab.json + merges.txt: ${(best(loads) * 1000).toFixed(0)} ms`);
console.log(`encode cold: ${(mb / best(cold)).toFixed(1)} MB/s   warm: ${(mb / best(warm)).toFixed(1)} MB/s`);
console.log(
  `prose only (${proseMb.toFixed(2)} MB): encode cold ${(proseMb / best(proseCold)).toFixed(1)} MB/s   warm: ${(proseMb / best(proseWarm)).toFixed(1)} MB/s`,
);
console.log(`decode: ${(mb / best(decode)).toFixed(1)} MB/s`);
console.log(
  `js-tiktoken r50k_base encode: ${(mb / peer).toFixed(2)} MB/s (ours cold is ${(peer / best(cold)).toFixed(1)}x)`,
);
