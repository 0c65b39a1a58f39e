/**
 * Word, character and reading-time figures for the status bar. Words are counted as writers count
 * them (runs of letters and digits, with apostrophes and hyphens inside: "don't", "well-kept" are
 * one each; punctuation and dashes alone are none). Reading time at 230 words a minute, the usual
 * figure for adult silent reading of prose.
 */
import type { Text } from '@codemirror/state';
import { countWords } from '../editor/ghost-text/state';

export const WORDS_PER_MINUTE = 230;

export interface TextCounts {
  words: number;
  characters: number;
  /** Characters other than spaces, tabs and line breaks. */
  charactersNoSpaces: number;
}

export function textCounts(text: string): TextCounts {
  // One pass over the UTF-16 units (no array of the whole text: this runs on long manuscripts).
  let characters = 0;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)
      continue;
    characters++;
    if (
      c === 32 ||
      c === 10 ||
      c === 9 ||
      c === 13 ||
      c === 0xa0 ||
      c === 0x2009 ||
      c === 0x202f ||
      c === 0x3000 ||
      c === 12 ||
      c === 11
    )
      spaces++;
  }
  return { words: countWords(text), characters, charactersNoSpaces: characters - spaces };
}

/**
 * The counts of an editor document, recounting only what an edit changed. CodeMirror's `Text` is a
 * persistent tree whose leaves hold whole lines: an edit makes a new root and new nodes along the
 * path to the changed leaf and shares every other node with the previous version. Counts are cached
 * per node, so after a keystroke in a 100,000-word manuscript one leaf (at most a few dozen lines)
 * and its ancestors are counted, not the whole text (measured: 20–30 ms per keystroke before).
 * Words never span nodes (their boundaries are line breaks), and each boundary is one '\n'.
 */
export function docCounts(doc: Text, cache: CountCache = nodeCounts): TextCounts {
  let c = cache.get(doc);
  if (c) return c;
  const children = doc.children;
  if (!children) c = textCounts(doc.toString());
  else {
    c = { words: 0, characters: children.length - 1, charactersNoSpaces: 0 };
    for (const child of children) {
      const k = docCounts(child, cache);
      c.words += k.words;
      c.characters += k.characters;
      c.charactersNoSpaces += k.charactersNoSpaces;
    }
  }
  cache.set(doc, c);
  return c;
}
/**
 * The counts of `doc.sliceString(from, to)` (a selection) without building that string: whole nodes
 * inside the range come from `docCounts`' cache, and only the two leaves at its ends are sliced.
 */
export function rangeCounts(doc: Text, from: number, to: number, cache: CountCache = nodeCounts): TextCounts {
  from = Math.max(0, from);
  to = Math.min(doc.length, to);
  if (to <= from) return { words: 0, characters: 0, charactersNoSpaces: 0 };
  if (from === 0 && to === doc.length) return docCounts(doc, cache);
  const children = doc.children;
  if (!children) return textCounts(doc.sliceString(from, to));
  const c = { words: 0, characters: 0, charactersNoSpaces: 0 };
  let pos = 0;
  for (const child of children) {
    const end = pos + child.length;
    if (end > from && pos < to) {
      const k = rangeCounts(child, from - pos, to - pos, cache);
      c.words += k.words;
      c.characters += k.characters;
      c.charactersNoSpaces += k.charactersNoSpaces;
    }
    // The line break after this child, when the range covers it.
    if (end < doc.length && end >= from && end < to) c.characters++;
    pos = end + 1;
    if (pos >= to) break;
  }
  return c;
}

/** Counts per tree node (a test passes its own to see which nodes were counted). */
export type CountCache = Pick<WeakMap<Text, TextCounts>, 'get' | 'set'>;
const nodeCounts = new WeakMap<Text, TextCounts>();

/** "under a minute", "1 minute", "12 minutes", "1 h 5 min" to read. */
export function readingTime(words: number, wpm = WORDS_PER_MINUTE): string {
  if (words === 0) return 'nothing to read';
  const minutes = Math.round(words / wpm);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const n = (v: number) => v.toLocaleString('en-US');
const plural = (v: number, one: string, many = `${one}s`) => `${n(v)} ${v === 1 ? one : many}`;

/** The status bar's short label: "1,204 words" or, with a selection, "12 of 1,204 words". */
export function countLabel(doc: TextCounts, selection: TextCounts | null): string {
  return selection ? `${n(selection.words)} of ${plural(doc.words, 'word')}` : plural(doc.words, 'word');
}

/** The tooltip: every figure, tokens when known. */
export function countTooltip(
  doc: TextCounts,
  selection: TextCounts | null,
  tokens: { document: number | null; selection: number | null },
): string {
  const lines = [
    `Document: ${plural(doc.words, 'word')}, ${plural(doc.characters, 'character')} (${n(doc.charactersNoSpaces)} without spaces), ${readingTime(doc.words)} to read.`,
  ];
  if (selection)
    lines.push(`Selection: ${plural(selection.words, 'word')}, ${plural(selection.characters, 'character')}.`);
  const t: string[] = [];
  if (tokens.document !== null) t.push(`${plural(tokens.document, 'token')} in the document`);
  if (selection && tokens.selection !== null) t.push(`${plural(tokens.selection, 'token')} selected`);
  lines.push(t.length ? `GPT-2 tokens: ${t.join(', ')}.` : 'GPT-2 tokens: counted once a model is loaded.');
  return lines.join('\n');
}
