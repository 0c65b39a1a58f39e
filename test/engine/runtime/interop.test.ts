/**
 * Interop: Inkling's Hugging Face layout export, loaded by @huggingface/transformers from local files,
 * continues a prompt greedily with exactly the tokens Inkling's own engine chooses.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { loadModel } from '../../../electron/engine/runtime';
import { convertedModelDir, hfExportDir } from '../../helpers/converted';

describe('transformers.js interop', () => {
  it("greedy continuation from the export equals Inkling's token for token", async () => {
    const hfDir = await hfExportDir();
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = path.dirname(hfDir);
    const name = path.basename(hfDir);
    const tokenizer = await AutoTokenizer.from_pretrained(name);
    const model = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
    const { engine } = await loadModel(await convertedModelDir());
    try {
      for (const prompt of ['The old lighthouse keeper', 'Über den Wolken — 雲の上 🙂']) {
        const ids = tokenizer.encode(prompt);
        const out = (await model.generate({
          input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
          attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
          max_new_tokens: 10,
          min_new_tokens: 10,
          do_sample: false,
        })) as Tensor;
        const theirs = Array.from(out.data as BigInt64Array, Number).slice(ids.length);
        const ours = await engine.generate({
          prompt,
          params: { temperature: 0, repetitionPenalty: 1, maxNewTokens: 10 },
        });
        expect(engine.tokenize(prompt)).toEqual(ids);
        expect(ours.alternatives[0].tokenIds).toEqual(theirs);
      }
    } finally {
      await model.dispose();
      await engine.dispose();
    }
  });
});
