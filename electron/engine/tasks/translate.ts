/**
 * Zero-shot translation as in the GPT-2 paper (Radford et al. 2019, §3.7): the context holds
 * example pairs as lines "english sentence = french sentence", then the sentence to translate
 * followed by " =", decoded greedily; the first generated sentence is the translation.
 */
import type { SamplingParams } from '../generate/params';
import { GREEDY, preset } from './presets';
import { firstSentences } from './sentences';

export interface TranslationExample {
  source: string;
  target: string;
}

/** Line breaks would break the one-pair-per-line format, so each side becomes a single line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** "source = target" lines, then "sentence =" (no trailing space: GPT-2 puts the space in the next token). */
export function translatePrompt(examples: readonly TranslationExample[], sentence: string): string {
  const lines = examples.map((e) => `${oneLine(e.source)} = ${oneLine(e.target)}`);
  lines.push(`${oneLine(sentence)} =`);
  return lines.join('\n');
}

/**
 * The translation in the model's output: the first non-empty line, cut where the model starts
 * another "a = b" pair on the same line, then its first `sentences` sentences, trimmed.
 * (Translate a multi-sentence text one sentence at a time: split it with splitSentences.)
 */
export function translationResult(generated: string, sentences = 1): string {
  const line = generated.split('\n').find((l) => l.trim() !== '') ?? '';
  const cut = line.indexOf(' = ');
  return firstSentences(cut >= 0 ? line.slice(0, cut) : line, sentences).trim();
}

/** Greedy, one line (the paper's setting). */
export const TRANSLATE_PARAMS: Readonly<SamplingParams> = preset({ ...GREEDY, maxNewTokens: 80, stop: ['\n'] });
