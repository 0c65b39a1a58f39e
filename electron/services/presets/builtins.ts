/**
 * The presets Inkling ships: the GPT-2 paper's settings (its samples' top-k 40, summarization,
 * translation, question answering) and a few for everyday writing. Each is a complete parameter set
 * (the engine's defaults plus the preset's changes), so switching presets never leaves a value
 * from the previous one behind.
 */
import type { SamplingParams } from '../../engine/generate/params';
import {
  ANSWER_PARAMS,
  CONTINUE_PARAMS,
  PLAIN,
  SUMMARIZE_PARAMS,
  TRANSLATE_PARAMS,
  preset as full,
} from '../../engine/tasks';
import type { TaskKind } from '../../api/tasks';

export interface BuiltinPreset {
  id: string;
  name: string;
  description: string;
  params: Readonly<SamplingParams>;
}

export const BUILTIN_PRESETS: readonly BuiltinPreset[] = [
  {
    id: 'builtin:inkling',
    name: 'Inkling default',
    description:
      'Balanced for continuing prose: temperature 0.8, the 40 likeliest tokens, top-p 0.95 and a light repetition penalty; three alternatives.',
    params: full({ ...CONTINUE_PARAMS, alternatives: 3 }),
  },
  {
    id: 'builtin:gpt2-topk40',
    name: 'GPT-2 paper: top-k 40',
    description:
      "The setting of the GPT-2 paper's samples: temperature 1, choosing among the 40 likeliest tokens, nothing else.",
    params: full({ ...PLAIN, topK: 40, maxNewTokens: 64, alternatives: 3 }),
  },
  {
    id: 'builtin:gpt2-summarize',
    name: 'GPT-2 paper: summarization',
    description:
      'The paper\'s summaries: "TL;DR:" after the text, top-k 2 sampling for 100 tokens; the first three sentences are kept.',
    params: full(SUMMARIZE_PARAMS),
  },
  {
    id: 'builtin:gpt2-translate',
    name: 'GPT-2 paper: translation',
    description: "The paper's translations: greedy decoding (always the likeliest token), one line per sentence.",
    params: full(TRANSLATE_PARAMS),
  },
  {
    id: 'builtin:gpt2-answer',
    name: 'GPT-2 paper: questions',
    description: "The paper's reading comprehension: greedy decoding, the answer is the first line.",
    params: full(ANSWER_PARAMS),
  },
  {
    id: 'builtin:focused',
    name: 'Focused',
    description: 'Safer, more predictable word choice: temperature 0.5, top-p 0.9, no repeated 4-token runs.',
    params: full({ ...CONTINUE_PARAMS, temperature: 0.5, topP: 0.9, noRepeatNgramSize: 4, alternatives: 3 }),
  },
  {
    id: 'builtin:adventurous',
    name: 'Adventurous',
    description: 'More surprising word choice: temperature 1.1 with min-p 0.05 keeping out the nonsense tail.',
    params: full({ ...PLAIN, temperature: 1.1, minP: 0.05, repetitionPenalty: 1.1, alternatives: 3 }),
  },
  {
    id: 'builtin:fresh',
    name: 'Fresh phrasing (DRY + XTC)',
    description:
      'Avoids repeating whole phrases (DRY 0.8) and now and then passes over the most obvious word (XTC 0.1 at half the tokens); min-p 0.05 keeps out the nonsense tail.',
    params: full({
      ...PLAIN,
      temperature: 1,
      minP: 0.05,
      dryMultiplier: 0.8,
      xtcThreshold: 0.1,
      xtcProbability: 0.5,
      alternatives: 3,
    }),
  },
  {
    id: 'builtin:mirostat',
    name: 'Steady surprise (mirostat)',
    description:
      'Mirostat v2 keeps the text about equally surprising throughout (target 5 bits per token), neither sliding into loops nor drifting into nonsense; top-k and top-p are off.',
    params: full({ ...PLAIN, temperature: 1, mirostatTau: 5, mirostatEta: 0.1, alternatives: 3 }),
  },
];

export const BUILTIN_BY_ID: ReadonlyMap<string, BuiltinPreset> = new Map(BUILTIN_PRESETS.map((p) => [p.id, p]));

/** The preset each task starts with (the paper's setting for the paper's tasks). */
export const TASK_DEFAULT_PRESET: Readonly<Record<TaskKind, string>> = {
  continue: 'builtin:inkling',
  translate: 'builtin:gpt2-translate',
  summarize: 'builtin:gpt2-summarize',
  answer: 'builtin:gpt2-answer',
};
