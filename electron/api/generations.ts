/**
 * The generation history's part of the contract: every piece of model text that entered a
 * document (an accepted suggestion, a Continue card, a branch, a pane's result), the text around
 * it, and the other tries at that place (earlier retries, the alternatives not chosen, other cards,
 * the run a branch replaced). It is kept in the app's data folder, never in the document file.
 */
import { InklingError } from './errors';

export type GenerationSource = 'suggestion' | 'alternative' | 'card' | 'branch' | 'pane' | 'retry' | 'edited';

export const GENERATION_SOURCES: readonly GenerationSource[] = [
  'suggestion',
  'alternative',
  'card',
  'branch',
  'pane',
  'retry',
  'edited',
];

/** One text that was (or could have been) at a place. */
export interface GenerationTry {
  text: string;
  /** How it came: accepted suggestion, an alternative not chosen, a card, a branch, a pane, a retry, the writer's edit. */
  source: GenerationSource;
  /** When it was made (ms since 1970). */
  at: number;
}

/** One place in the document where generated text went in. */
export interface StoredGeneration {
  id: string;
  /** Where it started when stored: a hint; `before` / `after` find it again after edits made elsewhere. */
  from: number;
  /** The text it has in the document now ('' after a retry that was not accepted yet). */
  text: string;
  /** Up to GENERATION_CONTEXT_CHARS characters of the document just before and just after it. */
  before: string;
  after: string;
  /** Every text that was at this place, oldest first. */
  tries: GenerationTry[];
  /** Last change (ms since 1970): the newest place is the one Retry replaces. */
  at: number;
}

export interface GenerationHistory {
  docId: string;
  generations: StoredGeneration[];
}

/** Limits of what one document keeps (the oldest places and tries go first). */
export const MAX_GENERATIONS = 300;
export const MAX_TRIES = 24;
export const MAX_GENERATION_CHARS = 20_000;
export const GENERATION_CONTEXT_CHARS = 200;
/** All the texts of one document's history together (a history is notes, not a second manuscript). */
export const MAX_HISTORY_CHARS = 4_000_000;

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function bad(where: string, what: string): never {
  throw new InklingError('bad_request', `${where} ${what}.`);
}

function plain(where: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad(where, 'must be an object');
  for (const k of Object.keys(v))
    if (!keys.includes(k)) bad(where, `has an unknown field '${k}'; expected only ${keys.join(', ')}`);
  return v as Record<string, unknown>;
}

function str(where: string, v: unknown, max: number): string {
  if (typeof v !== 'string') bad(where, 'must be a string');
  if (v.length > max) bad(where, `is too long (${v.length} characters; the limit is ${max})`);
  return v;
}

function whole(where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(where, 'must be a whole number, 0 or more');
  return v;
}

function generationTry(where: string, v: unknown): GenerationTry {
  const o = plain(where, v, ['text', 'source', 'at']);
  if (!GENERATION_SOURCES.includes(o.source as GenerationSource))
    bad(`${where}.source`, `must be one of ${GENERATION_SOURCES.join(', ')}`);
  return {
    text: str(`${where}.text`, o.text, MAX_GENERATION_CHARS),
    source: o.source as GenerationSource,
    at: whole(`${where}.at`, o.at),
  };
}

export function storedGeneration(where: string, v: unknown): StoredGeneration {
  const o = plain(where, v, ['id', 'from', 'text', 'before', 'after', 'tries', 'at']);
  if (typeof o.id !== 'string' || !ID_RE.test(o.id)) bad(`${where}.id`, 'must be 1–64 letters, digits, - or _');
  if (!Array.isArray(o.tries)) bad(`${where}.tries`, 'must be a list');
  if (o.tries.length > MAX_TRIES) bad(`${where}.tries`, `has ${o.tries.length} entries; the limit is ${MAX_TRIES}`);
  return {
    id: o.id,
    from: whole(`${where}.from`, o.from),
    text: str(`${where}.text`, o.text, MAX_GENERATION_CHARS),
    before: str(`${where}.before`, o.before, GENERATION_CONTEXT_CHARS),
    after: str(`${where}.after`, o.after, GENERATION_CONTEXT_CHARS),
    tries: o.tries.map((t, i) => generationTry(`${where}.tries[${i}]`, t)),
    at: whole(`${where}.at`, o.at),
  };
}

/** Validates a whole history (setGenerationHistory's argument, and the file on disk). */
export function generationHistory(
  where: string,
  v: unknown,
  docIdCheck: (where: string, v: unknown) => string,
): GenerationHistory {
  const o = plain(where, v, ['docId', 'generations']);
  if (!Array.isArray(o.generations)) bad(`${where}.generations`, 'must be a list');
  if (o.generations.length > MAX_GENERATIONS)
    bad(`${where}.generations`, `has ${o.generations.length} places; the limit is ${MAX_GENERATIONS}`);
  const generations = o.generations.map((g, i) => storedGeneration(`${where}.generations[${i}]`, g));
  let total = 0;
  for (const g of generations) total += g.text.length + g.tries.reduce((n, t) => n + t.text.length, 0);
  if (total > MAX_HISTORY_CHARS)
    bad(where, `holds ${total} characters of text; the limit is ${MAX_HISTORY_CHARS} (drop the oldest places)`);
  return { docId: docIdCheck(`${where}.docId`, o.docId), generations };
}
