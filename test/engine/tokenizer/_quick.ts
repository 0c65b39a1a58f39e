import { Gpt2Tokenizer } from '/work/main/electron/engine/tokenizer/index';
import { getEncoding } from 'js-tiktoken';
import { readFileSync, readdirSync, statSync } from 'node:fs';
let t0 = performance.now();
const tok = Gpt2Tokenizer.gpt2();
console.log('load ms', performance.now() - t0, tok.vocabSize, tok.eosTokenId);
t0 = performance.now();
const enc = getEncoding('r50k_base');
console.log('tiktoken load ms', performance.now() - t0);
const samples = ["Hello world! It's a test. I'LL go, they've done 123456 things.\n\n  \t  x", "日本語のテキストです。👨‍👩‍👧‍👦 👍🏽 é café", "<|endoftext|>hi"];
for (const s of samples) {
  const a = tok.encode(s), b = enc.encode(s, [], []);
  console.log(JSON.stringify(a) === JSON.stringify(b), a.length, tok.decode(a) === s);
}
// big text
let text = '';
const root = '/work/main/node_modules/typescript/lib';
for (const f of readdirSync(root).sort()) { if (f.endsWith('.js')) { text += readFileSync(root + '/' + f, 'utf8'); if (text.length > 3e6) break; } }
text = text.slice(0, 3e6);
for (let rep = 0; rep < 3; rep++) {
  const fresh = Gpt2Tokenizer.fromDir('/work/main/models/gpt2');
  t0 = performance.now(); const a = fresh.encode(text); const dt = performance.now() - t0;
  t0 = performance.now(); const a2 = fresh.encode(text); const dt2 = performance.now() - t0;
  t0 = performance.now(); const b = enc.encode(text, [], []); const dt3 = performance.now() - t0;
  console.log(`cold ${(3 / dt * 1000).toFixed(2)} MB/s warm ${(3 / dt2 * 1000).toFixed(2)} MB/s tiktoken ${(3 / dt3 * 1000).toFixed(2)} MB/s`, a.length, JSON.stringify(a) === JSON.stringify(b));
}
