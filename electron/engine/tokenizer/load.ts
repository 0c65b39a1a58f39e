// Reading and validating tokenizer files: vocab.json + merges.txt (OpenAI / Hugging Face "slow"
// layout) or a Hugging Face tokenizer.json. Every error names the file and says what was expected
// and what was found, since a writer importing a model folder is the one who reads it.
import { describeValue, quote } from '../../common/describe';
import { InklingError } from '../../common/errors';
import { READ_LIMITS, UnsafeFileError, readRegularTextSync } from '../util/safeRead';
import { BYTE_TO_CHAR } from './bytes';

export const END_OF_TEXT = '<|endoftext|>';

/**
 * Largest accepted token id. Tables are indexed by id, so a stray huge id must not make us allocate
 * gigabytes; 2^20 is far above any GPT-2 family vocabulary (50257).
 */
const MAX_TOKEN_ID = (1 << 20) - 1;

/** A tokenizer file is missing, unreadable, or not a GPT-2 style byte-level BPE tokenizer (code `model_invalid`). */
export class TokenizerFileError extends InklingError {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super('model_invalid', `${file}: ${detail}`);
    this.name = 'TokenizerFileError';
  }
}

/** The validated content of a tokenizer, whatever file layout it came from. */
export interface TokenizerSpec {
  /** vocab.json token string -> id (does not include added tokens that live only in added_tokens). */
  vocab: Map<string, number>;
  /** Merges in rank order as ids, three per merge: left, right, merged (each a vocab id). */
  mergeIds: Int32Array;
  /** Special / added tokens, content -> id; always holds <|endoftext|>. */
  specials: Map<string, number>;
}

function readText(path: string, what: string): string {
  try {
    // Regular files only (a FIFO would block, /dev/zero never ends), at most a few MB.
    return readRegularTextSync(path, { what, maxBytes: READ_LIMITS.tokenizer });
  } catch (err) {
    if (!(err instanceof UnsafeFileError)) throw err;
    if (err.reason === 'not_found') throw new TokenizerFileError(path, `${what} not found`);
    if (err.reason === 'not_regular' && /is a folder/.test(err.detail))
      throw new TokenizerFileError(path, `expected the ${what} file, found a directory`);
    if (err.reason === 'io') throw new TokenizerFileError(path, err.message);
    throw new TokenizerFileError(path, err.detail);
  }
}

function readJson(path: string, what: string): unknown {
  return parseJsonText(readText(path, what), path, what);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a token -> id object (vocab.json, or tokenizer.json's model.vocab). */
function parseVocab(raw: unknown, file: string, field: string): Map<string, number> {
  if (!isObject(raw)) {
    throw new TokenizerFileError(
      file,
      `${field} must be a JSON object mapping token strings to ids, found ${describeValue(raw)}`,
    );
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(raw)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
      throw new TokenizerFileError(
        file,
        `${field}: token ${quote(token)} has id ${describeValue(id)}; ids must be integers from 0 to ${MAX_TOKEN_ID}`,
      );
    }
    vocab.set(token, id);
  }
  // Duplicate ids: sort a copy and compare neighbours (cheaper than a second map); name the culprits.
  const ids = Int32Array.from(vocab.values()).sort();
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] === ids[i - 1]) {
      const names = [...vocab].filter(([, id]) => id === ids[i]).map(([t]) => quote(t));
      throw new TokenizerFileError(file, `${field}: id ${ids[i]} is used by both ${names[0]} and ${names[1]}`);
    }
  }
  // Byte-level BPE needs one token per byte, or some inputs could not be encoded at all. This is
  // also what tells a GPT-2 vocabulary apart from, say, a SentencePiece one.
  for (let b = 0; b < 256; b++) {
    if (!vocab.has(BYTE_TO_CHAR[b])) {
      const hex = b.toString(16).padStart(2, '0');
      throw new TokenizerFileError(
        file,
        `${field} is not a byte-level BPE vocabulary: no token for byte 0x${hex} (${JSON.stringify(BYTE_TO_CHAR[b])})`,
      );
    }
  }
  return vocab;
}

/**
 * Checks that both halves of every merge, and the merged token, are in the vocabulary, and returns
 * the merges as ids: [left0, right0, merged0, left1, ...] (looked up once, here).
 */
function mergeIdsOf(
  merges: Array<[string, string]>,
  vocab: Map<string, number>,
  file: string,
  where: (index: number) => string,
  vocabName: string,
): Int32Array {
  const ids = new Int32Array(merges.length * 3);
  for (let i = 0; i < merges.length; i++) {
    const [a, b] = merges[i];
    const left = vocab.get(a);
    const right = vocab.get(b);
    const merged = vocab.get(a + b);
    if (left === undefined || right === undefined || merged === undefined) {
      const detail =
        left === undefined || right === undefined
          ? `${quote(left === undefined ? a : b)} is not in ${vocabName}`
          : `the merged token ${quote(a + b)} is not in ${vocabName}`;
      throw new TokenizerFileError(file, `${where(i)}: merge ${quote(`${a} ${b}`)}: ${detail}`);
    }
    ids[3 * i] = left;
    ids[3 * i + 1] = right;
    ids[3 * i + 2] = merged;
  }
  return ids;
}

function requireEndOfText(specials: Map<string, number>, vocab: Map<string, number>, file: string): void {
  const id = specials.get(END_OF_TEXT) ?? vocab.get(END_OF_TEXT);
  if (id === undefined) {
    throw new TokenizerFileError(
      file,
      `no ${END_OF_TEXT} token; GPT-2 tokenizers need it as the end-of-text / separator token`,
    );
  }
  specials.set(END_OF_TEXT, id);
}

/** Parses merges.txt: an optional "#version: ..." first line, then one "left right" pair per line. */
export function parseMergesText(text: string, file: string): Array<[string, string]> {
  const merges: Array<[string, string]> = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '' || (i === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new TokenizerFileError(
        file,
        `line ${i + 1}: expected two tokens separated by one space, found ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    merges.push([parts[0], parts[1]]);
  });
  return merges;
}

/** Loads vocab.json + merges.txt. */
export function loadVocabAndMerges(vocabPath: string, mergesPath: string): TokenizerSpec {
  return leanVocabAndMerges(vocabPath, mergesPath) ?? checkedVocabAndMerges(vocabPath, mergesPath);
}

/** vocab.json + merges.txt through JSON.parse and full validation (every error message comes from here). */
function checkedVocabAndMerges(vocabPath: string, mergesPath: string): TokenizerSpec {
  const vocab = parseVocab(readJson(vocabPath, 'vocab.json'), vocabPath, 'vocab.json');
  const merges = parseMergesText(readText(mergesPath, 'merges.txt'), mergesPath);
  const mergeIds = mergeIdsOf(merges, vocab, mergesPath, (i) => `merge ${i + 1}`, `the vocabulary (${vocabPath})`);
  const specials = new Map<string, number>();
  requireEndOfText(specials, vocab, vocabPath);
  return { vocab, mergeIds, specials };
}

/** Loads a Hugging Face tokenizer.json whose model is byte-level BPE (GPT-2 and its fine-tunes). */
export function loadTokenizerJson(path: string): TokenizerSpec {
  const text = readText(path, 'tokenizer.json');
  return leanTokenizerJson(text, path) ?? checkedTokenizerJson(parseJsonText(text, path, 'tokenizer.json'), path);
}

function parseJsonText(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TokenizerFileError(path, `${what} is not valid JSON (${(err as Error).message})`);
  }
}

/** tokenizer.json (already parsed) with full validation: every error message comes from here. */
function checkedTokenizerJson(root: unknown, path: string): TokenizerSpec {
  if (!isObject(root)) throw new TokenizerFileError(path, `expected a JSON object, found ${describeValue(root)}`);
  const model = root.model;
  if (!isObject(model)) throw new TokenizerFileError(path, `"model" must be an object, found ${describeValue(model)}`);
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new TokenizerFileError(
      path,
      `model.type is ${describeValue(model.type)}; only "BPE" (GPT-2 byte-level BPE) is supported`,
    );
  }
  checkByteLevel(root.pre_tokenizer, path);
  const vocab = parseVocab(model.vocab, path, 'model.vocab');
  if (!Array.isArray(model.merges)) {
    throw new TokenizerFileError(path, `model.merges must be an array, found ${describeValue(model.merges)}`);
  }
  const merges = model.merges.map((m: unknown, i: number): [string, string] => {
    // Older files store "left right" strings; newer ones (tokenizers >= 0.20) store [left, right].
    if (typeof m === 'string') {
      const parts = m.split(' ');
      if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0], parts[1]];
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      return [m[0], m[1]];
    }
    throw new TokenizerFileError(
      path,
      `model.merges[${i}]: expected "left right" or ["left", "right"], found ${describeValue(m)}`,
    );
  });
  const mergeIds = mergeIdsOf(merges, vocab, path, (i) => `model.merges[${i}]`, 'model.vocab');
  const specials = parseAddedTokens(root.added_tokens, vocab, path);
  requireEndOfText(specials, vocab, path);
  return { vocab, mergeIds, specials };
}

function parseAddedTokens(raw: unknown, vocab: Map<string, number>, path: string): Map<string, number> {
  const specials = new Map<string, number>();
  if (raw === undefined || raw === null) return specials;
  if (!Array.isArray(raw))
    throw new TokenizerFileError(path, `added_tokens must be an array, found ${describeValue(raw)}`);
  raw.forEach((t: unknown, i: number) => {
    if (
      !isObject(t) ||
      typeof t.content !== 'string' ||
      t.content === '' ||
      typeof t.id !== 'number' ||
      !Number.isInteger(t.id) ||
      t.id < 0 ||
      t.id > MAX_TOKEN_ID
    ) {
      throw new TokenizerFileError(
        path,
        `added_tokens[${i}]: expected {"id": <integer>, "content": <string>, ...}, found ${describeValue(t)}`,
      );
    }
    const inVocab = vocab.get(t.content);
    if (inVocab !== undefined && inVocab !== t.id) {
      throw new TokenizerFileError(
        path,
        `added_tokens[${i}]: ${quote(t.content)} has id ${t.id} but model.vocab gives it id ${inVocab}`,
      );
    }
    specials.set(t.content, t.id);
  });
  return specials;
}

/**
 * GPT-2 pre-tokenizes with ByteLevel(add_prefix_space=false, use_regex=true). Other byte-level BPE
 * models (e.g. with a Split step and their own regex) would encode differently, so they are refused
 * rather than silently tokenized the GPT-2 way.
 */
function checkByteLevel(pre: unknown, path: string): void {
  if (pre === undefined || pre === null) return; // old files omit it; the byte alphabet check still applies
  const steps: unknown[] =
    isObject(pre) && pre.type === 'Sequence' && Array.isArray(pre.pretokenizers) ? pre.pretokenizers : [pre];
  const step = steps[0];
  if (steps.length !== 1 || !isObject(step) || step.type !== 'ByteLevel') {
    const shown = steps
      .slice(0, 5)
      .map((s) =>
        isObject(s) ? (typeof s.type === 'string' ? s.type.slice(0, 80) : describeValue(s.type)) : describeValue(s),
      );
    const types = shown.join(', ') + (steps.length > shown.length ? `, … (${steps.length} steps)` : '');
    throw new TokenizerFileError(
      path,
      `pre_tokenizer is [${types}]; expected a single "ByteLevel" step (GPT-2 byte-level BPE)`,
    );
  }
  if (step.add_prefix_space === true) {
    throw new TokenizerFileError(
      path,
      'pre_tokenizer ByteLevel has add_prefix_space: true; GPT-2 tokenizes without an added prefix space and that variant is not supported',
    );
  }
  if (step.use_regex === false) {
    throw new TokenizerFileError(
      path,
      "pre_tokenizer ByteLevel has use_regex: false; only GPT-2's own pre-tokenization regex is supported",
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The lean path. JSON.parse of a 50k-entry vocabulary builds a 50k-property object, then
// Object.entries, a Map and one [left, right] array per merge follow: ~35 MB of V8 heap at the peak
// for ~3 MB of tables, and V8 keeps the grown heap's pages resident afterwards. The lean path scans
// the vocabulary object and the merges straight from the file's text into the Map and an
// Int32Array (the rest of a tokenizer.json still goes through JSON.parse, with the two big members
// cut out). It accepts only what it fully understands and only files that pass every check; on
// anything else it returns null and the checked path above reads the file again, so results and
// error messages are exactly those of JSON.parse + the checks.

/** Index just past the last string / number read by readString / readId. */
let scanEnd = 0;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(t: string, i: number): number {
  while (i < t.length && isWs(t.charCodeAt(i))) i++;
  return i;
}

/** The JSON string starting at t[i] (a quote), decoded; null when it is not a valid JSON string. */
function readString(t: string, i: number): string | null {
  if (t.charCodeAt(i) !== 0x22) return null;
  let j = i + 1;
  let escaped = false;
  for (;;) {
    if (j >= t.length) return null;
    const c = t.charCodeAt(j);
    if (c === 0x22) break;
    if (c < 0x20) return null; // raw control characters are not allowed in JSON strings
    if (c === 0x5c) {
      escaped = true;
      j += 2;
      continue;
    }
    j++;
  }
  scanEnd = j + 1;
  if (!escaped) return t.slice(i + 1, j);
  try {
    const v: unknown = JSON.parse(t.slice(i, j + 1));
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A plain non-negative JSON integer at t[i] up to MAX_TOKEN_ID; -1 for anything else. */
function readId(t: string, i: number): number {
  const first = t.charCodeAt(i);
  if (!isDigit(first) || (first === 0x30 && isDigit(t.charCodeAt(i + 1)))) return -1;
  let v = 0;
  let j = i;
  while (j < t.length && isDigit(t.charCodeAt(j))) {
    v = v * 10 + (t.charCodeAt(j) - 0x30);
    if (v > MAX_TOKEN_ID) return -1;
    j++;
  }
  const c = t.charCodeAt(j);
  if (c === 0x2e || c === 0x65 || c === 0x45) return -1; // fraction or exponent: leave it to JSON.parse
  scanEnd = j;
  return v;
}

/** Scans a JSON object of token -> id at t[i] into `vocab`; returns the index after it, or -1. */
function scanVocab(t: string, i: number, vocab: Map<string, number>): number {
  i = skipWs(t, i);
  if (t.charCodeAt(i) !== 0x7b) return -1;
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 0x7d) return i + 1;
  for (;;) {
    const key = readString(t, i);
    if (key === null || vocab.has(key)) return -1; // a repeated key: JSON.parse's last-wins is the checked path's job
    i = skipWs(t, scanEnd);
    if (t.charCodeAt(i) !== 0x3a) return -1;
    const id = readId(t, skipWs(t, i + 1));
    if (id < 0) return -1;
    vocab.set(key, id);
    i = skipWs(t, scanEnd);
    const c = t.charCodeAt(i);
    if (c === 0x7d) return i + 1;
    if (c !== 0x2c) return -1;
    i = skipWs(t, i + 1);
  }
}

/** True when the vocabulary passes parseVocab's checks (unique ids, a token for every byte). */
function vocabIsSound(vocab: Map<string, number>): boolean {
  const ids = Int32Array.from(vocab.values()).sort();
  for (let i = 1; i < ids.length; i++) if (ids[i] === ids[i - 1]) return false;
  for (let b = 0; b < 256; b++) if (!vocab.has(BYTE_TO_CHAR[b])) return false;
  return true;
}

/** Appends merge (a, b) to `out` as ids; false when a, b or a + b is not in the vocabulary. */
function pushMerge(out: MergeBuilder, vocab: Map<string, number>, a: string, b: string): boolean {
  const left = vocab.get(a);
  const right = vocab.get(b);
  const merged = vocab.get(a + b);
  if (left === undefined || right === undefined || merged === undefined) return false;
  out.push(left, right, merged);
  return true;
}

class MergeBuilder {
  private data: Int32Array;
  length = 0;
  constructor(hint: number) {
    this.data = new Int32Array(Math.max(3, hint * 3));
  }
  push(left: number, right: number, merged: number): void {
    if (this.length + 3 > this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = left;
    this.data[this.length++] = right;
    this.data[this.length++] = merged;
  }
  result(): Int32Array {
    return this.length === this.data.length ? this.data : this.data.slice(0, this.length);
  }
}

/** One "left right" merge (exactly one space, both halves non-empty); false when malformed or unknown. */
function pushMergeLine(out: MergeBuilder, vocab: Map<string, number>, line: string): boolean {
  const sp = line.indexOf(' ');
  if (sp <= 0 || sp === line.length - 1 || line.indexOf(' ', sp + 1) >= 0) return false;
  return pushMerge(out, vocab, line.slice(0, sp), line.slice(sp + 1));
}

/** merges.txt as ids, with parseMergesText's rules; null when any line would need an error message. */
function leanMergesText(text: string, vocab: Map<string, number>): Int32Array | null {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const out = new MergeBuilder(lines);
  for (let start = 0, index = 0; ; index++) {
    let end = text.indexOf('\n', start);
    const last = end < 0;
    if (last) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end;
    const line = text.slice(start, stop);
    if (line !== '' && !(index === 0 && line.startsWith('#version')) && !pushMergeLine(out, vocab, line)) return null;
    if (last) break;
    start = end + 1;
  }
  return out.result();
}

function leanVocabAndMerges(vocabPath: string, mergesPath: string): TokenizerSpec | null {
  const vocabText = readText(vocabPath, 'vocab.json');
  const vocab = new Map<string, number>();
  const end = scanVocab(vocabText, 0, vocab);
  if (end < 0 || skipWs(vocabText, end) !== vocabText.length || !vocabIsSound(vocab)) return null;
  const mergeIds = leanMergesText(readText(mergesPath, 'merges.txt'), vocab);
  if (mergeIds === null) return null;
  const specials = new Map<string, number>();
  try {
    requireEndOfText(specials, vocab, vocabPath);
  } catch {
    return null;
  }
  return { vocab, mergeIds, specials };
}

/** End of the JSON value starting at t[i] (no validation beyond nesting and strings), or -1. */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 0x22) return readString(t, i) === null ? -1 : scanEnd;
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j);
      if (d === 0x22) {
        if (readString(t, j) === null) return -1;
        j = scanEnd - 1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (j < t.length) {
    const d = t.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d || isWs(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

/** [start, end) of member `name`'s value in the object at t[i]; null when absent, repeated or malformed. */
function memberRange(t: string, i: number, name: string): [number, number] | null {
  i = skipWs(t, i);
  if (t.charCodeAt(i) !== 0x7b) return null;
  i = skipWs(t, i + 1);
  let found: [number, number] | null = null;
  if (t.charCodeAt(i) === 0x7d) return null;
  for (;;) {
    const key = readString(t, i);
    if (key === null) return null;
    i = skipWs(t, scanEnd);
    if (t.charCodeAt(i) !== 0x3a) return null;
    const start = skipWs(t, i + 1);
    const end = skipValue(t, start);
    if (end < 0) return null;
    if (key === name) {
      if (found) return null;
      found = [start, end];
    }
    i = skipWs(t, end);
    const c = t.charCodeAt(i);
    if (c === 0x7d) return found;
    if (c !== 0x2c) return null;
    i = skipWs(t, i + 1);
  }
}

/** model.merges (an array of "left right" strings or [left, right] pairs) at t[i], as ids; null otherwise. */
function leanMergesArray(t: string, i: number, end: number, vocab: Map<string, number>): Int32Array | null {
  const out = new MergeBuilder(vocab.size);
  if (t.charCodeAt(i) !== 0x5b) return null;
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === 0x5d) return i + 1 === end ? out.result() : null;
  for (;;) {
    if (t.charCodeAt(i) === 0x22) {
      const line = readString(t, i);
      if (line === null || !pushMergeLine(out, vocab, line)) return null;
      i = skipWs(t, scanEnd);
    } else if (t.charCodeAt(i) === 0x5b) {
      const a = readString(t, skipWs(t, i + 1));
      if (a === null) return null;
      i = skipWs(t, scanEnd);
      if (t.charCodeAt(i) !== 0x2c) return null;
      const b = readString(t, skipWs(t, i + 1));
      if (b === null) return null;
      i = skipWs(t, scanEnd);
      if (t.charCodeAt(i) !== 0x5d || !pushMerge(out, vocab, a, b)) return null;
      i = skipWs(t, i + 1);
    } else return null;
    const c = t.charCodeAt(i);
    if (c === 0x5d) return i + 1 === end ? out.result() : null;
    if (c !== 0x2c) return null;
    i = skipWs(t, i + 1);
  }
}

function leanTokenizerJson(text: string, path: string): TokenizerSpec | null {
  const model = memberRange(text, 0, 'model');
  if (!model) return null;
  const v = memberRange(text, model[0], 'vocab');
  const m = memberRange(text, model[0], 'merges');
  if (!v || !m) return null;
  // Everything but the two big members goes through JSON.parse (and the checked path's checks).
  const [first, second] = v[0] < m[0] ? [v, m] : [m, v];
  const rest =
    text.slice(0, first[0]) +
    (first === v ? '{}' : '[]') +
    text.slice(first[1], second[0]) +
    (second === v ? '{}' : '[]') +
    text.slice(second[1]);
  let root: unknown;
  try {
    root = JSON.parse(rest);
  } catch {
    return null;
  }
  if (!isObject(root) || !isObject(root.model)) return null;
  if (root.model.type !== undefined && root.model.type !== 'BPE') return null;
  try {
    checkByteLevel(root.pre_tokenizer, path);
  } catch {
    return null;
  }
  const vocab = new Map<string, number>();
  if (scanVocab(text, v[0], vocab) !== v[1] || !vocabIsSound(vocab)) return null;
  const mergeIds = leanMergesArray(text, m[0], m[1], vocab);
  if (mergeIds === null) return null;
  try {
    const specials = parseAddedTokens(root.added_tokens, vocab, path);
    requireEndOfText(specials, vocab, path);
    return { vocab, mergeIds, specials };
  } catch {
    return null;
  }
}
