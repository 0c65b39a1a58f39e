/**
 * Task request in → engine requests out, with the real prompt builders: the GPT-2 paper's formats
 * (TL;DR:, "english = french" lines, Q:/A:), its parameters, and the request's own overrides.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXAMPLES } from '../../../electron/engine/tasks';
import { planTask, sentencesByParagraph, taskParams } from '../../../electron/services/tasks';

const base = { requestId: 'r1', docId: 'doc1' };

describe('planTask', () => {
  it('continue: the text before the cursor without trailing blanks, in the document cache, with top alternatives', () => {
    const plan = planTask({
      ...base,
      kind: 'continue',
      textBefore: 'It was a dark night. ',
      params: { temperature: 0.3, alternatives: 3 },
      topAlternatives: 5,
    });
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0].prompt).toBe('It was a dark night.');
    expect(plan.cacheKey).toBe('doc1');
    expect(plan.topAlternatives).toBe(5);
    expect(plan.steps[0].params).toMatchObject({ temperature: 0.3, alternatives: 3, topK: 40, topP: 0.95 });
    // The writer typed a space: the model's leading space is dropped from the suggestion.
    expect(plan.steps[0].extract(' and cold')).toBe('and cold');
    expect(planTask({ ...base, kind: 'continue', textBefore: 'It was' }).steps[0].extract(' dark')).toBe(' dark');
  });

  it('translate: the paper format, greedy, one line per sentence, sentence by sentence, paragraphs kept', () => {
    const text = 'The dog runs. It is fast!\n\nWhere is Mr. Smith?';
    const plan = planTask({ ...base, kind: 'translate', pair: 'en-fr', text });
    expect(plan.steps.map((s) => s.source)).toEqual(['The dog runs.', 'It is fast!', 'Where is Mr. Smith?']);
    const examples = DEFAULT_EXAMPLES['en-fr'];
    const expected = [...examples.map((e) => `${e.source} = ${e.target}`), 'The dog runs. ='].join('\n');
    expect(plan.steps[0].prompt).toBe(expected);
    expect(plan.steps[0].prompt.startsWith('The cat is sleeping on the chair. = Le chat dort sur la chaise.\n')).toBe(
      true,
    );
    expect(plan.steps[0].params).toMatchObject({ temperature: 0, topK: 0, topP: 1, alternatives: 1, stop: ['\n'] });
    expect(plan.cacheKey).toBe('doc1~translate');
    expect(plan.steps[0].extract(' Le chien court. = The dog\nxx')).toBe('Le chien court.');
    expect(plan.join(['Le chien court.', 'Il est rapide !', 'Où est M. Smith ?'])).toBe(
      'Le chien court. Il est rapide !\n\nOù est M. Smith ?',
    );
  });

  it("translate: the writer's own examples replace the built-in ones; a newline stop is always there", () => {
    const plan = planTask({
      ...base,
      kind: 'translate',
      pair: 'fr-en',
      text: 'Bonjour.',
      examples: [{ source: 'Merci.', target: 'Thank you.' }],
      params: { stop: ['###'] },
    });
    expect(plan.steps[0].prompt).toBe('Merci. = Thank you.\nBonjour. =');
    expect(plan.steps[0].params.stop).toEqual(['###', '\n']);
  });

  it('summarize: article + "\\nTL;DR:", top-k 2 for 100 tokens, three sentences kept, one alternative', () => {
    const plan = planTask({
      ...base,
      kind: 'summarize',
      text: 'A long article.\n\nMore text.  \n',
      params: { alternatives: 4 },
    });
    expect(plan.steps[0].prompt).toBe('A long article.\n\nMore text.\nTL;DR:');
    expect(plan.steps[0].params).toMatchObject({
      topK: 2,
      temperature: 1,
      maxNewTokens: 100,
      alternatives: 1,
      repetitionPenalty: 1,
    });
    expect(plan.steps[0].extract(' One. Two! Three? Four.')).toBe('One. Two! Three?');
    const two = planTask({ ...base, kind: 'summarize', text: 'x', sentences: 2 });
    expect(two.steps[0].extract(' One. Two. Three.')).toBe('One. Two.');
  });

  it('answer: passage, earlier Q/A turns, the question and a final "A:", greedy, first line', () => {
    const plan = planTask({
      ...base,
      kind: 'answer',
      passage: 'Tom has a red bike.\n',
      question: 'What colour is it?',
      history: [{ q: 'Who has a bike?', a: 'Tom' }],
    });
    expect(plan.steps[0].prompt).toBe('Tom has a red bike.\nQ: Who has a bike?\nA: Tom\nQ: What colour is it?\nA:');
    expect(plan.steps[0].params).toMatchObject({ temperature: 0, stop: ['\n'] });
    expect(plan.steps[0].extract(' Red. Q: Why?')).toBe('Red.');
  });

  it("the request's parameters override the preset and are validated by the engine's rules", () => {
    expect(taskParams('summarize', { topK: 5, seed: 9 })).toMatchObject({ topK: 5, seed: 9, maxNewTokens: 100 });
    expect(() => taskParams('continue', { temperature: 7 })).toThrow(/temperature.*from 0 to 5/);
    expect(() => planTask({ ...base, kind: 'translate', pair: 'en-fr', text: '   ' })).toThrow(/nothing to translate/);
  });

  it('names a slot per document, task and lane, so a newer run replaces only its own kind', () => {
    expect(planTask({ ...base, kind: 'summarize', text: 'x' }).slot).toBe('task~doc1~summarize~');
    expect(planTask({ ...base, kind: 'continue', textBefore: 'x', lane: 'alt2' }).slot).toBe('task~doc1~continue~alt2');
  });

  it('splits paragraphs at blank lines and sentences inside them', () => {
    expect(sentencesByParagraph('One. Two.\n \nThree.')).toEqual([
      { paragraph: 0, sentence: 'One.' },
      { paragraph: 0, sentence: 'Two.' },
      { paragraph: 1, sentence: 'Three.' },
    ]);
  });
});
