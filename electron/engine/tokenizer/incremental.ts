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

/** Old tokens [oldFrom, oldTo) are new tokens [oldFrom + shift, oldTo + shift). */
export interface ReusedRun {
  oldFrom: number;
  oldTo: number;
  shift: number;
}

export interface TokenEdit {
  /** Tokens [0, keptPrefix) are the same ids as before the edit. */
  keptPrefix: number;
  /** Every run of old tokens that reappears unchanged (in order; the first starts at 0). */
  reused: ReusedRun[];
  /** Characters that went through the pre-tokenizer again (the rest was reused). */
  scannedChars: number;
}

/** Where old token `t` is after the edit (null: it was re-tokenized, so it may be gone). */
export function mapOldToken(edit: TokenEdit, t: number): number | null {
  for (const r of edit.reused) if (t >= r.oldFrom && t < r.oldTo) return t + r.shift;
  return null;
}

/** new[na, nb) === old[na - d, nb - d); `toEnd`: the region runs to the end of both texts. */
interface Region {
  na: number;
  nb: number;
  d: number;
  toEnd: boolean;
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
    if (text === old)
      return { keptPrefix: oldCount, reused: [{ oldFrom: 0, oldTo: oldCount, shift: 0 }], scannedChars: 0 };

    // Longest common prefix and (non-overlapping) suffix of the two texts.
    const max = Math.min(old.length, text.length);
    const p = commonPrefix(old, text, 0, 0, max);
    const s = commonSuffix(old, text, max - p);
    const delta = text.length - old.length;

    // Restart at the pre-token before the one holding p - 2 (see the header for why that margin).
    let k = upperBound(this.starts, p - 2) - 1; // last pre-token starting at or before p - 2
    k = Math.max(0, k - 1);
    const restart = this.starts.length ? this.starts[k] : 0;
    const keptTokens = this.starts.length ? this.firsts[k] : 0;

    const suffix: Region = { na: text.length - s, nb: text.length, d: delta, toEnd: true };
    // Two edits far apart (a typo fixed in chapter one, then typing at the end): the text between
    // them is equal but shifted; find it so it is not scanned again.
    const middle = findMiddle(old, text, p, text.length - s, old.length - s);
    const edit = middle
      ? this.rebuild(text, k, restart, keptTokens, [middle, suffix])
      : this.editInPlace(text, k, restart, keptTokens, suffix);
    this.text = text;
    return edit;
  }

  /** One changed region: scan it, then splice (an edit at the end touches nothing before it). */
  private editInPlace(text: string, k: number, restart: number, keptTokens: number, suffix: Region): TokenEdit {
    const oldCount = this.ids.length;
    const scanIds: number[] = [];
    const scanStarts: number[] = [];
    const scanFirsts: number[] = [];
    let resync = -1;
    const end = this.tokenizer.encodeFrom(text, restart, scanIds, (start, tokenIndex) => {
      const j = this.resyncAt(start, suffix);
      if (j >= 0) {
        resync = j;
        return false;
      }
      scanStarts.push(start);
      scanFirsts.push(keptTokens + tokenIndex);
      return true;
    });

    const oldTail = resync >= 0 ? this.firsts[resync] : oldCount;
    const shift = resync >= 0 ? keptTokens + scanIds.length - oldTail : 0;
    const oldIds = this.ids;
    // The new ids: oldIds[0, keptTokens) + scanIds + oldIds[oldTail, oldCount).
    const at = (i: number) =>
      i < keptTokens ? oldIds[i] : i < keptTokens + scanIds.length ? scanIds[i - keptTokens] : oldIds[i - shift];
    const newCount = keptTokens + scanIds.length + (oldCount - oldTail);
    let keptPrefix = keptTokens;
    const limit = Math.min(oldCount, newCount);
    while (keptPrefix < limit && at(keptPrefix) === oldIds[keptPrefix]) keptPrefix++;

    const reused: ReusedRun[] = [{ oldFrom: 0, oldTo: keptTokens, shift: 0 }];
    if (resync >= 0) {
      reused.push({ oldFrom: oldTail, oldTo: oldCount, shift });
      for (let i = resync; i < this.starts.length; i++) {
        this.starts[i] += suffix.d;
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
    return { keptPrefix, reused, scannedChars: end - restart };
  }

  /**
   * Several equal regions: scan the changed parts, copy the old pre-tokens that lie wholly (with
   * the two characters a match may examine past its end) inside an equal region.
   */
  private rebuild(text: string, k: number, restart: number, keptTokens: number, regions: Region[]): TokenEdit {
    const oldIds = this.ids;
    const oldStarts = this.starts;
    const oldFirsts = this.firsts;
    const oldLength = this.text.length;
    const pieceEnd = (i: number) => (i + 1 < oldStarts.length ? oldStarts[i + 1] : oldLength);
    const ids = oldIds.slice(0, keptTokens);
    const starts = oldStarts.slice(0, k);
    const firsts = oldFirsts.slice(0, k);
    const reused: ReusedRun[] = [{ oldFrom: 0, oldTo: keptTokens, shift: 0 }];
    let pos = restart;
    let ri = 0;
    let scanned = 0;
    for (;;) {
      let hit = -1;
      const end = this.tokenizer.encodeFrom(text, pos, ids, (start, tokenIndex) => {
        while (ri < regions.length - 1 && start >= regions[ri].nb) ri++;
        const r = regions[ri];
        const j = this.resyncAt(start, r);
        if (j >= 0 && (r.toEnd || pieceEnd(j) + 2 <= r.nb - r.d)) {
          hit = j;
          return false;
        }
        starts.push(start);
        firsts.push(tokenIndex);
        return true;
      });
      scanned += end - pos;
      if (hit < 0) break;
      const r = regions[ri];
      let e = hit + 1;
      if (r.toEnd) e = oldStarts.length;
      else while (e < oldStarts.length && pieceEnd(e) + 2 <= r.nb - r.d) e++;
      const tokFrom = oldFirsts[hit];
      const tokTo = e < oldStarts.length ? oldFirsts[e] : oldIds.length;
      const shift = ids.length - tokFrom;
      for (let t = tokFrom; t < tokTo; t++) ids.push(oldIds[t]);
      for (let i = hit; i < e; i++) {
        starts.push(oldStarts[i] + r.d);
        firsts.push(oldFirsts[i] + shift);
      }
      reused.push({ oldFrom: tokFrom, oldTo: tokTo, shift });
      if (r.toEnd || e >= oldStarts.length) break;
      pos = oldStarts[e] + r.d;
      ri++;
    }
    let keptPrefix = keptTokens;
    const limit = Math.min(oldIds.length, ids.length);
    while (keptPrefix < limit && ids[keptPrefix] === oldIds[keptPrefix]) keptPrefix++;
    this.ids = ids;
    this.starts = starts;
    this.firsts = firsts;
    return { keptPrefix, reused, scannedChars: scanned };
  }

  /** The old pre-token that new pre-token `start` lines up with inside region `r`, or -1. */
  private resyncAt(start: number, r: Region): number {
    if (start < r.na) return -1;
    const oldStart = start - r.d;
    const j = lowerBound(this.starts, oldStart);
    return j < this.starts.length && this.starts[j] === oldStart ? j : -1;
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

  /**
   * The document cut into parts for scoring, each a run of whole pre-tokens: a part ends at the
   * first line start after `minTokens`, or at the first pre-token boundary after `maxTokens`.
   * Returns each part's [first token, character offset]. Parts depend only on the text, so an edit
   * changes only the parts around it.
   */
  parts(minTokens: number, maxTokens: number): [number, number][] {
    const out: [number, number][] = [];
    if (this.ids.length === 0) return out;
    let start = 0;
    out.push([0, 0]);
    for (let i = 1; i < this.firsts.length; i++) {
      const len = this.firsts[i] - start;
      const c = this.starts[i];
      if ((len >= minTokens && this.text.charCodeAt(c - 1) === 10) || len >= maxTokens) {
        start = this.firsts[i];
        out.push([start, c]);
      }
    }
    return out;
  }

  /** The first pre-token boundary at or after token `t`: [token index, character offset]. */
  boundaryAtOrAfter(t: number): [number, number] {
    const i = lowerBound(this.firsts, t);
    return i < this.firsts.length ? [this.firsts[i], this.starts[i]] : [this.ids.length, this.text.length];
  }
}

/** Compared in blocks: string equality is a native memcmp, a charCodeAt loop is not. */
const BLOCK = 2048;

/** Length of the common run of a[ai...] and b[bi...], at most `max`. */
function commonPrefix(a: string, b: string, ai: number, bi: number, max: number): number {
  let p = 0;
  while (p + BLOCK <= max && a.slice(ai + p, ai + p + BLOCK) === b.slice(bi + p, bi + p + BLOCK)) p += BLOCK;
  while (p < max && a.charCodeAt(ai + p) === b.charCodeAt(bi + p)) p++;
  return p;
}

/** Equal regions shorter than this are not worth a search. */
const MIN_MIDDLE = 1024;
const PROBE = 64;

/**
 * new[p, newEnd) and old[p, oldEnd) differ at both ends; when they hold a long equal stretch
 * (shifted by the first edit's size), find it with a probe string and extend it both ways.
 */
function findMiddle(old: string, text: string, p: number, newEnd: number, oldEnd: number): Region | null {
  if (newEnd - p < MIN_MIDDLE + 512 || oldEnd - p < MIN_MIDDLE) return null;
  for (const x of [p + 256, p + 4096]) {
    if (x + PROBE > newEnd) break;
    const q = old.indexOf(text.slice(x, x + PROBE), p);
    if (q < 0 || q + PROBE > oldEnd) continue;
    const d = x - q;
    let na = x;
    while (na > p && na - d > p && text.charCodeAt(na - 1) === old.charCodeAt(na - 1 - d)) na--;
    const nb = x + commonPrefix(text, old, x, q, Math.min(newEnd - x, oldEnd - q));
    if (nb - na >= MIN_MIDDLE) return { na, nb, d, toEnd: false };
  }
  return null;
}

function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  while (
    s + BLOCK <= max &&
    a.slice(a.length - s - BLOCK, a.length - s) === b.slice(b.length - s - BLOCK, b.length - s)
  )
    s += BLOCK;
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
