/**
 * Continuing the writer's text. GPT-2 is a plain language model, so the prompt is the text itself,
 * with one adjustment: GPT-2's tokens carry the space *before* a word (" cat"), so a prompt ending
 * in a space forces the model to start with a rare space-less token and it writes worse. The
 * trailing spaces are removed from the prompt, and `continueResult` drops the space the model then
 * generates in front of its first word, so the suggestion fits after the writer's own space.
 */
import { DEFAULT_PARAMS, type SamplingParams } from '../generate/params';

/** GPT-2's end-of-text token: it begins every training document, so it starts a blank page. */
export const ENDOFTEXT = '<|endoftext|>';

const TRAILING_BLANKS = /[ \t]+$/;

/**
 * The prompt for continuing `textBefore` (the text before the cursor): the text without trailing
 * spaces or tabs (line breaks are kept); an empty or blank document becomes "<|endoftext|>", which
 * the tokenizer must encode as the special token 50256.
 */
export function continuePrompt(textBefore: string): string {
  const trimmed = textBefore.replace(TRAILING_BLANKS, '');
  return trimmed.trim() === '' ? ENDOFTEXT : trimmed;
}

/** The text to insert at the cursor: when the writer had already typed a space, one less. */
export function continueResult(generated: string, textBefore: string): string {
  if (TRAILING_BLANKS.test(textBefore) && generated.startsWith(' ')) return generated.slice(1);
  return generated;
}

export const CONTINUE_PARAMS: Readonly<SamplingParams> = DEFAULT_PARAMS;
