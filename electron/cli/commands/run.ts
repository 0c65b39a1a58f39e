/** generate and score: commands that run a model. */
import type { Command } from 'commander';
import { openModelFolder } from '../../services/library/resolve';
import { intArg } from '../main';
import { addSamplingFlags, samplingParamsFromFlags } from '../samplingFlags';

interface GenerateOpts {
  model: string;
  prompt: string;
  json: boolean;
  threads?: number;
  /** Sampling parameters, one per flag (see samplingFlags.ts). */
  [param: string]: unknown;
}

export function registerRunCommands(program: Command): void {
  const generate = program
    .command('generate')
    .description('Continue a prompt')
    .requiredOption(
      '--model <dir>',
      'a converted model folder, a Hugging Face checkpoint folder or ONNX export, or a model library folder',
    )
    .requiredOption('--prompt <text>', 'the text to continue');
  addSamplingFlags(generate)
    .option('--threads <n>', 'CPU threads for inference (0 = automatic)', intArg('--threads', 0, 256))
    .option('--json', 'print one JSON object instead of the text', false)
    .action(async (o: GenerateOpts) => {
      const params = samplingParamsFromFlags(o);
      const alternatives = (params.alternatives as number | undefined) ?? 1;
      const { engine, info } = await openModelFolder(o.model, { threads: o.threads });
      try {
        const streaming = !o.json && alternatives === 1;
        if (streaming) process.stdout.write(o.prompt);
        let streamed = '';
        const result = await engine.generate({ prompt: o.prompt, params }, (e) => {
          if (streaming && e.kind === 'token') {
            streamed += e.text;
            process.stdout.write(e.text);
          }
        });
        // Text held back while it might have begun a stop sequence arrives only with the result.
        if (streaming) process.stdout.write(result.alternatives[0].text.slice(streamed.length));
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
          result.alternatives.forEach((a, i) =>
            process.stdout.write(`--- alternative ${i + 1} ---\n${o.prompt}${a.text}\n`),
          );
        }
      } finally {
        await engine.dispose();
      }
    });

  program
    .command('score')
    .description("Each token's log-probability, rank and the model's top alternatives")
    .requiredOption(
      '--model <dir>',
      'a converted model folder, a Hugging Face checkpoint folder or ONNX export, or a model library folder',
    )
    .requiredOption('--text <text>', 'the text to score')
    .option('--top <n>', 'alternatives to list per token', intArg('--top', 0, 50), 5)
    .option('--json', 'print JSON (the default and only format)', true)
    .action(async (o: { model: string; text: string; top: number }) => {
      const { engine } = await openModelFolder(o.model);
      try {
        const r = await engine.score(o.text, o.top);
        const tokens = r.tokens.map((t) => ({
          id: t.id,
          text: t.text,
          logprob: t.logprob,
          rank: t.rank,
          top: t.top.map((a) => ({ id: a.id, text: a.text, logprob: a.logprob })),
        }));
        process.stdout.write(JSON.stringify({ tokens }) + '\n');
      } finally {
        await engine.dispose();
      }
    });
}
