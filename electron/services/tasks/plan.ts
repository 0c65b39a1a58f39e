/**
 * From a task request to the engine requests that carry it out, using the GPT-2 paper's prompt
 * builders and result extractors (electron/engine/tasks). Pure: no engine, no I/O — the task
 * service runs the steps, tests check the prompts and parameters.
 *
 *   continue   1 step:  continuePrompt(textBefore)                      → continueResult
 *   translate  1 step per sentence: translatePrompt(examples, sentence)  → translationResult
 *   summarize  1 step:  summarizePrompt(text)                            → summaryResult (3 sentences)
 *   answer     1 step:  answerPrompt(passage, history, question)         → answerResult (first line)
 */
import { InklingError } from '../../api/errors';
import { jsonSafeParams } from '../../api/presets';
import type { TaskKind, TaskRequest } from '../../api/tasks';
import type { CompletionParams } from '../../api/types';
import { paneKey } from '../../engine/context';
import { validateParams, type SamplingParams } from '../../engine/generate/params';
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
  splitSentences,
  summarizePrompt,
  summaryResult,
  translatePrompt,
  translationResult,
} from '../../engine/tasks';

/** The paper's parameters per task: what a request's own params are laid over. */
export const TASK_PARAMS: Readonly<Record<TaskKind, Readonly<SamplingParams>>> = {
  continue: CONTINUE_PARAMS,
  translate: TRANSLATE_PARAMS,
  summarize: SUMMARIZE_PARAMS,
  answer: ANSWER_PARAMS,
};

/** A translation reads at most this many sentences in one run (select less text for more). */
export const MAX_TRANSLATE_SENTENCES = 400;

export interface PlanStep {
  prompt: string;
  /** Complete, validated parameters (JSON-safe) for the engine. */
  params: CompletionParams;
  /** translate: the sentence this step translates. */
  source?: string;
  /** translate: which paragraph of the source the sentence belongs to. */
  paragraph?: number;
  /** The result text from what the model generated. */
  extract(generated: string): string;
}

export interface TaskPlan {
  kind: TaskKind;
  /** The engine's prefix-cache key (continue shares the document's own cache with the ghost text). */
  cacheKey: string;
  /** What a newer run replaces (see EngineManager.run). */
  slot: string;
  topAlternatives: number;
  steps: PlanStep[];
  /** The final text from the steps' results (translate: sentences joined, paragraphs kept). */
  join(results: string[]): string;
}

/** The request's parameters over the task's paper preset, checked by the engine's validator. */
export function taskParams(kind: TaskKind, given: CompletionParams | undefined): SamplingParams {
  const p = validateParams({ ...jsonSafeParams(TASK_PARAMS[kind]), ...(given ?? {}) });
  if (kind !== 'continue') {
    // One result per run: extra alternatives would only cost time.
    p.alternatives = 1;
  }
  if ((kind === 'translate' || kind === 'answer') && !p.stop.includes('\n')) {
    // Only the first line is kept, so generating past the line end is wasted work.
    p.stop = [...p.stop, '\n'];
  }
  return p;
}

/** Paragraphs (split at blank lines) and their sentences, in order. */
export function sentencesByParagraph(text: string): { paragraph: number; sentence: string }[] {
  const out: { paragraph: number; sentence: string }[] = [];
  text
    .split(/\n[ \t]*\n/)
    .filter((p) => p.trim() !== '')
    .forEach((para, i) => {
      for (const sentence of splitSentences(para)) out.push({ paragraph: i, sentence });
    });
  return out;
}

export function planTask(req: TaskRequest): TaskPlan {
  const params = jsonSafeParams(taskParams(req.kind, req.params));
  const slot = `task~${req.docId}~${req.kind}~${req.lane ?? ''}`;
  const single = (prompt: string, extract: (g: string) => string) => [{ prompt, params, extract }];
  const first = (results: string[]) => results[0] ?? '';
  switch (req.kind) {
    case 'continue': {
      const textBefore = req.textBefore;
      return {
        kind: req.kind,
        cacheKey: req.docId,
        slot,
        topAlternatives: req.topAlternatives ?? 0,
        steps: single(continuePrompt(textBefore), (g) => continueResult(g, textBefore)),
        join: first,
      };
    }
    case 'translate': {
      const examples = req.examples && req.examples.length ? req.examples : DEFAULT_EXAMPLES[req.pair];
      const sentences = sentencesByParagraph(req.text);
      if (sentences.length === 0)
        throw new InklingError(
          'bad_request',
          'There is nothing to translate: select some text or put the cursor in a paragraph.',
        );
      if (sentences.length > MAX_TRANSLATE_SENTENCES) {
        throw new InklingError(
          'bad_request',
          `The text has ${sentences.length} sentences; translate at most ${MAX_TRANSLATE_SENTENCES} at a time.`,
        );
      }
      const paragraphs = sentences.map((s) => s.paragraph);
      return {
        kind: req.kind,
        cacheKey: paneKey(req.docId, 'translate'),
        slot,
        topAlternatives: 0,
        steps: sentences.map(({ paragraph, sentence }) => ({
          prompt: translatePrompt(examples, sentence),
          params,
          source: sentence,
          paragraph,
          extract: (g: string) => translationResult(g),
        })),
        join: (results) => {
          let out = '';
          results.forEach((r, i) => {
            if (i > 0) out += paragraphs[i] !== paragraphs[i - 1] ? '\n\n' : ' ';
            out += r;
          });
          return out.trim();
        },
      };
    }
    case 'summarize': {
      const sentences = req.sentences ?? 3;
      return {
        kind: req.kind,
        cacheKey: paneKey(req.docId, 'summarize'),
        slot,
        topAlternatives: 0,
        steps: single(summarizePrompt(req.text), (g) => summaryResult(g, sentences)),
        join: first,
      };
    }
    case 'answer':
      return {
        kind: req.kind,
        cacheKey: paneKey(req.docId, 'answer'),
        slot,
        topAlternatives: 0,
        steps: single(answerPrompt(req.passage, req.history ?? [], req.question), answerResult),
        join: first,
      };
  }
}
