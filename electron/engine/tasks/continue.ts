/**
 * Continuing the writer's text. GPT-2 is a plain language model, so the prompt is the text itself,
 * with one adjustment: GPT-2's tokens carry the space *before* a word (" cat"), so a prompt ending
 * in a space forces the model to start with a rare space-less token and it writes worse. The
 * trailing spaces are removed from the prompt, and `continueResult` drops the space the model then
 * generates in front of its first word, so the suggestion fits after the writer's own space.
 */
import { DEFAULT_PARAMS, type SamplingParams } from '../generate/params';

const TRAILING_BLANKS = /[ \t]+$/;

/**
 * The prompt for continuing `textBefore` (the text before the cursor): the text without trailing
 * spaces or tabs (line breaks are kept). A blank document gives "", which the engine starts from
 * GPT-2's <|endoftext|> token (id 50256), as GPT-2 began every training document with it. (The
 * literal text "<|endoftext|>" is not used: the engine encodes prompts as plain text.)
 */
export function continuePrompt(textBefore: string): string {
  const trimmed = textBefore.replace(TRAILING_BLANKS, '');
  return trimmed.trim() === '' ? '' : trimmed;
}

/** The text to insert at the cursor: when the writer had already typed a space, one less. */
export function continueResult(generated: string, textBefore: string): string {
  if (TRAILING_BLANKS.test(textBefore) && generated.startsWith(' ')) return generated.slice(1);
  return generated;
}

export const CONTINUE_PARAMS: Readonly<SamplingParams> = DEFAULT_PARAMS;
