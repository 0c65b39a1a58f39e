// Tiny byte-level BPE vocabularies for tests that need to control the merges (or break the files)
// without parsing the 50k-token GPT-2 vocabulary.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BYTE_TO_CHAR } from '../../../electron/engine/tokenizer/bytes';

export interface TinyTokenizer {
  vocab: Record<string, number>;
  merges: Array<[string, string]>;
}

/** 256 byte tokens, then one token per merge (in merge order), then <|endoftext|>. */
export function tinyTokenizer(merges: Array<[string, string]>): TinyTokenizer {
  const vocab: Record<string, number> = {};
  let next = 0;
  for (const ch of BYTE_TO_CHAR) vocab[ch] = next++;
  for (const [a, b] of merges) if (!(a + b in vocab)) vocab[a + b] = next++;
  vocab['<|endoftext|>'] = next;
  return { vocab, merges };
}

/**
 * Random merges over a small alphabet, each joining two tokens that already exist (as BPE training
 * produces them), so that later merges build on earlier ones.
 */
export function randomMerges(rand: () => number, alphabet: string[], count: number): Array<[string, string]> {
  const tokens = [...alphabet];
  const seen = new Set<string>();
  const merges: Array<[string, string]> = [];
  while (merges.length < count) {
    const a = tokens[Math.floor(rand() * tokens.length)];
    const b = tokens[Math.floor(rand() * tokens.length)];
    if (seen.has(`${a} ${b}`) || (a + b).length > 12) continue;
    seen.add(`${a} ${b}`);
    merges.push([a, b]);
    if (!tokens.includes(a + b)) tokens.push(a + b);
  }
  return merges;
}

const created: string[] = [];

/** A fresh temp dir; removed by removeTempDirs() (call it in afterAll). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inkling-tokenizer-'));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes vocab.json + merges.txt (and optionally tokenizer.json) for `tiny` into a fresh temp dir. */
export function writeTiny(tiny: TinyTokenizer, withTokenizerJson = false): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(tiny.vocab));
  writeFileSync(join(dir, 'merges.txt'), ['#version: 0.2', ...tiny.merges.map((m) => m.join(' '))].join('\n') + '\n');
  if (withTokenizerJson) writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(tiny)));
  return dir;
}

export function tinyTokenizerJson(tiny: TinyTokenizer, pairs = false): Record<string, unknown> {
  const eot = tiny.vocab['<|endoftext|>'];
  return {
    version: '1.0',
    added_tokens: [{ id: eot, content: '<|endoftext|>', special: true }],
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', vocab: tiny.vocab, merges: tiny.merges.map((m) => (pairs ? m : m.join(' '))) },
  };
}
