/** What the evaluations need from a model: the log-probability and rank of each scored token. */
import type { CancelToken, Engine } from '../runtime/engine';

export interface TokenScore {
  /** ln p(token | the tokens before it). */
  logprob: number;
  /** 1 = the model's first (greedy) choice. */
  rank: number;
}

/**
 * Scores ids[first..] given everything before: one entry per token from `first` on. `first` ≥ 1
 * (the first token of a sequence has nothing to be predicted from).
 */
export type Scorer = (ids: number[], first: number) => Promise<TokenScore[]>;

/** The engine's own scoring path (Engine.scoreRange, the one the heat map uses), without alternatives. */
export function engineScorer(engine: Engine, cancel?: CancelToken): Scorer {
  return async (ids, first) => {
    if (first < 1 || first >= ids.length) throw new RangeError(`first must be in [1, ${ids.length}), got ${first}`);
    const scored = await engine.scoreRange(ids, first, 0, cancel ?? { cancelled: false });
    return scored.map((t, i) => {
      if (t.logprob === null || t.rank === null) throw new Error(`token ${first + i} came back unscored`);
      return { logprob: t.logprob, rank: t.rank };
    });
  };
}

/** Progress of a running evaluation: units are windows (perplexity) or passages (LAMBADA). */
export type EvalProgress = (done: number, total: number) => void;
