// Writing a tokenizer back out as vocab.json + merges.txt + a Hugging Face tokenizer.json (plus the
// tokenizer_config.json that transformers / transformers.js need to pick the tokenizer class), so a
// converted model folder is loadable by other tools as well as by Inkling.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFileSync } from '../../common/fs';
import { END_OF_TEXT } from './load';

export interface WritableTokenizer {
  /** id -> vocab token string for the BPE vocabulary (holes for ids that are only added tokens). */
  vocabTokens: ReadonlyArray<string | undefined>;
  merges: ReadonlyArray<readonly [string, string]>;
  specials: ReadonlyMap<string, number>;
}

/**
 * vocab.json text with entries in id order. (Built by hand: a JS object would put integer-like
 * keys such as "0" first, whatever their id.)
 */
function vocabJson(tokens: ReadonlyArray<string | undefined>): string {
  const parts: string[] = [];
  tokens.forEach((t, id) => {
    if (t !== undefined) parts.push(`${JSON.stringify(t)}:${id}`);
  });
  return `{${parts.join(',')}}`;
}

export function writeTokenizerFiles(dir: string, tok: WritableTokenizer): void {
  mkdirSync(dir, { recursive: true });
  const vocab = vocabJson(tok.vocabTokens);
  atomicWriteFileSync(join(dir, 'vocab.json'), vocab);
  const mergeLines = tok.merges.map(([a, b]) => `${a} ${b}`);
  atomicWriteFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${mergeLines.join('\n')}\n`);

  const addedTokens = [...tok.specials].map(([content, id]) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  }));
  addedTokens.sort((a, b) => a.id - b.id);
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  // Same layout as the tokenizer.json in Hugging Face's GPT-2 checkpoints; the vocab is spliced in
  // as text to keep id order (see vocabJson).
  const head = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
  };
  const model = {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
  };
  const modelText = JSON.stringify(model).slice(0, -1) + `,"vocab":${vocab},"merges":${JSON.stringify(mergeLines)}}`;
  atomicWriteFileSync(join(dir, 'tokenizer.json'), JSON.stringify(head).slice(0, -1) + `,"model":${modelText}}\n`);

  const eos = tok.specials.has(END_OF_TEXT) ? END_OF_TEXT : null;
  const config = {
    tokenizer_class: 'GPT2Tokenizer',
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: eos,
    eos_token: eos,
    unk_token: eos,
    // GPT-2's context length.
    model_max_length: 1024,
    // Decoding must give back exactly the text that was encoded (no " ." -> "." clean-up).
    clean_up_tokenization_spaces: false,
  };
  atomicWriteFileSync(join(dir, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
}
