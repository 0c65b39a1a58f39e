/**
 * The generation history, the state half: every piece of model text that entered the document
 * (an accepted suggestion — whole, or word by word, or line by line —, a Continue card, a branch, a
 * pane's result), where it is now, and every other text that was or could have been there (earlier
 * retries, alternatives not chosen, the other cards, the run a branch replaced).
 *
 * While a document is open, each place follows the text through edits with CodeMirror's change
 * mapping. To survive a reload it is stored with the text around it (`toStored`), and found again
 * by that text (`relocate`), since the document may have been edited elsewhere in the meantime.
 *
 * This file imports only @codemirror/state (and the API's types) so it is tested without a DOM.
 */
import {
  Annotation,
  EditorSelection,
  StateEffect,
  StateField,
  Transaction,
  type ChangeDesc,
  type EditorState,
  type TransactionSpec,
} from '@codemirror/state';
import { isolateHistory } from '@codemirror/commands';
import {
  GENERATION_CONTEXT_CHARS,
  MAX_GENERATIONS,
  MAX_HISTORY_CHARS,
  MAX_TRIES,
  type GenerationSource,
  type GenerationTry,
  type StoredGeneration,
} from '../../../../electron/api/generations';
import { acceptedGhost, ghostOf, type GhostReplace } from '../ghost-text/state';

export interface Generation {
  id: string;
  /** Where its text is in the document now (from === to: taken out, e.g. by an undo). */
  from: number;
  to: number;
  /** Every text that was (or could have been) at this place, oldest first. */
  tries: GenerationTry[];
  /** The try the document shows (-1 when the writer edited it into something else). */
  current: number;
  /** Last change: the newest place is the one Retry replaces. */
  at: number;
  /** The suggestion being taken in pieces here (its later pieces extend this place). */
  requestId?: string;
}

export interface GenerationsState {
  list: readonly Generation[];
}

/** Non-suggestion text from the model (cards, branches, panes): what was inserted and how. */
export interface GeneratedText {
  source: Exclude<GenerationSource, 'alternative' | 'edited' | 'retry'>;
  /** The generated text as inserted (it may come with separators, e.g. a blank line before it). */
  text: string;
  /** Other texts offered for the same place (the cards not chosen). */
  others?: readonly string[];
}

export const generatedText = Annotation.define<GeneratedText>();
/** A streamed piece that continues the newest generation (a branch's continuation). */
export const growGeneration = Annotation.define<true>();
/** Places found again after a reload (already positioned in the current text). */
export const loadGenerations = StateEffect.define<Generation[]>();
const showTry = StateEffect.define<{ id: string; index: number; edited: string | null }>();

let seq = 0;
function newId(time: number): string {
  seq += 1;
  return `g${time.toString(36)}-${seq}`;
}

function timeOf(tr: Transaction): number {
  return tr.annotation(Transaction.time) || Date.now();
}

/** Adds `text` as a try unless an identical one is there; returns its index. */
function addTry(tries: GenerationTry[], text: string, source: GenerationSource, at: number): number {
  const found = tries.findIndex((t) => t.text === text);
  if (found >= 0) return found;
  tries.push({ text, source, at });
  return tries.length - 1;
}

/** Records alternatives not chosen; one that grew since it was recorded (still streaming) is updated. */
function addOthers(
  tries: GenerationTry[],
  others: readonly string[],
  chosen: string,
  source: GenerationSource,
  at: number,
): void {
  for (const text of others) {
    if (!text.trim() || text === chosen) continue;
    const grown = tries.findIndex((t) => t.source === source && text.startsWith(t.text) && t.text !== chosen);
    if (grown >= 0) tries[grown] = { ...tries[grown], text };
    else addTry(tries, text, source, at);
  }
}

function mapGeneration(g: Generation, changes: ChangeDesc, restoring: boolean): Generation {
  if (g.from === g.to) {
    // Taken out: an undo or redo that puts text back here puts this generation back.
    const from = changes.mapPos(g.from, restoring ? -1 : 1);
    const to = restoring ? changes.mapPos(g.to, 1) : from;
    return from === g.from && to === g.to ? g : { ...g, from, to };
  }
  // Text typed right before or right after a generation is not part of it.
  const from = changes.mapPos(g.from, 1);
  const to = Math.max(from, changes.mapPos(g.to, -1));
  return from === g.from && to === g.to ? g : { ...g, from, to };
}

/** The range an insertion of `text` landed at in the new document, if the transaction holds one. */
function insertedRange(tr: Transaction, text: string): { from: number; to: number; fromA: number; toA: number } | null {
  let found: { from: number; to: number; fromA: number; toA: number } | null = null;
  tr.changes.iterChanges((fromA, toA, fromB, _toB, inserted) => {
    if (found) return;
    const at = inserted.toString().indexOf(text);
    if (at >= 0) found = { from: fromB + at, to: fromB + at + text.length, fromA, toA };
  });
  return found;
}

function update(value: GenerationsState, tr: Transaction): GenerationsState {
  let list = value.list;
  const time = timeOf(tr);
  const restoring = tr.isUserEvent('undo') || tr.isUserEvent('redo');
  if (tr.docChanged) {
    list = list.map((g) => mapGeneration(g, tr.changes, restoring));
  }
  const doc = tr.state.doc;
  const replace = (g: Generation) => {
    list = list.map((x) => (x.id === g.id ? g : x));
  };
  const byId = (id: string) => list.find((g) => g.id === id);

  const accepted = tr.annotation(acceptedGhost);
  if (accepted) {
    const end = accepted.from + accepted.text.length;
    const growing = accepted.first ? undefined : list.find((g) => g.requestId === accepted.requestId);
    if (growing) {
      const tries = growing.tries.slice();
      const text = doc.sliceString(growing.from, end);
      if (growing.current >= 0) tries[growing.current] = { ...tries[growing.current], text };
      addOthers(
        tries,
        accepted.alternatives.filter((_, i) => i !== accepted.alternative),
        text,
        'alternative',
        time,
      );
      replace({ ...growing, to: end, tries, at: time });
    } else {
      // A retry's new text (or any suggestion accepted where a taken-out generation was) joins that place.
      const target =
        (accepted.replaced ? byId(accepted.replaced.id) : undefined) ??
        value.list.find((g) => g.from === g.to && g.from === accepted.from);
      const tries = target ? target.tries.slice() : [];
      // The text a retry replaced is one of the place's tries already, unless the writer had edited
      // it: then their version is kept as a try (as a swap keeps it).
      const before = target && accepted.replaced?.text;
      if (before && !tries.some((t) => t.text === before)) tries.push({ text: before, source: 'edited', at: time });
      const current = tries.length;
      tries.push({ text: accepted.text, source: target ? 'retry' : 'suggestion', at: time });
      addOthers(
        tries,
        accepted.alternatives.filter((_, i) => i !== accepted.alternative),
        accepted.text,
        'alternative',
        time,
      );
      const g: Generation = {
        id: target?.id ?? newId(time),
        from: accepted.from,
        to: end,
        tries,
        current,
        at: time,
        requestId: accepted.requestId,
      };
      if (target) replace(g);
      else list = [...list, g];
    }
  }

  const generated = tr.annotation(generatedText);
  if (generated) {
    const range = insertedRange(tr, generated.text);
    if (range) {
      // A branch replaces the run from a token on: when that run was part of a generation, the
      // branch is another try at that generation's place.
      const start = tr.startState;
      const host =
        generated.source === 'branch' ? value.list.find((g) => g.from <= range.fromA && range.fromA < g.to) : undefined;
      // (Positions before the change are the same in both documents.)
      const empty =
        range.fromA === range.toA ? value.list.find((g) => g.from === g.to && g.from === range.fromA) : undefined;
      if (host) {
        const tries = host.tries.slice();
        const before = start.doc.sliceString(host.from, host.to);
        if (!tries.some((t) => t.text === before)) tries.push({ text: before, source: 'edited', at: time });
        const text = doc.sliceString(host.from, range.to);
        tries.push({ text, source: 'branch', at: time });
        replace({
          ...host,
          from: host.from,
          to: range.to,
          tries,
          current: tries.length - 1,
          at: time,
          requestId: undefined,
        });
      } else {
        const tries = empty ? empty.tries.slice() : [];
        tries.push({ text: generated.text, source: generated.source, at: time });
        const current = tries.length - 1;
        addOthers(tries, generated.others ?? [], generated.text, generated.source, time);
        const g: Generation = {
          id: empty?.id ?? newId(time),
          from: range.from,
          to: range.to,
          tries,
          current,
          at: time,
        };
        if (empty) replace(g);
        else list = [...list, g];
      }
    }
  }

  if (tr.annotation(growGeneration) && tr.docChanged) {
    const newest = newestOf(list);
    let pieceEnd = -1;
    tr.changes.iterChanges((fromA, _toA, _fromB, toB) => {
      if (newest && value.list.find((g) => g.id === newest.id)?.to === fromA) pieceEnd = toB;
    });
    if (newest && pieceEnd >= 0) {
      const tries = newest.tries.slice();
      const text = doc.sliceString(newest.from, pieceEnd);
      if (newest.current >= 0) tries[newest.current] = { ...tries[newest.current], text };
      replace({ ...newest, to: pieceEnd, tries });
    }
  }

  for (const e of tr.effects) {
    if (e.is(loadGenerations)) {
      const known = new Set(list.map((g) => g.id));
      list = [...e.value.filter((g) => !known.has(g.id) && g.to <= doc.length), ...list];
    } else if (e.is(showTry)) {
      const g = byId(e.value.id);
      const old = value.list.find((x) => x.id === e.value.id);
      if (g && old && g.tries[e.value.index]) {
        const tries = g.tries.slice();
        if (e.value.edited !== null) tries.push({ text: e.value.edited, source: 'edited', at: time });
        const text = tries[e.value.index].text;
        // The swap replaced [old.from, old.to): the shown try fills it from the same start.
        replace({
          ...g,
          from: old.from,
          to: old.from + text.length,
          tries,
          current: e.value.index,
          at: time,
          requestId: undefined,
        });
      }
    }
  }

  if (list.length > MAX_GENERATIONS) list = list.slice(list.length - MAX_GENERATIONS);
  return list === value.list ? value : { list };
}

export const generationsField = StateField.define<GenerationsState>({
  create: () => ({ list: [] }),
  update,
});

function newestOf(list: readonly Generation[]): Generation | null {
  let best: Generation | null = null;
  for (const g of list) if (!best || g.at >= best.at) best = g;
  return best;
}

export function generationsOf(state: EditorState): GenerationsState {
  return state.field(generationsField, false) ?? { list: [] };
}

/** The generation Retry replaces: the newest one. */
export function newestGeneration(state: EditorState): Generation | null {
  return newestOf(generationsOf(state).list);
}

/** The generation at `pos` (the cursor inside it or at either end); the newest when several touch it. */
export function generationAt(state: EditorState, pos: number): Generation | null {
  let best: Generation | null = null;
  for (const g of generationsOf(state).list) {
    if (g.from <= pos && pos <= g.to && (!best || g.at >= best.at)) best = g;
  }
  return best;
}

/** The text a generation shows now. */
export function currentText(state: EditorState, g: Generation): string {
  return state.doc.sliceString(g.from, g.to);
}

/**
 * What Retry replaces: the newest generation (or place `id`), for `requestReplacement`. Nothing
 * changes until the fresh suggestion is accepted: the text stays, struck through, and Tab replaces
 * it (one undo step; the history records the new text as the place's retry), while Esc, typing, a
 * cursor move or a failed request leave the document, its undo history and this history as they
 * were (a retry not taken is a suggestion dismissed, and a dismissed suggestion is not recorded).
 * Asked again while a retry is on show, it asks for another suggestion at the same place, and
 * dismissing that one still puts the cursor back where it was before the first.
 */
export function retryTarget(state: EditorState, id?: string): GhostReplace | null {
  const shown = ghostOf(state)?.replace;
  if (shown && (id === undefined || shown.id === id)) return shown;
  const g = id === undefined ? newestGeneration(state) : (generationsOf(state).list.find((x) => x.id === id) ?? null);
  if (!g) return null;
  return { from: g.from, to: g.to, id: g.id, back: state.selection };
}

/** Puts try `index` of generation `id` in the document in place of what is there (one undo step). */
export function swapSpec(state: EditorState, id: string, index: number): TransactionSpec | null {
  const g = generationsOf(state).list.find((x) => x.id === id);
  const t = g?.tries[index];
  if (!g || !t) return null;
  const now = currentText(state, g);
  // The writer's own version of the text is kept as a try before another one replaces it.
  const edited = now && !g.tries.some((x) => x.text === now) ? now : null;
  return {
    changes: { from: g.from, to: g.to, insert: t.text },
    selection: EditorSelection.cursor(g.from + t.text.length),
    effects: showTry.of({ id, index, edited }),
    annotations: isolateHistory.of('full'),
    userEvent: 'input.swap',
    scrollIntoView: true,
  };
}

// ── storing and finding again ────────────────────────────────────────────────────────────────────

/** The history as stored: each place with its text and the text around it (newest places kept). */
export function toStored(state: EditorState): StoredGeneration[] {
  const doc = state.doc;
  const stored = generationsOf(state)
    .list.slice(-MAX_GENERATIONS)
    .map((g) => {
      // Keep the try on show and the newest others.
      let tries = g.tries;
      if (tries.length > MAX_TRIES) {
        const keep = new Set([g.current, ...tries.map((_, i) => i).slice(-(MAX_TRIES - 1))]);
        tries = tries.filter((_, i) => keep.has(i)).slice(-MAX_TRIES);
      }
      return {
        id: g.id,
        from: g.from,
        text: doc.sliceString(g.from, g.to),
        before: doc.sliceString(Math.max(0, g.from - GENERATION_CONTEXT_CHARS), g.from),
        after: doc.sliceString(g.to, Math.min(doc.length, g.to + GENERATION_CONTEXT_CHARS)),
        tries,
        at: g.at,
      };
    });
  // Within the host's limit on a history's text: the oldest places go first.
  const size = (g: StoredGeneration) => g.text.length + g.tries.reduce((n, t) => n + t.text.length, 0);
  let total = stored.reduce((n, g) => n + size(g), 0);
  while (total > MAX_HISTORY_CHARS && stored.length > 0) total -= size(stored.shift()!);
  return stored;
}

function commonSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** How well the text around [from, to) in `doc` matches what was stored around it (characters). */
function contextScore(doc: string, from: number, to: number, s: StoredGeneration): number {
  const before = doc.slice(Math.max(0, from - s.before.length), from);
  const after = doc.slice(to, to + s.after.length);
  return commonSuffix(before, s.before) + commonPrefix(after, s.after);
}

/**
 * Where a stored generation is in `doc` now, or null when it cannot be found with confidence.
 * 1. At its old offset with its text and context: unchanged.
 * 2. Elsewhere, by its text, the occurrence whose surroundings match the stored ones best (an edit
 *    before it moved it). A text found several times needs some of its context to match.
 * 3. A taken-out place (empty text): where its stored before and after meet.
 */
export function relocate(doc: string, s: StoredGeneration): { from: number; to: number } | null {
  const { text } = s;
  const contextLength = s.before.length + s.after.length;
  if (
    doc.slice(s.from, s.from + text.length) === text &&
    contextScore(doc, s.from, s.from + text.length, s) === contextLength
  ) {
    return { from: s.from, to: s.from + text.length };
  }
  if (text === '') {
    const probe = s.before.slice(-40) + s.after.slice(0, 40);
    if (probe.length < 8) return null;
    const at = doc.indexOf(probe);
    if (at < 0 || doc.indexOf(probe, at + 1) >= 0) return null;
    const pos = at + Math.min(40, s.before.length);
    return { from: pos, to: pos };
  }
  let best: { from: number; score: number; distance: number } | null = null;
  let count = 0;
  for (let at = doc.indexOf(text); at >= 0 && count < 2000; at = doc.indexOf(text, at + 1)) {
    count++;
    const score = contextScore(doc, at, at + text.length, s);
    const distance = Math.abs(at - s.from);
    if (!best || score > best.score || (score === best.score && distance < best.distance))
      best = { from: at, score, distance };
  }
  if (!best) return null;
  // One occurrence needs a little of its surroundings to match; several need more to tell them apart.
  const needed = Math.min(count === 1 ? 4 : 16, contextLength);
  if (best.score < needed) return null;
  return { from: best.from, to: best.from + text.length };
}

/** Stored generations positioned in `doc` (those that cannot be found are left out). */
export function fromStored(doc: string, stored: readonly StoredGeneration[]): Generation[] {
  const out: Generation[] = [];
  for (const s of stored) {
    const at = relocate(doc, s);
    if (!at) continue;
    let current = -1;
    s.tries.forEach((t, i) => {
      if (t.text === s.text) current = i;
    });
    out.push({ id: s.id, from: at.from, to: at.to, tries: s.tries.slice(), current, at: s.at });
  }
  return out;
}

/** Words for the history popover: where a try came from. */
export function sourceLabel(source: GenerationSource): string {
  switch (source) {
    case 'suggestion':
      return 'Accepted suggestion';
    case 'alternative':
      return 'Alternative not chosen';
    case 'card':
      return 'Continue card';
    case 'branch':
      return 'Branch';
    case 'pane':
      return 'From a pane';
    case 'retry':
      return 'Retry';
    case 'edited':
      return 'Your edit';
  }
}
