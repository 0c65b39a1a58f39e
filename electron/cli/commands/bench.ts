/** bench: the performance figures of docs/BENCHMARKS.md, measured on this machine. */
import type { Command } from 'commander';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CACHE_DIR, figuresTable, machineLines, runBench, targetsTable, writeBenchmarksDoc } from '../../engine/bench';
import { intArg } from '../main';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'BENCHMARKS.md');

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('Measure decode/prefill speed, keystroke latency, alternatives, load time and memory against transformers.js; writes docs/BENCHMARKS.md')
    .option('--json', 'print the figures as one JSON object (for scripts)', false)
    .option('--quick', 'fewer repetitions and tokens, no fp16 run (a rough check in about half the time)', false)
    .option('--cache <dir>', 'where the benchmark models are built and kept', DEFAULT_CACHE_DIR)
    .option('--no-write', 'do not update docs/BENCHMARKS.md')
    .option('--wait-idle <seconds>', 'before each configuration, wait up to this long for other processes to leave the CPU idle', intArg('--wait-idle', 0, 3600), 0)
    .action(async (o: { json: boolean; quick: boolean; cache: string; write: boolean; waitIdle: number }) => {
      const flags = [...(o.json ? ['--json'] : []), ...(o.quick ? ['--quick'] : []), ...(o.waitIdle ? [`--wait-idle ${o.waitIdle}`] : [])];
      const command = ['npm run bench', ...(flags.length ? ['--', ...flags] : [])].join(' ');
      const result = await runBench({ quick: o.quick, cacheDir: path.resolve(o.cache), command, waitIdleS: o.waitIdle, log: (l) => process.stderr.write(`bench: ${l}\n`) });
      if (o.write) writeBenchmarksDoc(DOC, result);
      if (o.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
      } else {
        process.stdout.write(`${machineLines(result)}\n\n${figuresTable(result)}\n\n${targetsTable(result)}\n`);
        if (o.write) process.stdout.write(`\nwritten to ${DOC}\n`);
      }
    });
}
