/**
 * The tokenizer files a Hugging Face-style model folder carries. transformers.js needs both
 * `tokenizer.json` and `tokenizer_config.json`; GPT-2 checkpoints sometimes ship only the original
 * `vocab.json` + `merges.txt`, so the fast-tokenizer JSON is derived from them when it is missing
 * (GPT-2's byte-level BPE is fully described by those two files plus `<|endoftext|>`).
 */
import fs from 'node:fs';
import path from 'node:path';

const EOT = '<|endoftext|>';

/** Files copied verbatim when present. */
const COPIED = ['vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

function readVocab(file: string): Record<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read the GPT-2 vocabulary (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: expected a JSON object of token → id`);
  return json as Record<string, number>;
}

function readMerges(file: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  // First line is the "#version: 0.2" header; blank lines carry nothing.
  return lines.filter((l, i) => l.trim() !== '' && !(i === 0 && l.startsWith('#version')));
}

/** tokenizer.json (Hugging Face `tokenizers` format) for GPT-2's byte-level BPE. */
export function gpt2TokenizerJson(vocab: Record<string, number>, merges: string[]): Record<string, unknown> {
  const eotId = vocab[EOT];
  if (eotId === undefined) throw new Error(`vocab.json has no ${EOT} token`);
  const byteLevel = (addPrefixSpace: boolean, trimOffsets: boolean) => ({
    type: 'ByteLevel',
    add_prefix_space: addPrefixSpace,
    trim_offsets: trimOffsets,
    use_regex: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [{ id: eotId, content: EOT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: byteLevel(false, true),
    post_processor: byteLevel(true, false),
    decoder: byteLevel(true, true),
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

export function gpt2TokenizerConfig(contextLength: number): Record<string, unknown> {
  return {
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: EOT,
    eos_token: EOT,
    unk_token: EOT,
    clean_up_tokenization_spaces: false,
    model_max_length: contextLength,
    tokenizer_class: 'GPT2Tokenizer',
  };
}

/** Copies/derives the tokenizer files from `tokenizerDir` into `outDir`. Returns the file names written. */
export function writeTokenizerFiles(tokenizerDir: string, outDir: string, contextLength: number): string[] {
  const written: string[] = [];
  for (const name of COPIED) {
    const src = path.join(tokenizerDir, name);
    if (fs.existsSync(src)) {
      fs.copyFileSync(src, path.join(outDir, name));
      written.push(name);
    }
  }
  if (!written.includes('tokenizer.json')) {
    const vocabFile = path.join(tokenizerDir, 'vocab.json');
    const mergesFile = path.join(tokenizerDir, 'merges.txt');
    for (const f of [vocabFile, mergesFile]) {
      if (!fs.existsSync(f)) throw new Error(`tokenizer folder ${tokenizerDir} has neither tokenizer.json nor ${path.basename(f)}`);
    }
    const json = gpt2TokenizerJson(readVocab(vocabFile), readMerges(mergesFile));
    fs.writeFileSync(path.join(outDir, 'tokenizer.json'), JSON.stringify(json));
    written.push('tokenizer.json');
  }
  if (!written.includes('tokenizer_config.json')) {
    fs.writeFileSync(path.join(outDir, 'tokenizer_config.json'), JSON.stringify(gpt2TokenizerConfig(contextLength), null, 2));
    written.push('tokenizer_config.json');
  }
  return written;
}
