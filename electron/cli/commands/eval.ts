/** inkling eval: WikiText-2 perplexity or LAMBADA accuracy of a model per precision, beside the GPT-2 paper's. */
import type { Command } from 'commander';
import { defaultDataDir } from '../../services/settings/dataDir';
import { formatBytes, PRECISIONS, type Precision } from '../../services/models';
import {
  DEFAULT_STRIDE,
  EVAL_TASKS,
  runEval,
  type EvalEvent,
  type EvalReport,
  type EvalTask,
} from '../../services/eval';
import { intArg } from '../main';

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

function formatDuration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;

/** The report as a table a person reads: one row per precision, fp32's difference, the paper's figure. */
export function formatReport(r: EvalReport): string {
  const lines: string[] = [];
  const unit = r.task === 'wikitext2' ? 'tokens' : 'passages';
  const paper = r.paper;
  const size = paper ? `GPT-2 paper (${paper.size})` : 'GPT-2 paper';
  lines.push(`${r.model.name} — ${r.dataset.title}${r.limit !== null ? `, first ${r.limit} ${unit} only` : ''}`);
  lines.push(
    r.task === 'wikitext2'
      ? `perplexity, sliding window: context ${r.context}, stride ${r.stride} (lower is better)`
      : 'last-word accuracy (greedy, every token of the word) and perplexity of the last word (lower is better)',
  );
  const fp32 = r.results.find((x) => x.precision === 'fp32');
  const rows: string[][] = [];
  if (r.task === 'wikitext2') {
    rows.push(['precision', 'tokens', 'perplexity', 'vs fp32', size, 'time']);
    for (const x of r.results) {
      const p = x.perplexity!;
      const vs =
        fp32 && x !== fp32 ? pct((p.perplexity - fp32.perplexity!.perplexity) / fp32.perplexity!.perplexity) : '';
      rows.push([
        x.precision,
        String(p.scoredTokens),
        p.perplexity.toFixed(2),
        vs,
        paper ? paper.wikitext2Perplexity.toFixed(2) : '—',
        formatDuration(x.seconds),
      ]);
    }
  } else {
    rows.push(['precision', 'passages', 'accuracy', 'perplexity', 'vs fp32', `${size} acc / ppl`, 'time']);
    for (const x of r.results) {
      const l = x.lambada!;
      const f = fp32?.lambada;
      const vs =
        f && x !== fp32
          ? `${pct((l.wordPerplexity - f.wordPerplexity) / f.wordPerplexity)} ppl, ` +
            `${((l.accuracy - f.accuracy) * 100).toFixed(1)} pts`
          : '';
      rows.push([
        x.precision,
        String(l.passages),
        `${(l.accuracy * 100).toFixed(2)}%`,
        l.wordPerplexity.toFixed(2),
        vs,
        paper ? `${paper.lambadaAccuracy.toFixed(2)}% / ${paper.lambadaPerplexity.toFixed(2)}` : '—',
        formatDuration(x.seconds),
      ]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    );
  lines.push('');
  lines.push(
    r.task === 'wikitext2'
      ? "The paper's figure was computed after an invertible de-tokenizer undid WikiText's tokenization; " +
          'Inkling scores the raw text, so its figure is expected to differ (see docs/EVAL.md).'
      : "The paper's accuracy adds a stop-word filter and a de-tokenizer (its unfiltered figure for 1542M is " +
          "52.66%); Inkling's is plain greedy on the raw text (see docs/EVAL.md).",
  );
  if (!paper) lines.push('The GPT-2 paper has no figure for a model of this shape.');
  lines.push(
    `Data: ${r.dataset.repo}/${r.dataset.file} @ ${r.dataset.commit?.slice(0, 12) ?? 'unknown commit'}, ` +
      `sha256 ${r.dataset.sha256.slice(0, 16)}…`,
  );
  for (const n of r.notes) lines.push(`Note: ${n}`);
  if (r.recorded)
    lines.push(`Recorded with "${r.model.libraryId}": the Models page shows each precision's difference from fp32.`);
  return lines.join('\n') + '\n';
}
