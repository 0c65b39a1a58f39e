/**
 * The tokenizer of a loaded model, main-side, for placing scored tokens in the text (the engine
 * process has its own; only token bytes are needed here). Loaded once per model folder.
 */
import type { ModelInfo } from '../../api/types';
import { Gpt2Tokenizer } from '../../engine/tokenizer';
import type { TokenBytes } from './spans';

const cache = new Map<string, TokenBytes | null>();

export function modelTokenizer(model: ModelInfo): TokenBytes | null {
  if (cache.has(model.dir)) return cache.get(model.dir)!;
  let tokenizer: TokenBytes | null = null;
  try {
    tokenizer = Gpt2Tokenizer.fromDir(model.dir);
  } catch {
    try {
      // Every GPT-2 checkpoint shares this vocabulary; a folder without tokenizer files still works.
      tokenizer = model.vocabSize === 50257 ? Gpt2Tokenizer.gpt2() : null;
    } catch {
      tokenizer = null;
    }
  }
  cache.set(model.dir, tokenizer);
  return tokenizer;
}
