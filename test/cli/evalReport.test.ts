/** `inkling eval`'s table for a GPT-2 size the paper covers: its Table 3 figure beside Inkling's, per precision. */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../electron/cli/evalReport';
import { paperRow } from '../../electron/engine/eval';
import type { EvalReport, PrecisionResult } from '../../electron/services/eval';

const lambada = (precision: string, accuracy: number, wordPerplexity: number): PrecisionResult => ({
  precision,
  dir: '/m',
  weights: 'installed',
  seconds: 600,
  lambada: {
    passages: 5153,
    correct: Math.round(accuracy * 5153),
    accuracy,
    wordPerplexity,
    tokenPerplexity: 1,
    targetTokens: 1,
    truncated: 0,
  },
});

function report(over: Partial<EvalReport>): EvalReport {
  return {
    task: 'lambada',
    dataset: {
      title: 'LAMBADA (OpenAI test split)',
      repo: 'EleutherAI/lambada_openai',
      file: 'data/lambada_test.jsonl',
      commit: null,
      sha256: 'ab'.repeat(32),
      cached: true,
    },
    model: { name: 'GPT-2 XL (1.5B)', dir: '/m', libraryId: 'gpt2-xl', nLayer: 48, nEmbd: 1600, contextLength: 1024 },
    paper: paperRow({ nLayer: 48, nEmbd: 1600 }),
    context: 1024,
    stride: null,
    limit: null,
    results: [],
    notes: [],
    recorded: true,
    ...over,
  };
}

describe('formatReport', () => {
  it("puts the paper's LAMBADA accuracy and perplexity for the model's size beside each precision", () => {
    const text = formatReport(report({ results: [lambada('fp32', 0.5105, 10.63), lambada('int4', 0.47, 12.1)] }));
    const lines = text.split('\n');
    expect(lines[2]).toMatch(
      /^precision\s+passages\s+accuracy\s+perplexity\s+vs fp32\s+GPT-2 paper \(1542M\) acc \/ ppl\s+time$/,
    );
    expect(lines[3]).toMatch(/^fp32\s+5153\s+51\.05%\s+10\.63\s+63\.24% \/ 8\.63\s+10 min$/);
    expect(lines[4]).toMatch(/^int4\s+5153\s+47\.00%\s+12\.10\s+\+13\.8% ppl, −4\.0 pts\s+63\.24% \/ 8\.63\s/);
    expect(text).toMatch(/stop-word filter/);
    expect(text).toMatch(/Recorded with "gpt2-xl"/);
  });

  it("puts the paper's WikiText-2 perplexity beside each precision, with the stride and the limit", () => {
    const wt = (precision: string, perplexity: number): PrecisionResult => ({
      precision,
      dir: '/m',
      weights: 'installed',
      seconds: 30,
      perplexity: {
        textTokens: 20000,
        scoredTokens: 19999,
        windows: 38,
        context: 1024,
        stride: 512,
        nll: 1,
        perplexity,
      },
    });
    const text = formatReport(
      report({
        task: 'wikitext2',
        stride: 512,
        limit: 20000,
        paper: paperRow({ nLayer: 12, nEmbd: 768 }),
        results: [wt('fp32', 25.2), wt('int8', 25.3)],
      }),
    );
    expect(text).toMatch(/first 20000 tokens only/);
    expect(text).toMatch(/context 1024, stride 512/);
    expect(text).toMatch(/^fp32\s+19999\s+25\.20\s+29\.41\s+30 s$/m);
    expect(text).toMatch(/^int8\s+19999\s+25\.30\s+\+0\.4%\s+29\.41\s+30 s$/m);
  });
});
