// GPT-2 byte-level BPE tokenizer. See gpt2-tokenizer.ts for the algorithm and load.ts for the
// accepted file layouts.
export { Gpt2Tokenizer, type EncodeOptions, type StreamDecoder } from './gpt2-tokenizer';
export { TokenizerFileError, END_OF_TEXT } from './load';

import { Gpt2Tokenizer } from './gpt2-tokenizer';

/**
 * Writes vocab.json, merges.txt, tokenizer.json and tokenizer_config.json for `tokenizer` (default:
 * the shipped GPT-2 vocabulary) into `dir`, e.g. next to a generated test checkpoint.
 */
export function writeTokenizerFiles(dir: string, tokenizer: Gpt2Tokenizer = Gpt2Tokenizer.gpt2()): void {
  tokenizer.writeFiles(dir);
}
