/**
 * Where each scored token sits in the text. The engine reports token ids; the editor needs UTF-16
 * offsets. Token bytes are exact (a GPT-2 token is a run of UTF-8 bytes that may end inside a
 * character), so offsets are found in bytes and a token that ends mid-character hands the whole
 * character to the token that completes it (its own span is then empty and left out).
 */
import type { ScoredSpan } from '../../api/tasks';
import type { ScoredToken } from '../../engine/host/protocol';

/** The part of the tokenizer this needs (Gpt2Tokenizer has it). */
export interface TokenBytes {
  tokenBytes(id: number): Uint8Array;
}

function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/**
 * charAt[b] = the UTF-16 offset of the character starting at byte b, or -1 inside a character.
 * (A lone surrogate counts 3 bytes, as TextEncoder writes U+FFFD for it, which the tokenizer does too.)
 */
function byteToChar(text: string): Int32Array {
  let total = 0;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    total += utf8Length(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  const map = new Int32Array(total + 1).fill(-1);
  let b = 0;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    map[b] = i;
    b += utf8Length(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  map[total] = text.length;
  return map;
}

function spanOf(t: ScoredToken, from: number, to: number): ScoredSpan {
  return { from, to, logprob: t.logprob, rank: t.rank, top: t.top.map((a) => ({ text: a.text, logprob: a.logprob })) };
}

/**
 * Spans of `tokens` — the engine's scoring of the *end* of `text` (it drops tokens from the front
 * that do not fit its context). `skippedChars` is how much of the start was not read.
 */
export function scoreSpans(
  text: string,
  tokens: readonly ScoredToken[],
  tokenizer: TokenBytes | null,
): { spans: ScoredSpan[]; skippedChars: number } {
  const map = byteToChar(text);
  const totalBytes = map.length - 1;
  if (tokenizer) {
    const lengths = tokens.map((t) => tokenizer.tokenBytes(t.id).length);
    const used = lengths.reduce((s, n) => s + n, 0);
    const start = totalBytes - used;
    if (start >= 0) {
      const ceil = (b: number) => {
        while (b < totalBytes && map[b] < 0) b++;
        return map[b];
      };
      const spans: ScoredSpan[] = [];
      let at = start;
      tokens.forEach((t, i) => {
        const from = ceil(at);
        at += lengths[i];
        const to = ceil(at);
        if (to > from) spans.push(spanOf(t, from, to));
      });
      return { spans, skippedChars: ceil(start) };
    }
  }
  // No tokenizer (or one that disagrees with the model's): lay the token texts end to end from
  // the back. Exact for text without characters split across tokens, close otherwise.
  const spans: ScoredSpan[] = [];
  let end = text.length;
  for (let i = tokens.length - 1; i >= 0 && end > 0; i--) {
    const from = Math.max(0, end - tokens[i].text.length);
    spans.push(spanOf(tokens[i], from, end));
    end = from;
  }
  return { spans: spans.reverse(), skippedChars: end };
}
