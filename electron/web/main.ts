/**
 * `npm run web -- [--port N] [--model DIR] [--data-dir DIR]`: builds the renderer if needed, starts
 * the web host and prints exactly `Inkling web host ready at http://127.0.0.1:N/` on stdout (all
 * other output goes to stderr). SIGINT / SIGTERM shut it down cleanly.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../services/settings/dataDir';
import { ArgsError, parseWebArgs, USAGE } from './args';
import { ensureRendererBuilt } from './rendererBuild';
import { startWebHost } from './server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const log = (m: string) => process.stderr.write(`inkling web: ${m}\n`);

async function main(): Promise<void> {
  let args;
  try {
    args = parseWebArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof ArgsError)) throw e;
    process.stderr.write(`${e.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = path.resolve(args.dataDir ?? defaultDataDir());
  if (args.build) await ensureRendererBuilt(ROOT, log);
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  const host = await startWebHost({
    port: args.port,
    dataDir,
    rendererDir: path.join(ROOT, 'dist', 'renderer'),
    modelDir: args.modelDir ? path.resolve(args.modelDir) : null,
    testHooks: process.env.INKLING_TEST_HOOKS === '1',
    version,
    log,
  });
  log(`data folder: ${dataDir}`);
  process.stdout.write(`Inkling web host ready at ${host.url}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.exit(1); // a second Ctrl+C: stop waiting
    }
    stopping = true;
    log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    host.close().then(
      () => process.exit(0),
      (e: Error) => {
        log(`error while shutting down: ${e.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: Error) => {
  log(e.message);
  process.exit(1);
});
