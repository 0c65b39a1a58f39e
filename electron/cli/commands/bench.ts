/** bench: the performance figures of docs/BENCHMARKS.md, measured on this machine. */
import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_CACHE_DIR,
  ensureBenchModels,
  figuresTable,
  machineLines,
  runBench,
  shapesTable,
  targetsTable,
  threadsTable,
  writeBenchmarksDoc,
} from '../../engine/bench';
import { BENCH_SHAPES, shapeNames, type BenchShapeName } from '../../engine/bench/models';
import { runWriterBench, writerTable, writeWriterSection } from '../../engine/bench/writer';
import { intArg } from '../main';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'BENCHMARKS.md');

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(
      'Measure decode/prefill speed, keystroke latency, alternatives, load time and memory against transformers.js; writes docs/BENCHMARKS.md',
    )
    .option('--json', 'print the figures as one JSON object (for scripts)', false)
    .option('--quick', 'fewer repetitions and tokens, no fp16 run (a rough check in about half the time)', false)
    .option('--cache <dir>', 'where the benchmark models are built and kept', DEFAULT_CACHE_DIR)
    .option('--no-write', 'do not update docs/BENCHMARKS.md')
    .option(
      '--wait-idle <seconds>',
      'before each configuration, wait up to this long for other processes to leave the CPU idle',
      intArg('--wait-idle', 0, 3600),
      0,
    )
    .option(
      '--shapes <list>',
      `also measure larger GPT-2 shapes with random weights, comma-separated: ${Object.keys(BENCH_SHAPES).join(', ')} (built once and cached; XL needs ~10 GB of disk)`,
      parseShapes,
      [] as BenchShapeName[],
    )
    .option(
      '--writer',
      "only the writer's case: Tab after typing in long documents (300 to 60,000 words of Moby-Dick), at the end and in the middle",
      false,
    )
    .option('--presses <n>', "writer's case: key presses per document and place", intArg('--presses', 1, 1000), 20)
    .option('--model <dir...>', "writer's case: also measure these model folders (e.g. a converted GPT-2 XL int4)")
    .action(
      async (o: {
        json: boolean;
        quick: boolean;
        cache: string;
        write: boolean;
        waitIdle: number;
        shapes: BenchShapeName[];
        writer: boolean;
        presses: number;
        model?: string[];
      }) => {
        if (o.writer) {
          const log = (l: string) => process.stderr.write(`bench: ${l}\n`);
          const models = await ensureBenchModels(path.resolve(o.cache), ['fp32', 'int8'], log);
          const subjects = [
            { label: '124M fp32', dir: models.inkling.fp32! },
            { label: '124M int8', dir: models.inkling.int8! },
            ...(o.model ?? []).map((d) => ({ label: path.basename(path.resolve(d)), dir: path.resolve(d) })),
          ];
          const results = await runWriterBench(subjects, o.presses, log);
          const table = writerTable(results, o.presses);
          const command = [
            'npm run bench -- --writer',
            ...(o.presses !== 20 ? [`--presses ${o.presses}`] : []),
            ...(o.model ?? []).map((d) => `--model ${d}`),
          ].join(' ');
          if (o.write) writeWriterSection(DOC, table, command);
          process.stdout.write(o.json ? JSON.stringify(results) + '\n' : `${table}\n`);
          return;
        }
        const flags = [
          ...(o.json ? ['--json'] : []),
          ...(o.quick ? ['--quick'] : []),
          ...(o.waitIdle ? [`--wait-idle ${o.waitIdle}`] : []),
          ...(o.shapes.length ? [`--shapes ${o.shapes.join(',')}`] : []),
        ];
        const command = ['npm run bench', ...(flags.length ? ['--', ...flags] : [])].join(' ');
        const result = await runBench({
          quick: o.quick,
          cacheDir: path.resolve(o.cache),
          command,
          waitIdleS: o.waitIdle,
          shapes: o.shapes,
          log: (l) => process.stderr.write(`bench: ${l}\n`),
        });
        if (o.write) writeBenchmarksDoc(DOC, result);
        if (o.json) {
          process.stdout.write(JSON.stringify(result) + '\n');
        } else {
          process.stdout.write(
            `${machineLines(result)}\n\n${figuresTable(result)}\n\n${targetsTable(result)}\n\n${threadsTable(result)}\n`,
          );
          if (o.shapes.length) process.stdout.write(`\n${shapesTable(result)}\n`);
          if (o.write) process.stdout.write(`\nwritten to ${DOC}\n`);
        }
      },
    );
}

function parseShapes(value: string): BenchShapeName[] {
  try {
    return shapeNames(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
