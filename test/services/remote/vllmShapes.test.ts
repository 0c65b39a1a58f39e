/**
 * Shapes of vLLM's answers that `inkling serve` does not produce, checked on vLLM's own output as
 * quoted in public threads (no vLLM can run here): its echo top lists carry the prompt's token even
 * when it is far below the top N asked for.
 */
import { describe, expect, it } from 'vitest';
import { rank, topList } from '../../../electron/services/remote/client';

// vLLM v0.16.0, `echo: true, logprobs: 5`, prompt "The step of boiling water is: " (quoted in
// ggml-org/llama.cpp PR #15189): positions 1 and 2 of `top_logprobs`.
const STEP = {
  ' step': -8.818763732910156,
  ' is': -0.7875133752822876,
  ' ': -1.9750133752822876,
  ' are': -2.600013256072998,
  ' type': -4.100013256072998,
  ':': -4.350013256072998,
};
const OF = {
  ' of': -1.552642822265625,
  ' in': -1.740142822265625,
  ' that': -2.552642822265625,
  ' response': -2.552642822265625,
  wise: -2.802642822265625,
};

describe("vLLM's echo top lists", () => {
  it('a prompt token outside the top N asked for (listed as an extra sixth entry) has an unknown rank, not 6', () => {
    expect(rank(STEP[' step'], topList(STEP), 5)).toBeNull();
  });

  it('a prompt token inside the top N has its exact rank', () => {
    expect(rank(OF[' of'], topList(OF), 5)).toBe(1);
    expect(rank(OF[' in'], topList(OF), 5)).toBe(2);
  });
});
