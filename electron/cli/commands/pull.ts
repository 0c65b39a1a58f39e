/** inkling pull: download a GPT-2 checkpoint from the Hugging Face Hub, verify, convert, install. */
import type { Command } from 'commander';
import { defaultDataDir } from '../../services/settings/dataDir';
import { lockDataDir } from '../../services/settings/dataDirLock';
import { formatBytes, pullModel, PRECISIONS, type Precision, type PullProgress } from '../../services/models';

export function registerPullCommand(program: Command): void {
  program
    .command('pull')
    .description('Download a GPT-2 model from the Hugging Face Hub, verify it, convert it and add it to the library')
    .argument('<repo>', 'Hub repository, e.g. openai-community/gpt2 or distilbert/distilgpt2')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .option('--precision <p>', `one of ${PRECISIONS.join(', ')}`, 'fp32')
    .option('--endpoint <url>', 'Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co)')
    .option('--data-dir <dir>', "the app's user data folder (models go to <dir>/models)", defaultDataDir())
    .action(async (repo: string, o: { revision: string; precision: string; endpoint?: string; dataDir: string }) => {
      if (!(PRECISIONS as readonly string[]).includes(o.precision)) {
        throw new Error(`--precision must be one of ${PRECISIONS.join(', ')}, got ${o.precision}`);
      }
      // The library (library.json, models/) belongs to whichever Inkling holds the data folder; while the
      // app or the web host runs, its Models page downloads instead (DataDirBusyError says so).
      const dataLock = await lockDataDir(o.dataDir, { kind: 'inkling pull' });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      const bar = new PullBar();
      try {
        const result = await pullModel({
          repo,
          revision: o.revision,
          precision: o.precision as Precision,
          endpoint: o.endpoint,
          dataDir: o.dataDir,
          signal: controller.signal,
          onProgress: (p) => bar.update(p),
        });
        bar.done();
        process.stdout.write(`${result.dir}\n`);
      } catch (err) {
        bar.done();
        if (controller.signal.aborted) throw new Error('cancelled; run the same command again to resume the download');
        throw err;
      } finally {
        process.off('SIGINT', stop);
        await dataLock.release();
      }
    });
}

/** Progress on stderr: a redrawn bar on a terminal, a line per file and phase otherwise. */
class PullBar {
  private readonly tty = Boolean(process.stderr.isTTY);
  private last = '';

  update(p: PullProgress): void {
    const pct = `${Math.round(p.fraction * 100)}%`.padStart(4);
    let line: string;
    if (p.phase === 'downloading') {
      const speed = p.bytesPerSecond > 0 ? `${formatBytes(p.bytesPerSecond)}/s` : '';
      const eta = p.etaSeconds !== null && p.etaSeconds > 0 ? `${Math.ceil(p.etaSeconds)} s left` : '';
      line = `downloading ${bar(p.fraction)} ${pct} ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)} ${speed} ${eta}`;
    } else if (p.phase === 'converting') {
      line = `converting  ${bar(p.fraction)} ${pct} ${p.stage ?? ''}`;
    } else {
      line = p.phase;
    }
    if (this.tty) process.stderr.write(`\r${line.padEnd(100)}`);
    else {
      const key = p.phase === 'downloading' ? `${p.phase}:${p.file}` : `${p.phase}:${p.stage ?? ''}`;
      if (key !== this.last) process.stderr.write(`${line.trim()}${p.file ? ` (${p.file})` : ''}\n`);
      this.last = key;
    }
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

function bar(fraction: number): string {
  const width = 24;
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
