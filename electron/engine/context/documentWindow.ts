/**
 * What the model reads of a document: the memory (a fixed text the writer keeps before every
 * prompt), then a window of the document's last tokens that fits the context. The window is
 * anchored to the document, not to the end of the text:
 *
 *   - Its start is a pre-token boundary at a whole multiple of the slide step counted from the
 *     document's first token (snapped forward to the next boundary, preferring a line start within
 *     a few tokens), so typing at the end keeps the same first token until the text outgrows the
 *     window by another step. GPT-2's positions are absolute: a K/V row cannot be moved to another
 *     position, so a slide is a re-read; its cost is spread over the step (SLIDE_STEP below).
 *   - Each document remembers where its window started. An edit before the window (a typo fixed in
 *     chapter one) shifts every token index; the remembered start moves with the text it points
 *     at, so the window's tokens, and the K/V of them, stay the same.
 *   - The document's tokens are kept per document (IncrementalTokens): an edit re-tokenizes only
 *     around itself, not 80,000 words.
 *
 * The same plan serves every request with a cache key (ghost text, the Continue pane, branching
 * from a token, the status bar's count); requests without one are planned statelessly.
 */
import { InklingError } from '../../common/errors';
import { IncrementalTokens, mapOldToken } from '../tokenizer/incremental';
import type { Gpt2Tokenizer } from '../tokenizer';
import type { ScoredPart, ScoredToken, ScorePartsResult, WindowInfo, WindowReport } from '../host/protocol';

/**
 * When the document outgrows the window, its start moves this many tokens at once (capped at half
 * the window). 256 of GPT-2's 1024: the model always sees at least ~3/4 of what fits, and a slide
 * (a full re-read, ~0.8 s for the 124M model on 2 cores) comes once per ~190 words typed.
 */
export const SLIDE_STEP = 256;
/** A window start moves at most this many tokens forward to begin at a line start. */
const LINE_SNAP = 32;
/** Keys remembered (least recently used dropped first): a document uses a few (its own, ~score, ~summarize). */
const MAX_DOCUMENTS = 16;

export interface WindowPlan {
  /** What the model reads: the memory's tokens, then the window's. Never empty. */
  ids: number[];
  /** Tokens of the memory (with its separating blank line); 0 without memory. */
  memoryTokens: number;
  /** Tokens of the whole text the request carried. */
  documentTokens: number;
  /** Document tokens before the window (not read). */
  droppedTokens: number;
  /** Character offset in the request's text where the window starts (0 when all of it fits). */
  windowStart: number;
  /** The generation length that still fits after the prompt. */
  maxNewTokens: number;
  /** Characters that went through the tokenizer for this request (the rest came from the cache). */
  scannedChars: number;
  /** The memory exactly as the model reads it ('' without memory). */
  memoryText: string;
}

/** What a request's events and stats say of its plan (the local engine's and a remote server's alike). */
export function windowInfo(plan: WindowPlan): WindowInfo {
  return {
    documentTokens: plan.documentTokens,
    memoryTokens: plan.memoryTokens,
    windowStart: plan.windowStart,
    scannedChars: plan.scannedChars,
  };
}

/** The answer to a 'window' request: the plan, as the status bar and the editor's window marker show it. */
export function windowReport(plan: WindowPlan, contextLength: number): WindowReport {
  return { ...windowInfo(plan), promptTokens: plan.ids.length, droppedTokens: plan.droppedTokens, contextLength };
}

/**
 * The heat map over a whole document (Engine.scoreParts, and a remote server's the same way): parts
 * of `min`–`max` tokens ending at a line start; scored parts are kept (`ScoredPartCache`, bounded by
 * bytes: an edit re-scores only the parts it touched); a call returns at most `perCall` parts
 * (cached ones, then one computed).
 */
export const SCORE_PARTS = { min: 256, max: 512, perCall: 8 } as const;

/** One heat-map part: tokens [start, end) of the document, characters [from, to). */
export interface PartSpan {
  start: number;
  from: number;
  end: number;
  to: number;
}

/**
 * One scoreParts call, the same for the local engine and a remote server: from the part that holds
 * the character `from` (the heat map starts where the writer looks, which may be mid-part), up to
 * SCORE_PARTS.perCall parts. `score(part, mayCompute)`
 * gives a part's tokens (from its engine's cache, or computed when `mayCompute`), or null when they
 * would have to be computed and may not: only one new part is computed per call, so the writer's own
 * requests never wait long behind the heat map.
 */
export async function scorePartsFrom(
  doc: IncrementalTokens,
  from: number,
  score: (part: PartSpan, mayCompute: boolean) => Promise<{ tokens: ScoredToken[]; computed: boolean } | null>,
): Promise<ScorePartsResult> {
  const parts = doc.parts(SCORE_PARTS.min, SCORE_PARTS.max);
  // The last part that starts at or before `from` (parts start at 0, so there is one unless the
  // document is empty); `from` past the end gives none.
  let i = parts.length;
  if (from < doc.source.length) {
    i = 0;
    while (i + 1 < parts.length && parts[i + 1][1] <= from) i++;
  }
  const out: ScoredPart[] = [];
  let computed = 0;
  while (i < parts.length && out.length < SCORE_PARTS.perCall) {
    const [start, partFrom] = parts[i];
    const [end, to] = i + 1 < parts.length ? parts[i + 1] : [doc.tokens.length, doc.source.length];
    const got = await score({ start, from: partFrom, end, to }, computed === 0);
    if (!got) break;
    if (got.computed) computed++;
    out.push({ from: partFrom, to, tokens: got.tokens });
    i++;
  }
  return { parts: out, next: i < parts.length ? parts[i][1] : null, total: parts.length, done: i, computed };
}

/** The memory leaves no room for the document in the context (code `context_full`). */
export class MemoryTooLongError extends InklingError {
  constructor(message: string) {
    super('context_full', message);
    this.name = 'MemoryTooLongError';
  }
}

interface DocState {
  tokens: IncrementalTokens;
  /** Token index of the window's start in the last plan (null: none yet, or the edit lost it). */
  start: number | null;
  memory: string;
  memoryIds: number[];
}

export interface PlanOptions {
  contextLength: number;
  maxNewTokens: number;
  /** The document's memory ('' or absent: none). */
  memory?: string;
}

/** The memory as the model reads it: trimmed, then a blank line before the document. */
export function memoryPrefix(memory: string | undefined): string {
  const m = (memory ?? '').trim();
  return m ? `${m}\n\n` : '';
}

export class DocumentWindows {
  private readonly docs = new Map<string, DocState>();

  constructor(
    private readonly tokenizer: Gpt2Tokenizer,
    private readonly slideStep = SLIDE_STEP,
    private readonly maxDocuments = MAX_DOCUMENTS,
  ) {}

  /** Tokens of `text` under `key`, kept up to date incrementally (the status bar's count, scoring). */
  tokens(key: string | undefined, text: string): IncrementalTokens {
    const doc = this.doc(key);
    doc.tokens.update(text);
    return doc.tokens;
  }

  plan(key: string | undefined, text: string, options: PlanOptions): WindowPlan {
    const { contextLength, maxNewTokens } = options;
    if (!Number.isInteger(contextLength) || contextLength < 2)
      throw new RangeError(`context length must be a whole number of at least 2, found ${contextLength}`);
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
      throw new RangeError(`maxNewTokens must be a whole number of at least 1, found ${maxNewTokens}`);
    const doc = this.doc(key);
    const tokens = doc.tokens;
    const edit = tokens.update(text);

    // Carry the remembered start through the edit: unchanged before it, shifted after it.
    let kept = doc.start;
    if (kept !== null) {
      if (kept >= edit.keptPrefix) kept = mapOldToken(edit, kept);
      if (kept !== null && (kept > tokens.length || tokens.charAtToken(kept) === null)) kept = null;
    }

    const memoryText = memoryPrefix(options.memory);
    if (memoryText !== doc.memory) {
      doc.memory = memoryText;
      doc.memoryIds = memoryText ? this.tokenizer.encode(memoryText) : [];
    }
    const memoryTokens = doc.memoryIds.length;

    // Same rule as fitWindow: the prompt keeps at least a quarter of the context; the generation
    // is what gets shorter. The memory may take at most half of the prompt's share.
    const floor = Math.max(1, Math.floor(contextLength / 4));
    const budget = Math.max(contextLength - maxNewTokens, floor);
    if (memoryTokens > Math.floor(budget / 2)) {
      throw new MemoryTooLongError(
        `The memory is ${memoryTokens} tokens; with suggestions of up to ${maxNewTokens} tokens at most ${Math.floor(budget / 2)} fit. ` +
          'Shorten the memory (or the suggestion length).',
      );
    }
    const windowBudget = budget - memoryTokens;
    const n = tokens.length;
    let start = 0;
    let windowStart = 0;
    if (n > windowBudget) {
      const minStart = n - windowBudget;
      const step = Math.max(1, Math.min(this.slideStep, Math.floor(windowBudget / 2)));
      if (kept !== null && kept >= minStart && kept < minStart + step) {
        start = kept;
      } else {
        // Whole steps from the document's first token, then the next pre-token boundary (a line
        // start if one is near): deterministic, so a restarted engine picks the same start.
        const dropped = Math.ceil(minStart / step) * step;
        const line = tokens.lineStartWithin(dropped, Math.min(n, dropped + LINE_SNAP));
        const [b] = line ?? tokens.boundaryAtOrAfter(dropped);
        // A pre-token longer than half a step (a wall of symbols) is cut inside.
        start = b < n && b - dropped <= step / 2 ? b : dropped;
      }
      windowStart = tokens.charAtToken(start) ?? pieceStartBefore(tokens, start);
    }
    doc.start = start;

    const ids = doc.memoryIds.concat(tokens.tokens.slice(start));
    if (ids.length === 0) ids.push(this.tokenizer.eosTokenId); // GPT-2 begins documents after <|endoftext|>
    return {
      ids,
      memoryTokens,
      documentTokens: n,
      droppedTokens: start,
      windowStart,
      maxNewTokens: Math.min(maxNewTokens, contextLength - ids.length),
      scannedChars: edit.scannedChars,
      memoryText,
    };
  }

  /** Forgets the windows whose key matches (`ofDocument(docId)`: a closed document's and its panes'). */
  forgetWhere(match: (key: string) => boolean): void {
    for (const key of [...this.docs.keys()]) if (match(key)) this.docs.delete(key);
  }

  clear(): void {
    this.docs.clear();
  }

  private doc(key: string | undefined): DocState {
    const fresh = (): DocState => ({
      tokens: new IncrementalTokens(this.tokenizer),
      start: null,
      memory: '',
      memoryIds: [],
    });
    // Requests without a key are planned from scratch each time (and not remembered).
    if (key === undefined) return fresh();
    const doc = this.docs.get(key) ?? fresh();
    this.docs.delete(key);
    this.docs.set(key, doc);
    while (this.docs.size > this.maxDocuments) this.docs.delete(this.docs.keys().next().value as string);
    return doc;
  }
}

/** The start of the pre-token that token `t` lies in (a start inside a word: rare, see above). */
function pieceStartBefore(tokens: IncrementalTokens, t: number): number {
  for (let u = t; u >= 0; u--) {
    const c = tokens.charAtToken(u);
    if (c !== null) return c;
  }
  return 0;
}

/**
 * The cache key of a pane's requests on document `docId` (translate, summarize, answer, the heat
 * map's score): apart from the document's own (`docId`), so each keeps its window and K/V.
 */
export function paneKey(docId: string, pane: string): string {
  return `${docId}~${pane}`;
}

/** The cache keys that belong to document `docId` (its own and its panes'): a closed document's are all forgotten. */
export function ofDocument(docId: string): (key: string) => boolean {
  const panes = paneKey(docId, '');
  return (key) => key === docId || key.startsWith(panes);
}
