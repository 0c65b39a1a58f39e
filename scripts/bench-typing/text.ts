/**
 * The documents of `npm run bench:typing` (pure): real prose — the first 36 chapters of Moby-Dick,
 * test/data/moby-dick, ~61,000 words — cut at a paragraph end after N words, the novel repeated
 * (a blank line between copies) for documents longer than it; the place in the middle where the
 * cursor goes; and the keys a writer presses there.
 */

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** The first `words` words of `novel` (repeated as often as needed), cut at the next paragraph end. */
export function proseOfWords(novel: string, words: number): string {
  const source = novel.trim();
  const perCopy = countWords(source);
  if (perCopy === 0) throw new Error('the novel has no words');
  const copies = Math.max(1, Math.ceil(words / perCopy));
  const text = Array.from({ length: copies }, () => source).join('\n\n');
  const re = /\S+/g;
  let count = 0;
  while (count < words && re.exec(text)) count++;
  const end = text.indexOf('\n\n', re.lastIndex);
  return end < 0 ? text : text.slice(0, end);
}

/** A paragraph end at or after the middle of `text` (the end of the text if none follows). */
export function middleOf(text: string): number {
  const end = text.indexOf('\n\n', Math.floor(text.length / 2));
  return end < 0 ? text.length : end;
}

const PHRASE = ' and the sea was calm that night';

/** `n` key presses spelling words (Playwright key names: a space is "Space"). */
export function typingKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const c = PHRASE[i % PHRASE.length];
    return c === ' ' ? 'Space' : c;
  });
}
