/**
 * Loads a model folder as the app does, generates after a prompt, and prints the load time and the
 * RSS (anonymous and file-backed) after load and after the generation, next to the K/V cache size.
 *
 *   node --import tsx scripts/xl/load-memory.ts <model dir> [prompt tokens] [new tokens]
 */
import { readFileSync } from 'node:fs';
import { loadModel } from '../../electron/engine/runtime';

const [dir, promptArg = '200', newArg = '4'] = process.argv.slice(2);
if (!dir) throw new Error('usage: load-memory.ts <model dir> [prompt tokens] [new tokens]');
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const rss = () =>
  readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .filter((l) => /^(VmRSS|RssAnon|RssFile|VmHWM)/.test(l))
    .map((l) => l.replace(/\s+/g, ' '))
    .join(', ');
const t0 = performance.now();
const { engine, info } = await loadModel(dir, {});
console.log(`load ${(performance.now() - t0).toFixed(0)} ms; ${rss()}`);
const ids = engine.tokenize('The quick brown fox jumps over the lazy dog, and then it runs away. '.repeat(40));
const promptIds = ids.slice(0, Number(promptArg));
const prompt = engine.tokenizer.decode(promptIds);
let tokens = 0;
const t1 = performance.now();
await engine.generate(
  { prompt, params: { temperature: 0, maxNewTokens: Number(newArg), logitBias: { 50256: -Infinity } } },
  (ev) => {
    if (ev.kind === 'token') tokens++;
  },
);
const kv = 2 * info.nLayer * info.nEmbd * 4 * (promptIds.length + tokens);
console.log(
  `${tokens} tokens after ${promptIds.length} in ${(performance.now() - t1).toFixed(0)} ms; K/V fp32 ${mib(kv)}; ${rss()}`,
);
await engine.dispose();
