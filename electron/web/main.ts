/**
 * `npm run web -- [--port N] [--model DIR] [--data-dir DIR]`: builds the renderer if needed, starts
 * the web host and prints exactly two lines on stdout (all other output goes to stderr):
 *   Inkling web host ready at http://127.0.0.1:N/
 *   http://127.0.0.1:N/#token=KEY        ← the address to open: it carries this launch's key
 * The key is random per launch unless INKLING_WEB_TOKEN pins one (so a restarted host accepts the
 * page that is still open). SIGINT / SIGTERM shut it down cleanly.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultDataDir } from '../services/settings/dataDir';
import { ArgsError, parseWebArgs, USAGE } from './args';
import { checkPinnedToken } from './auth';
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
  const pinned = process.env.INKLING_WEB_TOKEN;
  const token = pinned ? checkPinnedToken(pinned) : undefined;
  if (args.build) await ensureRendererBuilt(ROOT, log);
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  const host = await startWebHost({
    port: args.port,
    dataDir,
    rendererDir: path.join(ROOT, 'dist', 'renderer'),
    modelDir: args.modelDir ? path.resolve(args.modelDir) : null,
    testHooks: process.env.INKLING_TEST_HOOKS === '1',
    version,
    token,
    log,
  });
  log(`data folder: ${dataDir}`);
  log('open the address below in your browser; it carries this launch’s key, so keep it to yourself');
  process.stdout.write(`Inkling web host ready at ${host.url}\n${host.pageUrl}\n`);

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
