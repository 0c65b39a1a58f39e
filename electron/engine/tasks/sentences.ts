/**
 * A small rule-based sentence splitter, good enough to cut model output at sentence ends
 * (the GPT-2 paper keeps the first sentence of a translation, the first 3 of a summary).
 *
 * A sentence ends at . ! ? … (or a run of them, e.g. "?!" or "..."), plus any closing quotes or
 * brackets, when followed by whitespace or the end of the text — so "3.14" and "example.com" do
 * not end one — unless
 * - the next word starts with a lowercase letter ("Wait... what?", '"Stop!" he said'),
 * - the dot ends a title or Latin abbreviation that never ends a sentence (Mr. Dr. e.g. i.e. vs.),
 * - the dot follows a single capital letter other than "I" (the initials in "J. R. R. Tolkien"),
 * - the dot ends "No." / "p." / "Fig." … and a number follows ("No. 5").
 * A blank line always ends a sentence. Abbreviations that often do end sentences ("etc.", "Inc.",
 * "U.S.") end one when a capitalised word follows, which is right more often than not.
 */

const TERMINATORS = '.!?…';
const CLOSERS = '"\'”’»)]}';
const OPENERS = '"\'“‘«([{¿¡';
const NEVER_END = new Set([
  'mr',
  'mrs',
  'ms',
  'mx',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'rev',
  'fr',
  'gen',
  'col',
  'capt',
  'lt',
  'sgt',
  'hon',
  'gov',
  'sen',
  'rep',
  'pres',
  'vs',
  'cf',
  'e.g',
  'i.e',
  'viz',
  'approx',
  'ca',
]);
const BEFORE_NUMBER = new Set(['no', 'nos', 'nr', 'vol', 'p', 'pp', 'fig', 'ch', 'sec', 'art', 'op']);

export interface SentenceSpan {
  /** Offset of the first non-space character. */
  start: number;
  /** Offset just past the last non-space character. */
  end: number;
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** Sentences of `text` as trimmed offset ranges, in order. */
export function sentenceSpans(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  const push = (from: number, to: number) => {
    while (from < to && isSpace(text[from])) from++;
    while (to > from && isSpace(text[to - 1])) to--;
    if (to > from) spans.push({ start: from, end: to });
  };
  const breaks = /\n[ \t\r\f\v]*\n/g;
  let para = 0;
  for (;;) {
    const m = breaks.exec(text);
    const paraEnd = m ? m.index : text.length;
    splitParagraph(text, para, paraEnd, push);
    if (!m) break;
    para = m.index + m[0].length;
  }
  return spans;
}

function splitParagraph(text: string, from: number, to: number, push: (a: number, b: number) => void): void {
  let start = from;
  let i = from;
  while (i < to) {
    if (!TERMINATORS.includes(text[i])) {
      i++;
      continue;
    }
    let termEnd = i;
    while (termEnd < to && TERMINATORS.includes(text[termEnd])) termEnd++;
    let end = termEnd;
    while (end < to && CLOSERS.includes(text[end])) end++;
    if (end < to && !isSpace(text[end])) {
      i = termEnd; // "3.14", "example.com", "a.m."-style inner dots
      continue;
    }
    if (endsSentence(text, i, termEnd, end, to)) {
      push(start, end);
      start = end;
    }
    i = end;
  }
  push(start, to);
}

function endsSentence(text: string, termStart: number, termEnd: number, end: number, to: number): boolean {
  let next = end;
  while (next < to && isSpace(text[next])) next++;
  if (next >= to) return true;
  while (next < to && OPENERS.includes(text[next])) next++;
  const nextChar = text[next] ?? '';
  if (/\p{Ll}/u.test(nextChar)) return false;
  if (termEnd - termStart === 1 && text[termStart] === '.') {
    let w = termStart;
    while (w > 0 && !isSpace(text[w - 1])) w--;
    while (w < termStart && OPENERS.includes(text[w])) w++;
    const word = text.slice(w, termStart);
    const lower = word.toLowerCase();
    if (NEVER_END.has(lower)) return false;
    // A lone capital is an initial — except "I", which ends sentences ("…than I.").
    if (/^\p{Lu}$/u.test(word) && word !== 'I') return false;
    if (BEFORE_NUMBER.has(lower) && /\d/.test(nextChar)) return false;
  }
  return true;
}

/** The sentences of `text`, each trimmed. */
export function splitSentences(text: string): string[] {
  return sentenceSpans(text).map((s) => text.slice(s.start, s.end));
}

/** The first `count` sentences of `text`, joined by single spaces, line breaks inside flattened. */
export function firstSentences(text: string, count: number): string {
  return splitSentences(text)
    .slice(0, Math.max(0, count))
    .map((s) => s.replace(/\s*\n\s*/g, ' '))
    .join(' ');
}
