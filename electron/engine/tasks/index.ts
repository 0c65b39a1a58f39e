/**
 * Task prompts in the GPT-2 paper's zero-shot formats (Radford et al. 2019): continue, translate,
 * summarize, answer. Each task has a prompt builder, a result extractor and a parameter preset.
 */
export { CONTINUE_PARAMS, continuePrompt, continueResult } from './continue';
export { TRANSLATE_PARAMS, translatePrompt, translationResult, type TranslationExample } from './translate';
export { DEFAULT_EXAMPLES, LANGUAGE_NAMES, type Language, type LanguagePair } from './examples';
export { SUMMARIZE_PARAMS, summarizePrompt, summaryResult } from './summarize';
export { GREEDY, PLAIN, preset } from './presets';
export { ANSWER_PARAMS, answerPrompt, answerResult, type QaTurn } from './answer';
export { firstSentences, sentenceSpans, splitSentences, type SentenceSpan } from './sentences';
