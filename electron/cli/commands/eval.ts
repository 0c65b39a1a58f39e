/** inkling eval: WikiText-2 perplexity or LAMBADA accuracy of a model per precision, beside the GPT-2 paper's. */
import type { Command } from 'commander';
import { defaultDataDir } from '../../services/settings/dataDir';
import { formatBytes, PRECISIONS, type Precision } from '../../services/models';
import { DEFAULT_STRIDE, EVAL_TASKS, runEval, type EvalEvent, type EvalTask } from '../../services/eval';
import { intArg } from '../main';
import { formatDuration, formatReport } from '../evalReport';

interface EvalOpts {
  model: string;
  task: string;
  precision?: string;
  stride: number;
  limit?: number;
  dataDir: string;
  endpoint?: string;
  threads?: number;
  json: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description(
      "Measure a model's quality on real text (WikiText-2 perplexity or LAMBADA), per precision, " +
        "beside the GPT-2 paper's figures",
    )
    .requiredOption(
      '--model <dir>',
      "a library model's folder or name (measures every installed precision and fp32), or any model folder",
    )
    .requiredOption('--task <task>', `${EVAL_TASKS.join(' or ')}`)
    .option(
      '--precision <list>',
      `precisions to measure, comma-separated (${PRECISIONS.join(', ')}); default: all installed, plus fp32`,
    )
    .option(
      '--stride <n>',
      "WikiText-2 sliding-window stride in tokens (512 or 1024 as in Hugging Face's guide)",
      intArg('--stride', 1, 1024),
      DEFAULT_STRIDE,
    )
    .option(
      '--limit <n>',
      'score only the first N tokens (WikiText-2) or passages (LAMBADA): a quick, partial run',
      intArg('--limit', 1),
    )
    .option('--data-dir <dir>', "the app's user data folder (data sets are cached in <dir>/datasets)", defaultDataDir())
    .option('--endpoint <url>', 'Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co)')
    .option('--threads <n>', 'CPU threads for inference (0 = automatic)', intArg('--threads', 0, 256))
    .option('--json', 'print the report as one JSON object', false)
    .action(async (o: EvalOpts) => {
      if (!(EVAL_TASKS as readonly string[]).includes(o.task))
        throw new Error(`--task must be ${EVAL_TASKS.join(' or ')}, got ${o.task}`);
      const precisions = o.precision
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const unknown = precisions?.find((p) => !(PRECISIONS as readonly string[]).includes(p));
      if (unknown) throw new Error(`--precision: "${unknown}" is not one of ${PRECISIONS.join(', ')}`);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      const progress = new EvalProgressLine();
      try {
        const report = await runEval({
          model: o.model,
          task: o.task as EvalTask,
          precisions: precisions as Precision[] | undefined,
          stride: o.stride,
          limit: o.limit,
          dataDir: o.dataDir,
          endpoint: o.endpoint,
          threads: o.threads,
          signal: controller.signal,
          onEvent: (e) => progress.update(e),
        });
        progress.done();
        process.stdout.write(o.json ? JSON.stringify(report) + '\n' : formatReport(report));
      } catch (err) {
        progress.done();
        if (controller.signal.aborted) throw new Error('cancelled; nothing was recorded');
        throw err;
      } finally {
        process.off('SIGINT', stop);
      }
    });
}

/** Progress on stderr: a redrawn line on a terminal, a line per tenth otherwise. */
class EvalProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastKey = '';
  private started = new Map<string, number>();

  update(e: EvalEvent): void {
    let line: string;
    let key: string;
    if (e.kind === 'download') {
      const p = e.progress;
      line = `downloading ${p.file} ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}`;
      key = `download:${p.stage}`;
    } else if (e.kind === 'dataset') {
      const how = e.dataset.cached ? 'from the cache' : 'downloaded and verified';
      line = `${e.dataset.spec.title}: ${e.dataset.rows.length} rows ${how} (${e.dataset.path})`;
      key = 'dataset';
    } else if (e.kind === 'loading') {
      line = `${e.precision}: ${e.stage} ${Math.round(e.fraction * 100)}%`;
      key = `loading:${e.precision}:${e.stage}`;
    } else if (e.kind === 'scoring') {
      const t0 = this.started.get(e.precision) ?? performance.now();
      this.started.set(e.precision, t0);
      const s = (performance.now() - t0) / 1000;
      const left = e.done > 0 ? (s / e.done) * (e.total - e.done) : null;
      const eta = left !== null ? `, about ${formatDuration(left)} left` : '';
      line = `${e.precision}: scoring ${e.done}/${e.total} ${e.unit} (${Math.round((e.done / e.total) * 100)}%)${eta}`;
      key = `scoring:${e.precision}:${Math.floor((e.done / e.total) * 10)}`;
    } else {
      const r = e.result;
      line = `${r.precision}: done in ${formatDuration(r.seconds)}`;
      key = `result:${r.precision}`;
    }
    if (this.tty) process.stderr.write(`\r${line.slice(0, 118).padEnd(118)}`);
    else if (key !== this.lastKey) process.stderr.write(`${line}\n`);
    if (e.kind === 'result' && this.tty) process.stderr.write('\n');
    this.lastKey = key;
  }

  done(): void {
    if (this.tty) process.stderr.write('\r'.padEnd(119) + '\r');
  }
}
