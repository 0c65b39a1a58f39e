/** `inkling eval`'s measurements: sliding-window perplexity, LAMBADA, and the GPT-2 paper's figures. */
export { slidingWindows, type EvalWindow } from './windows';
export { slidingPerplexity, type PerplexityResult } from './perplexity';
export { lambadaScore, splitLastWord, type LambadaPassage, type LambadaResult } from './lambada';
export { engineScorer, type Scorer, type TokenScore, type EvalProgress } from './score';
export { GPT2_PAPER_TABLE3, paperRow, type PaperRow } from './paper';
