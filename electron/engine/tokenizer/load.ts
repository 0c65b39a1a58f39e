// Reading and validating tokenizer files: vocab.json + merges.txt (OpenAI / Hugging Face "slow"
// layout) or a Hugging Face tokenizer.json. Every error names the file and says what was expected
// and what was found, since a writer importing a model folder is the one who reads it.
import { describeValue, quote } from '../util/describe';
import { readFileSync } from 'node:fs';
import { BYTE_TO_CHAR } from './bytes';

export const END_OF_TEXT = '<|endoftext|>';

/**
 * Largest accepted token id. Tables are indexed by id, so a stray huge id must not make us allocate
 * gigabytes; 2^20 is far above any GPT-2 family vocabulary (50257).
 */
const MAX_TOKEN_ID = (1 << 20) - 1;

/** A tokenizer file is missing, unreadable, or not a GPT-2 style byte-level BPE tokenizer. */
export class TokenizerFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'TokenizerFileError';
  }
}

/** The validated content of a tokenizer, whatever file layout it came from. */
export interface TokenizerSpec {
  /** vocab.json token string -> id (does not include added tokens that live only in added_tokens). */
  vocab: Map<string, number>;
  /** Merges in rank order, as pairs of vocab token strings. */
  merges: Array<[string, string]>;
  /** The same merges as ids, three per merge: left, right, merged. */
  mergeIds: Int32Array;
  /** Special / added tokens, content -> id; always holds <|endoftext|>. */
  specials: Map<string, number>;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TokenizerFileError(path, `${what} not found`);
    if (code === 'EISDIR') throw new TokenizerFileError(path, `expected the ${what} file, found a directory`);
    throw new TokenizerFileError(path, `cannot read ${what}: ${(err as Error).message}`);
  }
}

function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TokenizerFileError(path, `${what} is not valid JSON (${(err as Error).message})`);
  }
}


function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a token -> id object (vocab.json, or tokenizer.json's model.vocab). */
function parseVocab(raw: unknown, file: string, field: string): Map<string, number> {
  if (!isObject(raw)) {
    throw new TokenizerFileError(file, `${field} must be a JSON object mapping token strings to ids, found ${describeValue(raw)}`);
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(raw)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
      throw new TokenizerFileError(file, `${field}: token ${quote(token)} has id ${describeValue(id)}; ids must be integers from 0 to ${MAX_TOKEN_ID}`);
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
      throw new TokenizerFileError(file, `${field} is not a byte-level BPE vocabulary: no token for byte 0x${hex} (${JSON.stringify(BYTE_TO_CHAR[b])})`);
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
    throw new TokenizerFileError(file, `no ${END_OF_TEXT} token; GPT-2 tokenizers need it as the end-of-text / separator token`);
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
      throw new TokenizerFileError(file, `line ${i + 1}: expected two tokens separated by one space, found ${JSON.stringify(line.slice(0, 80))}`);
    }
    merges.push([parts[0], parts[1]]);
  });
  return merges;
}

/** Loads vocab.json + merges.txt. */
export function loadVocabAndMerges(vocabPath: string, mergesPath: string): TokenizerSpec {
  const vocab = parseVocab(readJson(vocabPath, 'vocab.json'), vocabPath, 'vocab.json');
  const merges = parseMergesText(readText(mergesPath, 'merges.txt'), mergesPath);
  const mergeIds = mergeIdsOf(merges, vocab, mergesPath, (i) => `merge ${i + 1}`, `the vocabulary (${vocabPath})`);
  const specials = new Map<string, number>();
  requireEndOfText(specials, vocab, vocabPath);
  return { vocab, merges, mergeIds, specials };
}

/** Loads a Hugging Face tokenizer.json whose model is byte-level BPE (GPT-2 and its fine-tunes). */
export function loadTokenizerJson(path: string): TokenizerSpec {
  const root = readJson(path, 'tokenizer.json');
  if (!isObject(root)) throw new TokenizerFileError(path, `expected a JSON object, found ${describeValue(root)}`);
  const model = root.model;
  if (!isObject(model)) throw new TokenizerFileError(path, `"model" must be an object, found ${describeValue(model)}`);
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new TokenizerFileError(path, `model.type is ${describeValue(model.type)}; only "BPE" (GPT-2 byte-level BPE) is supported`);
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
    throw new TokenizerFileError(path, `model.merges[${i}]: expected "left right" or ["left", "right"], found ${describeValue(m)}`);
  });
  const mergeIds = mergeIdsOf(merges, vocab, path, (i) => `model.merges[${i}]`, 'model.vocab');
  const specials = parseAddedTokens(root.added_tokens, vocab, path);
  requireEndOfText(specials, vocab, path);
  return { vocab, merges, mergeIds, specials };
}

function parseAddedTokens(raw: unknown, vocab: Map<string, number>, path: string): Map<string, number> {
  const specials = new Map<string, number>();
  if (raw === undefined || raw === null) return specials;
  if (!Array.isArray(raw)) throw new TokenizerFileError(path, `added_tokens must be an array, found ${describeValue(raw)}`);
  raw.forEach((t: unknown, i: number) => {
    if (!isObject(t) || typeof t.content !== 'string' || t.content === '' || typeof t.id !== 'number' || !Number.isInteger(t.id) || t.id < 0 || t.id > MAX_TOKEN_ID) {
      throw new TokenizerFileError(path, `added_tokens[${i}]: expected {"id": <integer>, "content": <string>, ...}, found ${describeValue(t)}`);
    }
    const inVocab = vocab.get(t.content);
    if (inVocab !== undefined && inVocab !== t.id) {
      throw new TokenizerFileError(path, `added_tokens[${i}]: ${quote(t.content)} has id ${t.id} but model.vocab gives it id ${inVocab}`);
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
  const steps: unknown[] = isObject(pre) && pre.type === 'Sequence' && Array.isArray(pre.pretokenizers) ? pre.pretokenizers : [pre];
  const step = steps[0];
  if (steps.length !== 1 || !isObject(step) || step.type !== 'ByteLevel') {
    const shown = steps.slice(0, 5).map((s) => (isObject(s) ? (typeof s.type === 'string' ? s.type.slice(0, 80) : describeValue(s.type)) : describeValue(s)));
    const types = shown.join(', ') + (steps.length > shown.length ? `, … (${steps.length} steps)` : '');
    throw new TokenizerFileError(path, `pre_tokenizer is [${types}]; expected a single "ByteLevel" step (GPT-2 byte-level BPE)`);
  }
  if (step.add_prefix_space === true) {
    throw new TokenizerFileError(path, 'pre_tokenizer ByteLevel has add_prefix_space: true; GPT-2 tokenizes without an added prefix space and that variant is not supported');
  }
  if (step.use_regex === false) {
    throw new TokenizerFileError(path, "pre_tokenizer ByteLevel has use_regex: false; only GPT-2's own pre-tokenization regex is supported");
  }
}
