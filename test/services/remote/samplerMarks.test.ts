import { describe, expect, it } from 'vitest';
import { KNOWN_SAMPLERS, verdict } from '../../../electron/services/remote/remoteService';
import type { RemoteFeatures } from '../../../electron/api/remote';
import { PARAM_SPECS } from '../../../electron/engine/generate';

const features = (server: RemoteFeatures['server']): RemoteFeatures => ({
  baseUrl: 'http://127.0.0.1:1/v1',
  model: 'gpt2',
  models: ['gpt2'],
  server,
  logprobs: true,
  scoring: 'echo',
  samplers: Object.entries(KNOWN_SAMPLERS[server]).map(([param, supported]) => ({ param, supported })),
  hasKey: false,
});

describe('sampler controls a server ignores are marked', () => {
  it('names every marked control after a real sampling parameter (the pane looks them up by name)', () => {
    const names = new Set(PARAM_SPECS.map((s) => s.name));
    for (const server of Object.keys(KNOWN_SAMPLERS) as RemoteFeatures['server'][]) {
      for (const param of Object.keys(KNOWN_SAMPLERS[server])) expect(names, `${server}: ${param}`).toContain(param);
    }
  });

  it('the verdict lists what the server ignores, and nothing for inkling serve', () => {
    expect(verdict(features('inkling'))).not.toMatch(/Ignored samplers/);
    expect(verdict(features('vllm'))).toMatch(/Ignored samplers: typicalP, dryMultiplier, .*mirostatEta\./);
    expect(verdict(features('llama.cpp'))).toMatch(/Ignored samplers: repetitionPenalty\./);
    expect(verdict(features('ollama'))).toMatch(
      /Ignored samplers: topK, minP, typicalP, repetitionPenalty, dryMultiplier/,
    );
    // An unknown server is not said to ignore anything: the controls say "may ignore it" instead.
    expect(verdict(features('unknown'))).not.toMatch(/Ignored samplers/);
    expect(features('unknown').samplers.every((s) => s.supported === 'unknown')).toBe(true);
  });
});
