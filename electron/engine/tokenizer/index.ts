// GPT-2 byte-level BPE tokenizer, written for the engine's prefix cache: the same text always gives
// the same ids, and those ids are OpenAI's (identical to tiktoken r50k_base / Hugging Face GPT-2).
//
// Behaviour worth knowing:
// - `<|endoftext|>` in text is ordinary text unless `encode(text, { allowSpecial: true })`.
// - Lone surrogates (invalid UTF-16) are encoded as U+FFFD, as TextEncoder does; so
//   decode(encode(x)) === x for every well-formed string and === x.toWellFormed() otherwise.
// - decode() turns invalid UTF-8 (e.g. half an emoji) into U+FFFD; the stream decoder holds back an
//   incomplete character until its last byte arrives.
// - Piece results are cached in a bounded two-generation cache (<= 32768 pieces).
// Files: load.ts (reading / validation), bpe.ts (merge loop), write.ts (vocab.json, merges.txt,
// tokenizer.json, tokenizer_config.json).
export { Gpt2Tokenizer, type EncodeOptions, type StreamDecoder } from './gpt2-tokenizer';
export { TokenizerFileError, END_OF_TEXT } from './load';
export { IncrementalTokens, type TokenEdit } from './incremental';

import { Gpt2Tokenizer } from './gpt2-tokenizer';

/**
 * Writes vocab.json, merges.txt, tokenizer.json and tokenizer_config.json for `tokenizer` (default:
 * the shipped GPT-2 vocabulary) into `dir`, e.g. next to a generated test checkpoint.
 */
export function writeTokenizerFiles(dir: string, tokenizer: Gpt2Tokenizer = Gpt2Tokenizer.gpt2()): void {
  tokenizer.writeFiles(dir);
}
