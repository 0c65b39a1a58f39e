/** generate and score: commands that run a model. */
import type { Command } from 'commander';
import { loadModel } from '../../engine/runtime';
import { intArg, numArg } from '../main';

interface GenerateOpts {
  model: string;
  prompt: string;
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  alternatives: number;
  stop: string[];
  json: boolean;
  threads?: number;
}

export function registerRunCommands(program: Command): void {
  program
    .command('generate')
    .description('Continue a prompt')
    .requiredOption('--model <dir>', 'a converted model folder, a Hugging Face checkpoint folder or a Hugging Face ONNX export')
    .requiredOption('--prompt <text>', 'the text to continue')
    .option('--max-new-tokens <n>', 'tokens to generate', intArg('--max-new-tokens', 1, 1024), 32)
    .option('--temperature <t>', '0 = greedy; higher = more varied', numArg('--temperature', 0, 5))
    .option('--top-k <k>', 'sample only from the k most likely tokens (0 = off)', intArg('--top-k', 0, 50257))
    .option('--top-p <p>', 'sample from the smallest set of tokens whose probability reaches p', numArg('--top-p', 0, 1))
    .option('--seed <s>', 'random seed: the same seed and settings give the same text', intArg('--seed', 0))
    .option('--alternatives <n>', 'how many continuations to decode (as one batch)', intArg('--alternatives', 1, 8), 1)
    .option('--stop <text>', 'stop when this text is generated (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--threads <n>', 'CPU threads for inference (0 = automatic)', intArg('--threads', 0, 256))
    .option('--json', 'print one JSON object instead of the text', false)
    .action(async (o: GenerateOpts) => {
      const params: Record<string, unknown> = { maxNewTokens: o.maxNewTokens, alternatives: o.alternatives, stop: o.stop };
      if (o.temperature !== undefined) params.temperature = o.temperature;
      if (o.topK !== undefined) params.topK = o.topK;
      if (o.topP !== undefined) params.topP = o.topP;
      if (o.seed !== undefined) params.seed = o.seed;
      const { engine, info } = await loadModel(o.model, { threads: o.threads });
      try {
        const streaming = !o.json && o.alternatives === 1;
        if (streaming) process.stdout.write(o.prompt);
        const result = await engine.generate({ prompt: o.prompt, params }, (e) => {
          if (streaming && e.kind === 'token') process.stdout.write(e.text);
        });
        if (o.json) {
          const out = {
            prompt_tokens: result.stats.promptTokens,
            alternatives: result.alternatives.map((a) => ({ text: a.text, token_ids: a.tokenIds })),
            stats: {
              load_ms: info.loadMs,
              prefill_ms: result.stats.prefillMs,
              decode_tokens_per_s: result.stats.decodeTokensPerS,
              time_to_first_token_ms: result.stats.timeToFirstTokenMs,
            },
          };
          process.stdout.write(JSON.stringify(out) + '\n');
        } else if (streaming) {
          process.stdout.write('\n');
        } else {
          result.alternatives.forEach((a, i) => process.stdout.write(`--- alternative ${i + 1} ---\n${o.prompt}${a.text}\n`));
        }
      } finally {
        await engine.dispose();
      }
    });

  program
    .command('score')
    .description("Each token's log-probability, rank and the model's top alternatives")
    .requiredOption('--model <dir>', 'a converted model folder, a Hugging Face checkpoint folder or a Hugging Face ONNX export')
    .requiredOption('--text <text>', 'the text to score')
    .option('--top <n>', 'alternatives to list per token', intArg('--top', 0, 50), 5)
    .option('--json', 'print JSON (the default and only format)', true)
    .action(async (o: { model: string; text: string; top: number }) => {
      const { engine } = await loadModel(o.model);
      try {
        const r = await engine.score(o.text, o.top);
        const tokens = r.tokens.map((t) => ({ id: t.id, text: t.text, logprob: t.logprob, rank: t.rank, top: t.top.map((a) => ({ id: a.id, text: a.text, logprob: a.logprob })) }));
        process.stdout.write(JSON.stringify({ tokens }) + '\n');
      } finally {
        await engine.dispose();
      }
    });
}
