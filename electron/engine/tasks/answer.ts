/**
 * Reading-comprehension question answering as in the GPT-2 paper (Radford et al. 2019, §3.5,
 * CoQA): the passage, the conversation so far as "Q: …" / "A: …" lines, then the new question and
 * a final "A:", decoded greedily; the answer is the first line generated.
 */
import type { SamplingParams } from '../generate/params';
import { GREEDY, preset } from './presets';

export interface QaTurn {
  q: string;
  a: string;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** passage, "Q: q\nA: a" per earlier turn, then "Q: question\nA:" (no trailing space). */
export function answerPrompt(passage: string, history: readonly QaTurn[], question: string): string {
  const lines = [passage.trim()];
  for (const turn of history) lines.push(`Q: ${oneLine(turn.q)}`, `A: ${oneLine(turn.a)}`);
  lines.push(`Q: ${oneLine(question)}`, 'A:');
  return lines.join('\n');
}

/** The first non-empty line of the output, cut where the model starts asking the next "Q:". */
export function answerResult(generated: string): string {
  const line = generated.split('\n').find((l) => l.trim() !== '') ?? '';
  const q = line.indexOf(' Q:');
  return (q >= 0 ? line.slice(0, q) : line).trim();
}

/** Greedy, one line (the paper's setting). */
export const ANSWER_PARAMS: Readonly<SamplingParams> = preset({ ...GREEDY, maxNewTokens: 40, stop: ['\n'] });
