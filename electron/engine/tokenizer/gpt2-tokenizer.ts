// GPT-2's byte-level BPE tokenizer: pre-tokenize with GPT-2's regex, turn each piece into UTF-8
// bytes, merge by rank (bpe.ts). Ids match OpenAI's encoder / tiktoken's r50k_base exactly, which
// the engine's prefix cache relies on (same text -> same ids -> reusable K/V).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpeMerger, PairRanks } from './bpe';
import { BYTE_TO_CHAR, isByteSpelling, toWellFormed, utf8Bytes, writeByteSpelling } from './bytes';
import { END_OF_TEXT, loadTokenizerJson, loadVocabAndMerges, TokenizerFileError, type TokenizerSpec } from './load';
import { writeTokenizerFiles } from './write';

/**
 * GPT-2's pre-tokenization: contractions, optionally space-prefixed runs of letters / numbers /
 * other symbols, and whitespace (a run of whitespace before a non-space leaves its last space to
 * prefix the next word). The `u` flag makes \p{..} and astral characters work per code point.
 */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Entries per cache generation; the cache holds at most twice this many pieces. */
const CACHE_GENERATION = 16384;
/** Longer pieces are rare and would only bloat the cache. */
const CACHE_MAX_PIECE = 64;

export interface EncodeOptions {
  /** Encode <|endoftext|> (and any other added token) as its special id instead of as plain text. */
  allowSpecial?: boolean;
}

export interface StreamDecoder {
  /** Adds one token; returns the text that is now complete (possibly ""). */
  push(id: number): string;
  /**
   * What token `id` would write where the stream stands, without adding it (a top alternative's
   * text): the character that earlier tokens began, completed by it; its own whole characters when
   * it does not continue that character; "" when it holds no whole character (it only begins one,
   * or is a stray part of one). Never U+FFFD for where a token boundary fell.
   */
  peek(id: number): string;
  /** Returns whatever is still held back (an incomplete UTF-8 sequence comes out as U+FFFD) and resets. */
  flush(): string;
  /**
   * Ends the stream and resets: a character the stream stopped inside (a length limit or a cancel
   * fell between its bytes) is dropped rather than shown as U+FFFD. Returns "" (nothing is held
   * back but such a part).
   */
  finish(): string;
}

/**
 * How many bytes at the end of `b` are a UTF-8 sequence that is still valid but not yet complete
 * (0–3): exactly what a streaming WHATWG decoder holds back. Second-byte ranges follow the
 * standard (E0 → A0–BF, ED → 80–9F, F0 → 90–BF, F4 → 80–8F), so an invalid start is not held.
 */
export function incompleteTail(b: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const lead = b[b.length - k];
    if (lead < 0x80) return 0;
    if (lead < 0xc0) continue; // a continuation byte: its lead is further back
    const need = lead >= 0xf5 ? 0 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (need <= k) return 0; // complete, or a byte that never starts a character
    if (k >= 2) {
      const second = b[b.length - k + 1];
      const lo = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
      const hi = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
      if (second < lo || second > hi) return 0;
    }
    return k;
  }
  return 0;
}

let shippedGpt2: Gpt2Tokenizer | undefined;

export class Gpt2Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;

  /** Added tokens, content -> id. */
  private readonly specials: Map<string, number>;
  /**
   * Vocabulary tokens that writeFiles cannot re-spell from their bytes: tokens that are not
   * byte-spelled, and ids an added token shadows. (The vocabulary Map and the merge strings are not
   * kept: ~8 MB of heap for 50k tokens; the merges are re-spelled from their ids.)
   */
  private readonly vocabExtra = new Map<number, string>();
  private readonly mergeIds: Int32Array;
  /** Bytes of token `id` are tokenData[tokenOffsets[id] .. tokenOffsets[id+1]). */
  private readonly tokenOffsets: Uint32Array;
  private readonly tokenData: Uint8Array;
  private readonly known: Uint8Array; // 1 where an id has a token (vocabularies may have holes)
  private readonly vocabIds: Uint8Array; // 1 where an id is in the BPE vocabulary (not only an added token)
  private readonly merger: BpeMerger;
  private readonly pattern = new RegExp(GPT2_PATTERN.source, GPT2_PATTERN.flags);
  /** Matches any special token, longest first; null when there are none. */
  private readonly specialPattern: RegExp | null;
  private readonly scratch: number[] = [];
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  // Two-generation piece cache: lookups hit `recent` then `older`; when `recent` fills up it becomes
  // `older` and the previous `older` is dropped. Bounded memory, and words in use stay cached.
  private recent = new Map<string, number[]>();
  private older = new Map<string, number[]>();

  private constructor(spec: TokenizerSpec) {
    this.specials = spec.specials;
    this.mergeIds = spec.mergeIds;
    let maxId = -1;
    for (const id of spec.vocab.values()) maxId = Math.max(maxId, id);
    for (const id of spec.specials.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.eosTokenId = spec.specials.get(END_OF_TEXT) as number; // load.ts guarantees it

    // Token id -> bytes, packed into one buffer. Vocab tokens spell bytes with one character each
    // (bytes.ts); added tokens are plain text, stored as UTF-8.
    const encoder = new TextEncoder();
    const spelled: Array<string | undefined> = new Array(this.vocabSize);
    const textual: Array<Uint8Array | undefined> = new Array(this.vocabSize);
    for (const [token, id] of spec.vocab) {
      if (isByteSpelling(token)) spelled[id] = token;
      else {
        textual[id] = encoder.encode(token);
        this.vocabExtra.set(id, token);
      }
    }
    for (const [content, id] of spec.specials) {
      const shadowed = spelled[id];
      if (shadowed !== undefined) this.vocabExtra.set(id, shadowed);
      spelled[id] = undefined;
      textual[id] = encoder.encode(content);
    }
    this.vocabIds = new Uint8Array(this.vocabSize);
    for (const id of spec.vocab.values()) this.vocabIds[id] = 1;
    this.tokenOffsets = new Uint32Array(this.vocabSize + 1);
    this.known = new Uint8Array(this.vocabSize);
    let total = 0;
    for (let id = 0; id < this.vocabSize; id++) {
      this.tokenOffsets[id] = total;
      total += spelled[id]?.length ?? textual[id]?.length ?? 0;
    }
    this.tokenOffsets[this.vocabSize] = total;
    this.tokenData = new Uint8Array(total);
    for (let id = 0; id < this.vocabSize; id++) {
      const s = spelled[id];
      const t = textual[id];
      if (s !== undefined) writeByteSpelling(s, this.tokenData, this.tokenOffsets[id]);
      else if (t !== undefined) this.tokenData.set(t, this.tokenOffsets[id]);
      else continue;
      this.known[id] = 1;
    }

    const byteToId = new Int32Array(256);
    for (let b = 0; b < 256; b++) byteToId[b] = spec.vocab.get(BYTE_TO_CHAR[b]) as number; // checked in load.ts
    const count = spec.mergeIds.length / 3;
    const pairs = new PairRanks(count);
    const mergeIds = new Int32Array(count);
    for (let rank = 0; rank < count; rank++) {
      // A repeated merge keeps its first (lowest) rank, as in Hugging Face tokenizers.
      pairs.add(spec.mergeIds[3 * rank], spec.mergeIds[3 * rank + 1], rank);
      mergeIds[rank] = spec.mergeIds[3 * rank + 2];
    }
    this.merger = new BpeMerger(byteToId, pairs, mergeIds);

    const specials = [...spec.specials.keys()].sort((x, y) => y.length - x.length);
    this.specialPattern = specials.length
      ? new RegExp(specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
      : null;
  }

  static fromFiles(vocabJsonPath: string, mergesPath: string): Gpt2Tokenizer {
    return new Gpt2Tokenizer(loadVocabAndMerges(vocabJsonPath, mergesPath));
  }

  static fromTokenizerJson(path: string): Gpt2Tokenizer {
    return new Gpt2Tokenizer(loadTokenizerJson(path));
  }

  /** A model folder: tokenizer.json when present, else vocab.json + merges.txt. */
  static fromDir(dir: string): Gpt2Tokenizer {
    const tokenizerJson = join(dir, 'tokenizer.json');
    if (existsSync(tokenizerJson)) return Gpt2Tokenizer.fromTokenizerJson(tokenizerJson);
    const vocab = join(dir, 'vocab.json');
    const merges = join(dir, 'merges.txt');
    if (!existsSync(vocab) && !existsSync(merges)) {
      throw new TokenizerFileError(
        dir,
        'no tokenizer files found (expected tokenizer.json, or vocab.json and merges.txt)',
      );
    }
    return Gpt2Tokenizer.fromFiles(vocab, merges);
  }

  /** The GPT-2 vocabulary shipped in models/gpt2 (loaded once). */
  static gpt2(): Gpt2Tokenizer {
    shippedGpt2 ??= Gpt2Tokenizer.fromFiles(...shippedFiles());
    return shippedGpt2;
  }

  encode(text: string, opts?: EncodeOptions): number[] {
    // Lone surrogates have no UTF-8 form: they become U+FFFD, as TextEncoder would make them.
    const input = toWellFormed(text);
    const out: number[] = [];
    const special = opts?.allowSpecial ? this.specialPattern : null;
    if (special === null) {
      this.encodeOrdinary(input, out);
      return out;
    }
    special.lastIndex = 0;
    let start = 0;
    for (let m = special.exec(input); m !== null; m = special.exec(input)) {
      this.encodeOrdinary(input.slice(start, m.index), out);
      out.push(this.specials.get(m[0]) as number);
      start = m.index + m[0].length;
    }
    this.encodeOrdinary(input.slice(start), out);
    return out;
  }

  private encodeOrdinary(text: string, out: number[]): void {
    const re = this.pattern;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) this.encodePiece(m[0], out);
  }

  /**
   * Pre-token by pre-token encoding of ordinary text from `from` (which must be a pre-token start:
   * 0, or where an earlier scan of the same text put one). Before each pre-token, `onPiece(start,
   * out.length)` is asked whether to go on; the scan stops when it answers false and returns that
   * pre-token's start (or `text.length` at the end). `text` must be well-formed (no lone
   * surrogates; see `toWellFormed`). GPT-2's pattern has no look-behind, so a scan from a pre-token
   * start gives the same pre-tokens as a scan of the whole text: what incremental tokenization
   * (./incremental.ts) relies on.
   */
  encodeFrom(
    text: string,
    from: number,
    out: number[],
    onPiece: (start: number, tokenIndex: number) => boolean,
  ): number {
    const re = this.pattern;
    re.lastIndex = from;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (!onPiece(m.index, out.length)) return m.index;
      this.encodePiece(m[0], out);
    }
    return text.length;
  }

  private encodePiece(piece: string, out: number[]): void {
    if (piece.length === 1 && piece.charCodeAt(0) < 0x80) {
      out.push(this.merger.byteToIdOf(piece.charCodeAt(0)));
      return;
    }
    let ids = this.recent.get(piece);
    if (ids === undefined) {
      ids = this.older.get(piece);
      if (ids === undefined) {
        const n = utf8Bytes(piece, this.scratch);
        const start = out.length;
        this.merger.encodeBytes(this.scratch, n, out);
        if (piece.length <= CACHE_MAX_PIECE) this.remember(piece, out.slice(start));
        else if (n > 65536) this.scratch.length = 0; // don't keep a huge buffer alive after one huge piece
        return;
      }
      this.remember(piece, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  private remember(piece: string, ids: number[]): void {
    if (this.recent.size >= CACHE_GENERATION) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(piece, ids);
  }

  /** Diagnostics: how many pieces the word cache holds (bounded by twice CACHE_GENERATION). */
  get cachedPieces(): number {
    return this.recent.size + this.older.size;
  }

  /** UTF-8 decoding of the tokens' bytes; invalid sequences come out as U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = this.checkId(ids[i]);
      total += this.tokenOffsets[id + 1] - this.tokenOffsets[id];
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const piece = this.view(ids[i]);
      bytes.set(piece, at);
      at += piece.length;
    }
    return this.decoder.decode(bytes);
  }

  /** The raw bytes of one token (a copy). */
  tokenBytes(id: number): Uint8Array {
    return this.view(this.checkId(id)).slice();
  }

  /** A display string for one token; bytes that are part of a multi-byte character show as U+FFFD. */
  tokenText(id: number): string {
    return this.decoder.decode(this.view(this.checkId(id)));
  }

  /**
   * Incremental decoding for generated tokens: text is released only once its UTF-8 sequence is
   * complete, so an emoji or CJK character split over several tokens arrives whole. (Concatenated
   * pushes + flush() equal decode() of all the ids; a ZWJ emoji sequence is several characters and
   * may arrive character by character.)
   */
  createStreamDecoder(): StreamDecoder {
    // The held bytes are kept here (not inside a streaming TextDecoder) so that peek() can look
    // ahead without changing them. Decoding everything but an incomplete tail gives exactly what
    // TextDecoder's streaming mode gives; ignoreBOM keeps a leading U+FEFF instead of dropping it.
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    let held: Uint8Array = new Uint8Array(0);
    const step = (id: number): { text: string; rest: Uint8Array } => {
      const piece = this.view(this.checkId(id));
      let bytes = piece;
      if (held.length) {
        bytes = new Uint8Array(held.length + piece.length);
        bytes.set(held);
        bytes.set(piece, held.length);
      }
      const cut = bytes.length - incompleteTail(bytes);
      return { text: decoder.decode(bytes.subarray(0, cut)), rest: bytes.slice(cut) };
    };
    return {
      push: (id: number) => {
        const { text, rest } = step(id);
        held = rest;
        return text;
      },
      peek: (id: number) => {
        const here = step(id).text;
        if (!here.includes('\ufffd')) return here;
        const piece = this.view(id);
        const alone = decoder.decode(piece.subarray(0, piece.length - incompleteTail(piece)));
        return alone.includes('\ufffd') ? '' : alone;
      },
      flush: () => {
        const text = held.length ? decoder.decode(held) : '';
        held = new Uint8Array(0);
        return text;
      },
      finish: () => {
        held = new Uint8Array(0);
        return '';
      },
    };
  }

  /** Writes vocab.json, merges.txt, tokenizer.json (and tokenizer_config.json) into `dir`. */
  writeFiles(dir: string): void {
    const vocabTokens: Array<string | undefined> = new Array(this.vocabSize);
    for (let id = 0; id < this.vocabSize; id++) {
      if (this.vocabIds[id] === 0) continue;
      const extra = this.vocabExtra.get(id);
      if (extra !== undefined) vocabTokens[id] = extra;
      else {
        let token = '';
        for (const b of this.view(id)) token += BYTE_TO_CHAR[b];
        vocabTokens[id] = token;
      }
    }
    const merges: Array<[string, string]> = [];
    for (let i = 0; i < this.mergeIds.length; i += 3)
      merges.push([vocabTokens[this.mergeIds[i]] as string, vocabTokens[this.mergeIds[i + 1]] as string]);
    writeTokenizerFiles(dir, { vocabTokens, merges, specials: this.specials });
  }

  private view(id: number): Uint8Array {
    return this.tokenData.subarray(this.tokenOffsets[id], this.tokenOffsets[id + 1]);
  }

  private checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.known[id] === 0) {
      throw new RangeError(`token id ${id} is not in the vocabulary (ids 0..${this.vocabSize - 1})`);
    }
    return id;
  }
}

/** Finds models/gpt2 by walking up from this file (works from the source tree and from a build). */
function shippedFiles(): [string, string] {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'models', 'gpt2');
    if (existsSync(join(candidate, 'vocab.json')))
      return [join(candidate, 'vocab.json'), join(candidate, 'merges.txt')];
    const parent = dirname(dir);
    if (parent === dir) {
      throw new TokenizerFileError(
        'models/gpt2',
        `the GPT-2 tokenizer files were not found in any parent folder of ${fileURLToPath(import.meta.url)}`,
      );
    }
    dir = parent;
  }
}
