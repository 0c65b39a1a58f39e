import { describe, expect, it } from 'vitest';
import { firstSentences, sentenceSpans, splitSentences } from '../../../electron/engine/tasks';

describe('splitSentences', () => {
  const cases: [string, string[]][] = [
    ['One. Two! Three? Four', ['One.', 'Two!', 'Three?', 'Four']],
    ['Mr. Smith met Dr. Jones. They talked.', ['Mr. Smith met Dr. Jones.', 'They talked.']],
    [
      'I like fruit, e.g. Apples and pears. They are sweet.',
      ['I like fruit, e.g. Apples and pears.', 'They are sweet.'],
    ],
    ['It costs 3.50 dollars. Pi is 3.14.', ['It costs 3.50 dollars.', 'Pi is 3.14.']],
    ['He said, "Stop." Then he left.', ['He said, "Stop."', 'Then he left.']],
    ['"Stop!" he said. Then he left.', ['"Stop!" he said.', 'Then he left.']],
    ['Wait... what? Really... Yes.', ['Wait... what?', 'Really...', 'Yes.']],
    ['It faded… Then silence.', ['It faded…', 'Then silence.']],
    ['Really?! Yes.', ['Really?!', 'Yes.']],
    ['J. R. R. Tolkien wrote it. Fine.', ['J. R. R. Tolkien wrote it.', 'Fine.']],
    ['So do I. Then we left.', ['So do I.', 'Then we left.']],
    ['See No. 5 for details. Thanks!', ['See No. 5 for details.', 'Thanks!']],
    ['Visit example.com today. Ok.', ['Visit example.com today.', 'Ok.']],
    ['She left (quietly.) Nobody saw.', ['She left (quietly.)', 'Nobody saw.']],
    ['A heading\n\nThe body text. More.', ['A heading', 'The body text.', 'More.']],
    ['Line one\ncontinues here.', ['Line one\ncontinues here.']],
    ['', []],
    ['   \n  ', []],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => expect(splitSentences(text)).toEqual(expected));
  }

  it('reports offsets of the trimmed sentences', () => {
    const text = '  Hi there.  Bye. ';
    expect(sentenceSpans(text)).toEqual([
      { start: 2, end: 11 },
      { start: 13, end: 17 },
    ]);
  });

  it('firstSentences joins on one line', () => {
    expect(firstSentences('A b.\nC d. E f. G h.', 3)).toBe('A b. C d. E f.');
    expect(firstSentences('A b. C d.', 0)).toBe('');
  });
});
