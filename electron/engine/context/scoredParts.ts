/**
 * The heat map's scored parts, kept between calls (the local engine's and a remote server's): an
 * LRU bounded by bytes, not by count, holding each part in typed arrays and two joined strings.
 * Measured on the first 120,000 characters of Moby-Dick (79 parts of ~364 tokens, 5 alternatives
 * each): as objects a part took 0.19 MB of heap; packed, 0.03 MB of heap plus its typed arrays,
 * counted here (conservatively: 2 bytes a character) as 0.064 MB. The default budget (96 MB) so
 * keeps ~1,500 parts, every part of a 400,000-word manuscript, where the old bound of 200 parts
 * (~50,000 words) made each pass after an edit score a novel again, evicting what it needed next.
 */
import type { ScoredToken, TokenAlternative } from '../host/protocol';

export const SCORED_PARTS_BUDGET_BYTES = 96 * 1024 * 1024;

interface Packed {
  ids: Int32Array;
  /** NaN: no prediction (the document's first token). */
  logprob: Float64Array;
  /** -1: unknown. */
  rank: Int32Array;
  text: string;
  /** End of token i's text in `text` (start: the previous end). */
  textEnd: Uint32Array;
  /** End of token i's alternatives in the top arrays. */
  topEnd: Uint32Array;
  topIds: Int32Array;
  topLogprob: Float64Array;
  topText: string;
  topTextEnd: Uint32Array;
  /** What the part was computed from (checked on a hit, beside the key's hash), if given. */
  context: Int32Array | null;
  bytes: number;
}

export function packTokens(tokens: readonly ScoredToken[], context: readonly number[] | null = null): Packed {
  const n = tokens.length;
  const ids = new Int32Array(n);
  const logprob = new Float64Array(n);
  const rank = new Int32Array(n);
  const textEnd = new Uint32Array(n);
  const topEnd = new Uint32Array(n);
  let alternatives = 0;
  for (const t of tokens) alternatives += t.top.length;
  const topIds = new Int32Array(alternatives);
  const topLogprob = new Float64Array(alternatives);
  const topTextEnd = new Uint32Array(alternatives);
  const texts: string[] = [];
  const topTexts: string[] = [];
  let at = 0;
  let a = 0;
  let topAt = 0;
  tokens.forEach((t, i) => {
    ids[i] = t.id;
    logprob[i] = t.logprob ?? Number.NaN;
    rank[i] = t.rank ?? -1;
    texts.push(t.text);
    at += t.text.length;
    textEnd[i] = at;
    for (const alt of t.top) {
      topIds[a] = alt.id;
      topLogprob[a] = alt.logprob;
      topTexts.push(alt.text);
      topAt += alt.text.length;
      topTextEnd[a++] = topAt;
    }
    topEnd[i] = a;
  });
  const text = texts.join('');
  const topText = topTexts.join('');
  const ctx = context ? Int32Array.from(context) : null;
  const bytes =
    ids.byteLength +
    logprob.byteLength +
    rank.byteLength +
    textEnd.byteLength +
    topEnd.byteLength +
    topIds.byteLength +
    topLogprob.byteLength +
    topTextEnd.byteLength +
    2 * (text.length + topText.length) +
    (ctx?.byteLength ?? 0) +
    256;
  return { ids, logprob, rank, text, textEnd, topEnd, topIds, topLogprob, topText, topTextEnd, context: ctx, bytes };
}

export function unpackTokens(p: Packed): ScoredToken[] {
  const out: ScoredToken[] = new Array<ScoredToken>(p.ids.length);
  let textStart = 0;
  let a = 0;
  let topStart = 0;
  for (let i = 0; i < p.ids.length; i++) {
    const top: TokenAlternative[] = [];
    for (; a < p.topEnd[i]; a++) {
      top.push({ id: p.topIds[a], text: p.topText.slice(topStart, p.topTextEnd[a]), logprob: p.topLogprob[a] });
      topStart = p.topTextEnd[a];
    }
    const lp = p.logprob[i];
    out[i] = {
      id: p.ids[i],
      text: p.text.slice(textStart, p.textEnd[i]),
      logprob: Number.isNaN(lp) ? null : lp,
      rank: p.rank[i] < 0 ? null : p.rank[i],
      top,
    };
    textStart = p.textEnd[i];
  }
  return out;
}

export class ScoredPartCache {
  private readonly parts = new Map<string, Packed>();
  private used = 0;

  constructor(private readonly budgetBytes = SCORED_PARTS_BUDGET_BYTES) {}

  /**
   * The part stored under `key` (now the most recently used), or null. With `context`, a part
   * computed from other ids (a hash collision) is a miss.
   */
  get(key: string, context?: { ids: readonly number[]; from: number; to: number }): ScoredToken[] | null {
    const hit = this.parts.get(key);
    if (!hit) return null;
    if (context && !sameIds(hit.context, context.ids, context.from, context.to)) return null;
    this.parts.delete(key);
    this.parts.set(key, hit);
    return unpackTokens(hit);
  }

  /** Stores a part, then drops the least recently used ones past the budget (never the one just stored). */
  set(key: string, tokens: readonly ScoredToken[], context: readonly number[] | null = null): void {
    const old = this.parts.get(key);
    if (old) {
      this.used -= old.bytes;
      this.parts.delete(key);
    }
    const packed = packTokens(tokens, context);
    this.parts.set(key, packed);
    this.used += packed.bytes;
    for (const [k, p] of this.parts) {
      if (this.used <= this.budgetBytes || k === key) break;
      this.parts.delete(k);
      this.used -= p.bytes;
    }
  }

  clear(): void {
    this.parts.clear();
    this.used = 0;
  }

  get size(): number {
    return this.parts.size;
  }

  get bytes(): number {
    return this.used;
  }
}

function sameIds(a: Int32Array | null, ids: readonly number[], from: number, to: number): boolean {
  if (a === null || a.length !== to - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== ids[from + i]) return false;
  return true;
}
