import { describe, expect, it } from 'vitest';
import {
  ANSWER_PARAMS,
  CONTINUE_PARAMS,
  DEFAULT_EXAMPLES,
  SUMMARIZE_PARAMS,
  TRANSLATE_PARAMS,
  answerPrompt,
  answerResult,
  continuePrompt,
  continueResult,
  summarizePrompt,
  summaryResult,
  translatePrompt,
  translationResult,
} from '../../../electron/engine/tasks';
import { DEFAULT_PARAMS, validateParams } from '../../../electron/engine/generate/params';

describe('continue', () => {
  it('uses the text itself, without trailing spaces, and "" (the engine starts from <|endoftext|>) for a blank page', () => {
    expect(continuePrompt('Once upon a time ')).toBe('Once upon a time');
    expect(continuePrompt('Line one.\n')).toBe('Line one.\n');
    expect(continuePrompt('Title\n\t ')).toBe('Title\n');
    expect(continuePrompt('')).toBe('');
    expect(continuePrompt(' \n ')).toBe('');
  });

  it('drops the space the model puts before its first word only when the writer typed one', () => {
    expect(continueResult(' there was a king', 'Once upon a time ')).toBe('there was a king');
    expect(continueResult(' there was a king', 'Once upon a time')).toBe(' there was a king');
    expect(continueResult(', there', 'Once upon a time ')).toBe(', there');
    expect(CONTINUE_PARAMS).toEqual(DEFAULT_PARAMS);
  });
});

describe('translate (GPT-2 paper format)', () => {
  it('builds "source = target" lines and ends with "sentence =" without a trailing space', () => {
    const prompt = translatePrompt(
      [
        { source: 'The cat sleeps.', target: 'Le chat dort.' },
        { source: 'Good\nmorning.', target: ' Bonjour. ' },
      ],
      'Where is the station?',
    );
    expect(prompt).toBe('The cat sleeps. = Le chat dort.\nGood morning. = Bonjour.\nWhere is the station? =');
    expect(translatePrompt([], 'Hello.')).toBe('Hello. =');
  });

  it('keeps the first sentence of the first line, trimmed', () => {
    expect(translationResult(' Où est la gare ?\nThe dog barks. = Le chien aboie.')).toBe('Où est la gare ?');
    expect(translationResult(' Bonjour. Comment allez-vous ?')).toBe('Bonjour.');
    expect(translationResult(' Bonjour. Comment allez-vous ?', 2)).toBe('Bonjour. Comment allez-vous ?');
    expect(translationResult(' Le chat dort = The cat sleeps')).toBe('Le chat dort');
    expect(translationResult('\n Salut M. Dupont.\n')).toBe('Salut M. Dupont.');
    expect(translationResult('')).toBe('');
  });

  it('has example pairs for en↔fr, en→de and en→es, one line each', () => {
    for (const pair of ['en-fr', 'fr-en', 'en-de', 'de-en', 'en-es', 'es-en'] as const) {
      const examples = DEFAULT_EXAMPLES[pair];
      expect(examples.length, pair).toBeGreaterThanOrEqual(4);
      for (const e of examples) {
        expect(e.source + e.target).not.toMatch(/\n| = /);
        expect(e.source).not.toBe(e.target);
      }
    }
    expect(DEFAULT_EXAMPLES['fr-en'][0]).toEqual({
      source: DEFAULT_EXAMPLES['en-fr'][0].target,
      target: DEFAULT_EXAMPLES['en-fr'][0].source,
    });
    expect(translatePrompt(DEFAULT_EXAMPLES['en-fr'].slice(0, 1), 'I am here.')).toBe(
      'The cat is sleeping on the chair. = Le chat dort sur la chaise.\nI am here. =',
    );
  });

  it('decodes greedily, one line', () => {
    expect(TRANSLATE_PARAMS).toMatchObject({ temperature: 0, repetitionPenalty: 1, stop: ['\n'] });
  });
});

describe('summarize (GPT-2 paper format)', () => {
  it('appends "\\nTL;DR:" to the article', () => {
    expect(summarizePrompt('The council met on Monday. It voted.')).toBe(
      'The council met on Monday. It voted.\nTL;DR:',
    );
    expect(summarizePrompt('Article.\n\n')).toBe('Article.\nTL;DR:');
  });

  it('keeps the first three sentences', () => {
    const generated = ' The council voted. Mr. Smith objected. The vote passed 5-2. Then everyone left.\n\nMore.';
    expect(summaryResult(generated)).toBe('The council voted. Mr. Smith objected. The vote passed 5-2.');
    expect(summaryResult(' Only one sentence without an end')).toBe('Only one sentence without an end');
    expect(summaryResult(' Alpha.\nBeta is here. Gamma is too. Delta.')).toBe('Alpha. Beta is here. Gamma is too.');
  });

  it('uses top-k 2 for 100 tokens at temperature 1', () => {
    expect(SUMMARIZE_PARAMS).toMatchObject({
      temperature: 1,
      topK: 2,
      topP: 1,
      maxNewTokens: 100,
      repetitionPenalty: 1,
    });
  });
});

describe('answer (GPT-2 paper format)', () => {
  it('builds passage, Q/A history, then "Q: question\\nA:"', () => {
    const prompt = answerPrompt(
      'Tom has a red bike. He rides it to school.\n',
      [
        { q: 'What does Tom have?', a: 'a red bike' },
        { q: 'Where does he ride it?', a: 'to school' },
      ],
      'What colour is it?',
    );
    expect(prompt).toBe(
      'Tom has a red bike. He rides it to school.\n' +
        'Q: What does Tom have?\nA: a red bike\n' +
        'Q: Where does he ride it?\nA: to school\n' +
        'Q: What colour is it?\nA:',
    );
    expect(answerPrompt('P.', [], 'Why?')).toBe('P.\nQ: Why?\nA:');
  });

  it('keeps the first line of the answer', () => {
    expect(answerResult(' red\nQ: Is it new?\nA: yes')).toBe('red');
    expect(answerResult(' red Q: Is it new?')).toBe('red');
    expect(answerResult('\n  blue  ')).toBe('blue');
  });

  it('decodes greedily', () => {
    expect(ANSWER_PARAMS).toMatchObject({ temperature: 0, repetitionPenalty: 1 });
  });
});

describe('presets', () => {
  it('are complete, valid parameter sets', () => {
    for (const preset of [CONTINUE_PARAMS, TRANSLATE_PARAMS, SUMMARIZE_PARAMS, ANSWER_PARAMS]) {
      expect(validateParams(preset)).toEqual(preset);
    }
  });
});
