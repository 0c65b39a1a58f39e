/**
 * No network: a name that does not resolve (a `.invalid` host, which never does) or a server that
 * is not running is reported at once, in plain words, with the ways to get a model offline — not
 * retried for a quarter of a minute and then reported as a connection error. Never touches the
 * real network.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startHubServer } from '../../helpers/hub-server';
import { InklingError } from '../../../electron/common/errors';
import { downloadHubFile } from '../../../electron/services/models';
import { REPO, makeCheckpoint, tmpDir, removeTmpDirs } from './fixtures';

afterAll(removeTmpDirs);

async function failure(p: Promise<unknown>): Promise<InklingError> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof InklingError)) throw new Error(`expected a InklingError, got ${String(e)}`);
  return e;
}

// A retry would wait this long first: the test would time out if an offline error were retried.
const NO_RETRY = { retryBaseMs: 600_000, retryMaxMs: 600_000 };

describe('downloads without a network', () => {
  it('a host name that cannot be looked up: OFFLINE at once, saying what works offline', async () => {
    const e = await failure(downloadHubFile({ endpoint: 'http://hub.inkling.invalid', repo: REPO, file: 'config.json', dir: tmpDir('off'), ...NO_RETRY }));
    expect(e.code).toBe('offline');
    expect(e.message).toMatch(/^Cannot download config\.json: this computer could not look up the address of hub\.inkling\.invalid, so it seems to be offline/);
    expect(e.message).toContain('"Import from disk" on the Models page');
    expect(e.message).toContain('`npx inkling pull <model>` on a computer that is online');
  });

  it('a server that is not running (connection refused): OFFLINE at once', async () => {
    const hub = await startHubServer({ repos: { [REPO]: await makeCheckpoint(tmpDir('repo')) } });
    const url = hub.url;
    await hub.close();
    const e = await failure(downloadHubFile({ endpoint: url, repo: REPO, file: 'config.json', dir: tmpDir('off'), ...NO_RETRY }));
    expect(e.code).toBe('offline');
    expect(e.message).toMatch(/^Cannot download config\.json: nothing answered at 127\.0\.0\.1:\d+ \(the connection was refused\)\. Downloading a model needs an internet connection\./);
  });
});
