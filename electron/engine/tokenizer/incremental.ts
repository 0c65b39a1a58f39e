/**
 * Incremental tokenization of one growing, changing text (a document): after an edit only the
 * pre-tokens around it are encoded again, and the ids are always exactly `tokenizer.encode(text)`.
 *
 * Why this is exact. GPT-2's pre-tokenizer (a regex scanned left to right) has no look-behind, so
 * a scan that starts at a pre-token start produces the same pre-tokens as a scan of the whole
 * text, and BPE works inside one pre-token. After an edit:
 *   - pre-tokens well before the first changed character are unchanged: a match examines at most
 *     two characters past its end (`\s+(?!\S)` looks one past the whitespace run it backed out of),
 *     so every pre-token that ends two or more characters before the change (and, for margin, one
 *     more) is kept;
 *   - the scan restarts there and stops as soon as it reaches a pre-token start inside the common
 *     suffix that was also a pre-token start in the old text: from there on both texts are equal
 *     and so are their scans, and the old pieces are reused, shifted.
 * Cost: the changed region plus a copy of the arrays (no regex or BPE work on the rest).
 */
import { toWellFormed } from './bytes';
import type { Gpt2Tokenizer } from './gpt2-tokenizer';

export interface TokenEdit {
  /** Tokens [0, keptPrefix) are the same ids as before the edit. */
  keptPrefix: number;
  /**
   * Old tokens [oldTail, oldCount) are new tokens [oldTail + shift, newCount): the unchanged end.
   * oldTail = oldCount when no end was reused.
   */
  oldTail: number;
  shift: number;
  /** Characters that went through the pre-tokenizer again (the rest was reused). */
  scannedChars: number;
}

export class IncrementalTokens {
  private text = '';
  private ids: number[] = [];
  /** Start (character offset) of every pre-token. */
  private starts: number[] = [];
  /** Index of every pre-token's first token in `ids`. */
  private firsts: number[] = [];

  constructor(private readonly tokenizer: Gpt2Tokenizer) {}

  /** The current token ids (do not modify). */
  get tokens(): readonly number[] {
    return this.ids;
  }

  get length(): number {
    return this.ids.length;
  }

  /** The text as tokenized: `update`'s argument with lone surrogates made U+FFFD (same length). */
  get source(): string {
    return this.text;
  }

  /** Replaces the text; returns what stayed the same. */
  update(raw: string): TokenEdit {
    const text = toWellFormed(raw);
    const old = this.text;
    const oldCount = this.ids.length;
    if (text === old) return { keptPrefix: oldCount, oldTail: oldCount, shift: 0, scannedChars: 0 };

    // Longest common prefix and (non-overlapping) suffix of the two texts.
    const max = Math.min(old.length, text.length);
    const p = commonPrefix(old, text, max);
    const s = commonSuffix(old, text, max - p);
    const delta = text.length - old.length;

    // Restart at the pre-token before the one holding p - 2 (see the header for why that margin).
    let k = upperBound(this.starts, p - 2) - 1; // last pre-token starting at or before p - 2
    k = Math.max(0, k - 1);
    const restart = this.starts.length ? this.starts[k] : 0;
    const keptTokens = this.starts.length ? this.firsts[k] : 0;

    // Scan from the restart until the scan meets an old pre-token start inside the common suffix.
    const scanIds: number[] = [];
    const scanStarts: number[] = [];
    const scanFirsts: number[] = [];
    const suffixFrom = text.length - s; // new-text offsets >= this are in the common suffix
    let j = k; // candidate old pre-token to resync with
    let resync = -1;
    const end = this.tokenizer.encodeFrom(text, restart, scanIds, (start, tokenIndex) => {
      if (start >= suffixFrom) {
        const oldStart = start - delta;
        while (j < this.starts.length && this.starts[j] < oldStart) j++;
        if (j < this.starts.length && this.starts[j] === oldStart) {
          resync = j;
          return false;
        }
      }
      scanStarts.push(start);
      scanFirsts.push(keptTokens + tokenIndex);
      return true;
    });

    const oldTail = resync >= 0 ? this.firsts[resync] : oldCount;
    const shift = resync >= 0 ? keptTokens + scanIds.length - oldTail : 0;
    const oldIds = this.ids;
    // The new ids: oldIds[0, keptTokens) + scanIds + oldIds[oldTail, oldCount).
    const at = (i: number) => (i < keptTokens ? oldIds[i] : i < keptTokens + scanIds.length ? scanIds[i - keptTokens] : oldIds[i - shift]);
    const newCount = keptTokens + scanIds.length + (oldCount - oldTail);
    let keptPrefix = keptTokens;
    const limit = Math.min(oldCount, newCount);
    while (keptPrefix < limit && at(keptPrefix) === oldIds[keptPrefix]) keptPrefix++;

    // Edit the arrays in place: an edit at the end costs nothing for the text before it.
    if (resync >= 0) {
      for (let i = resync; i < this.starts.length; i++) {
        this.starts[i] += delta;
        this.firsts[i] += shift;
      }
      spliceIn(this.ids, keptTokens, oldTail, scanIds);
      spliceIn(this.starts, k, resync, scanStarts);
      spliceIn(this.firsts, k, resync, scanFirsts);
    } else {
      spliceIn(this.ids, keptTokens, oldCount, scanIds);
      spliceIn(this.starts, k, this.starts.length, scanStarts);
      spliceIn(this.firsts, k, this.firsts.length, scanFirsts);
    }
    this.text = text;
    return { keptPrefix, oldTail, shift, scannedChars: end - restart };
  }

  /** Index of the first token of the first pre-token that starts at or after `char` (length if none). */
  tokenAtOrAfter(char: number): number {
    const i = lowerBound(this.starts, char);
    return i < this.firsts.length ? this.firsts[i] : this.ids.length;
  }

  /**
   * When token `t` is the first token of a pre-token: that pre-token's start (a character offset).
   * Otherwise null (the token starts inside a word).
   */
  charAtToken(t: number): number | null {
    if (t === this.ids.length) return this.text.length;
    const i = lowerBound(this.firsts, t);
    return i < this.firsts.length && this.firsts[i] === t ? this.starts[i] : null;
  }

  /**
   * The first pre-token in tokens [from, to) that begins a line (follows a '\n'), as
   * [token index, character offset]; null when there is none.
   */
  lineStartWithin(from: number, to: number): [number, number] | null {
    for (let i = lowerBound(this.firsts, from); i < this.firsts.length && this.firsts[i] < to; i++) {
      const c = this.starts[i];
      if (c > 0 && this.text.charCodeAt(c - 1) === 10) return [this.firsts[i], c];
    }
    return null;
  }

  /** The first pre-token boundary at or after token `t`: [token index, character offset]. */
  boundaryAtOrAfter(t: number): [number, number] {
    const i = lowerBound(this.firsts, t);
    return i < this.firsts.length ? [this.firsts[i], this.starts[i]] : [this.ids.length, this.text.length];
  }
}

/** Compared in blocks: string equality is a native memcmp, a charCodeAt loop is not. */
const BLOCK = 2048;

function commonPrefix(a: string, b: string, max: number): number {
  let p = 0;
  while (p + BLOCK <= max && a.slice(p, p + BLOCK) === b.slice(p, p + BLOCK)) p += BLOCK;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  while (s + BLOCK <= max && a.slice(a.length - s - BLOCK, a.length - s) === b.slice(b.length - s - BLOCK, b.length - s)) s += BLOCK;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}

/** Replaces a[from, to) with `items`, in place. */
function spliceIn(a: number[], from: number, to: number, items: readonly number[]): void {
  if (to === a.length) {
    a.length = from;
    for (let i = 0; i < items.length; i++) a.push(items[i]);
  } else if (items.length <= 8192) {
    a.splice(from, to - from, ...items);
  } else {
    const tail = a.slice(to);
    a.length = from;
    for (let i = 0; i < items.length; i++) a.push(items[i]);
    for (let i = 0; i < tail.length; i++) a.push(tail[i]);
  }
}

/** First index whose value is >= x (sorted ascending). */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x (sorted ascending). */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
