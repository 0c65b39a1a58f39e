/**
 * Controls that explain themselves: Tab suggestions take their length and alternatives from the
 * same Continue settings as the Continue pane (one source of truth); sliders cover their field's
 * range or say where they stop; each control has a one-line explanation; switching a newer
 * sampler on puts it into an older sampler order.
 */
import { describe, expect, it } from 'vitest';
import { EditorState } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import {
  PARAM_SPECS,
  type CompleteRequest,
  type GenerateResult,
  type InklingApi,
  type Settings,
} from '../../electron/api';
import { DEFAULT_SETTINGS } from '../../electron/api/settings';
import { createCompletionBridge } from '../../renderer/src/editor/completions';
import { docIdFacet } from '../../renderer/src/editor/setup';
import { createGenerationStore } from '../../renderer/src/stores/generation';
import { oneLine, sliderNote, sliderRange, spec, withSamplerOn } from '../../renderer/src/sampling/values';

describe('one source of truth for a suggestion’s length and alternatives', () => {
  it('a Tab suggestion asks for the Continue settings’ length and alternatives, not the old Settings fields', () => {
    const sent: CompleteRequest[] = [];
    const api = {
      complete: (req: CompleteRequest) => {
        sent.push(req);
        return new Promise<GenerateResult>(() => undefined);
      },
      cancelCompletion: async () => undefined,
      onCompletionEvent: () => () => undefined,
    } as unknown as Pick<InklingApi, 'complete' | 'cancelCompletion' | 'onCompletionEvent'>;
    const generation = createGenerationStore({
      describeWindow: async () => {
        throw new Error('not measured here');
      },
    });
    const settings: Settings = { ...DEFAULT_SETTINGS, alternatives: 3, maxNewTokens: 32 };
    const continueParams = { temperature: 0.7, maxNewTokens: 120, alternatives: 2 };
    const bridge = createCompletionBridge(api, generation, () => settings, {
      params: (doc) => (doc === 'doc-1' ? continueParams : {}),
    });
    const view = {
      dom: { isConnected: true },
      state: EditorState.create({ extensions: docIdFacet.of('doc-1') }),
      dispatch: () => undefined,
    } as unknown as EditorView;
    bridge.config.onRequest({ requestId: 'q1', textBefore: 'Once', pos: 4, view });
    expect(sent[0].params).toMatchObject({ temperature: 0.7, maxNewTokens: 120, alternatives: 2 });
    // A suggestion opens with as many slots as its document's Continue settings ask for.
    expect(bridge.config.alternatives(view.state)).toBe(2);
    expect(bridge.config.alternatives(EditorState.create({ extensions: docIdFacet.of('doc-2') }))).toBe(
      DEFAULT_SETTINGS.alternatives,
    );
    bridge.dispose();
  });
});

describe('sliders and explanations', () => {
  it('every slider covers its field’s whole range, except where a line says where it stops', () => {
    for (const s of PARAM_SPECS) {
      if (s.type !== 'number' && s.type !== 'integer') continue;
      const r = sliderRange(s);
      if (r.max < (s.max as number))
        expect(sliderNote(s), s.name).toMatch(/^The slider goes to \d+; type up to \d+ in the box\.$/);
      else expect(sliderNote(s), s.name).toBeNull();
    }
    expect(sliderRange(spec('temperature')).max).toBe(5);
    expect(sliderRange(spec('maxNewTokens')).max).toBe(1024);
    expect(sliderNote(spec('topK'))).toBe('The slider goes to 200; type up to 50257 in the box.');
  });

  it('the inline explanation is the description’s first sentence', () => {
    expect(oneLine('How adventurous the word choice is. Lower is safer.')).toBe('How adventurous the word choice is.');
    expect(oneLine('No full stop')).toBe('No full stop');
    for (const s of PARAM_SPECS) expect(oneLine(s.description).length, s.name).toBeLessThanOrEqual(160);
  });
});

describe('switching a newer sampler on', () => {
  it('puts DRY, XTC or mirostat into an order saved without them, at its default place', () => {
    const old = { samplerOrder: ['repetitionPenalty', 'logitBias', 'temperature', 'topK', 'topP', 'minP'] as const };
    expect(withSamplerOn({ ...old, samplerOrder: [...old.samplerOrder] }, { dryMultiplier: 0.8 }).samplerOrder).toEqual(
      ['repetitionPenalty', 'dry', 'logitBias', 'temperature', 'topK', 'topP', 'minP'],
    );
    expect(
      withSamplerOn({ samplerOrder: [...old.samplerOrder] }, { xtcProbability: 0.5, mirostatTau: 5 }).samplerOrder,
    ).toEqual(['repetitionPenalty', 'logitBias', 'temperature', 'topK', 'topP', 'minP', 'xtc', 'mirostat']);
    // Switching off, or a sampler already listed (wherever the writer put it): the order is left alone.
    expect(withSamplerOn({ samplerOrder: [...old.samplerOrder] }, { dryMultiplier: 0 })).toEqual({ dryMultiplier: 0 });
    expect(withSamplerOn({ samplerOrder: ['dry', 'temperature'] }, { dryMultiplier: 1 })).toEqual({ dryMultiplier: 1 });
  });
});
