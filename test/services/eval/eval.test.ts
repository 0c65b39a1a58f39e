/**
 * `inkling eval` end to end below the CLI: the data sets come from a Hub-like server on 127.0.0.1
 * (fixture parquet and jsonl files), are cached and re-verified in the data folder, and a library
 * model pulled from the same server is measured per precision through the engine, with the results
 * kept in its manifest. The fp32 figure is checked against the float64 reference (tolerance 1e-4 on
 * the mean log-probability: the fp32 graph is within 1e-4 of the reference on logits).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';
import { loadCheckpoint } from '../../../electron/engine/weights';
import { DATASETS, compareWithFp32, fetchDataset, runEval, type EvalEvent } from '../../../electron/services/eval';
import { pullModel, readManifest } from '../../../electron/services/models';
import { acquireLock } from '../../../electron/services/models/lock';
import { libraryModelView } from '../../../electron/services/library/views';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import { tinyModelDir } from '../../helpers/models';
import { WIKI_ROWS, guidePerplexity, referenceLambada } from '../../helpers/evalReference';

const SHAPE = { positions: 64 } as const;
const PASSAGES = [
  'She looked at the old map for a long time and then folded it',
  'He opened the door and saw that the garden was full of snow',
  'Nobody expected the quiet boy to draw a Quetzalcoatlus',
];
const tok = Gpt2Tokenizer.gpt2();
let work: string;
let hub: HubServer;
let checkpoint: string;

function writeFixtures(root: string): { wiki: string; lambada: string } {
  const wiki = path.join(root, 'wikitext');
  fs.mkdirSync(path.join(wiki, 'wikitext-2-raw-v1'), { recursive: true });
  const buf = parquetWriteBuffer({ columnData: [{ name: 'text', data: WIKI_ROWS, type: 'STRING' }] });
  fs.writeFileSync(path.join(wiki, 'wikitext-2-raw-v1', 'test-00000-of-00001.parquet'), new Uint8Array(buf));
  const lambada = path.join(root, 'lambada');
  fs.mkdirSync(path.join(lambada, 'data'), { recursive: true });
  fs.writeFileSync(
    path.join(lambada, 'data', 'lambada_test.jsonl'),
    PASSAGES.map((text) => JSON.stringify({ text })).join('\n') + '\n',
  );
  return { wiki, lambada };
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-eval-'));
  const f = writeFixtures(path.join(work, 'hub'));
  checkpoint = await tinyModelDir(SHAPE);
  hub = await startHubServer({
    repos: {
      'datasets/Salesforce/wikitext': f.wiki,
      'datasets/EleutherAI/lambada_openai': f.lambada,
      'test-org/tiny': checkpoint,
    },
    // Like the Hub: data files are LFS objects, answered with a redirect carrying their sha256.
    isLfs: (file) => /\.(parquet|jsonl|safetensors)$/.test(file),
  });
});

afterAll(async () => {
  await hub?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const freshDataDir = (): string => fs.mkdtempSync(path.join(work, 'data-'));

describe('fetchDataset', () => {
  it('downloads WikiText-2 (parquet) and LAMBADA (jsonl) from the Hub, verified, into <dataDir>/datasets', async () => {
    const dataDir = freshDataDir();
    const wiki = await fetchDataset('wikitext2', { dataDir, endpoint: hub.url });
    expect(wiki.rows).toEqual(WIKI_ROWS);
    expect(wiki.cached).toBe(false);
    expect(wiki.path).toBe(
      path.join(dataDir, 'datasets', 'Salesforce--wikitext', 'wikitext-2-raw-v1', 'test-00000-of-00001.parquet'),
    );
    expect(wiki.origin).toMatchObject({ repo: 'Salesforce/wikitext', commit: hub.commit, verifiedBy: 'sha256' });
    expect(hub.gets('wikitext-2-raw-v1/test-00000-of-00001.parquet')).toHaveLength(1);

    const lambada = await fetchDataset('lambada', { dataDir, endpoint: hub.url });
    expect(lambada.rows).toEqual(PASSAGES);
    // The fixture is not OpenAI's file: the report says so instead of comparing with the paper silently.
    expect(lambada.notes.join()).toMatch(/not the one the published figures were computed on/);
    expect(DATASETS.lambada.knownSha256).toMatch(/^4aa8d02c/);
  });

  it('uses the cached copy offline while it verifies, and downloads again when it does not', async () => {
    const dataDir = freshDataDir();
    await fetchDataset('lambada', { dataDir, endpoint: hub.url });
    const before = hub.gets('data/lambada_test.jsonl').length;
    const again = await fetchDataset('lambada', { dataDir, endpoint: 'http://127.0.0.1:9' }); // nothing listens there
    expect(again.cached).toBe(true);
    expect(again.rows).toEqual(PASSAGES);
    expect(hub.gets('data/lambada_test.jsonl')).toHaveLength(before);

    fs.appendFileSync(again.path, '{"text": "tampered with"}\n');
    const repaired = await fetchDataset('lambada', { dataDir, endpoint: hub.url });
    expect(repaired.cached).toBe(false);
    expect(repaired.rows).toEqual(PASSAGES);
    expect(hub.gets('data/lambada_test.jsonl')).toHaveLength(before + 1);
  });

  it('says which data set could not be downloaded from where', async () => {
    const spec = { ...DATASETS.lambada, repo: 'EleutherAI/missing' };
    await expect(fetchDataset('lambada', { dataDir: freshDataDir(), endpoint: hub.url, spec })).rejects.toThrow(
      new RegExp(
        `Could not download LAMBADA \\(OpenAI test split\\) from ${hub.url.replace(/\./g, '\\.')}` +
          '/datasets/EleutherAI/missing: .*404',
      ),
    );
  });

  it('names the line of a jsonl file that is not what LAMBADA should be', async () => {
    const dir = path.join(work, 'bad-lambada', 'data');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'lambada_test.jsonl'), '{"text": "fine passage here"}\n{"passage": "wrong key"}\n');
    const bad = await startHubServer({ repos: { 'datasets/EleutherAI/lambada_openai': path.dirname(dir) } });
    try {
      await expect(fetchDataset('lambada', { dataDir: freshDataDir(), endpoint: bad.url })).rejects.toThrow(
        /line 2 of LAMBADA \(OpenAI test split\) has no "text" string/,
      );
    } finally {
      await bad.close();
    }
  });
});

describe('runEval on a library model', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = freshDataDir();
    await pullModel({ repo: 'test-org/tiny', id: 'tiny', endpoint: hub.url, dataDir, precision: 'fp32' });
    await pullModel({ repo: 'test-org/tiny', id: 'tiny', endpoint: hub.url, dataDir, precision: 'int8' });
  });

  it("measures every installed precision on WikiText-2; fp32 equals the guide's loop on the reference", async () => {
    const events: EvalEvent['kind'][] = [];
    const report = await runEval({
      model: path.join(dataDir, 'models', 'tiny'),
      task: 'wikitext2',
      dataDir,
      endpoint: hub.url,
      stride: 32,
      onEvent: (e) => events.push(e.kind),
    });
    expect(report.results.map((r) => r.precision)).toEqual(['fp32', 'int8']);
    expect(report.context).toBe(64);
    expect(report.paper).toBeNull(); // not one of the paper's four shapes

    const fp32 = report.results[0].perplexity!;
    const weights = await loadCheckpoint(checkpoint);
    try {
      const ref = guidePerplexity(weights, tok.encode(WIKI_ROWS.join('\n\n')), 64, 32);
      expect(fp32.scoredTokens).toBe(ref.count);
      expect(Math.abs(fp32.nll / fp32.scoredTokens - ref.nll / ref.count)).toBeLessThan(1e-4);
    } finally {
      weights.close();
    }
    expect(events).toContain('download');
    expect(events).toContain('scoring');
    expect(events.filter((k) => k === 'result')).toHaveLength(2);

    // Kept with the model: the Models page compares int8 with fp32 on this text.
    expect(report.recorded).toBe(true);
    const m = (await readManifest(dataDir, 'tiny'))!;
    expect(m.evals!.map((e) => [e.task, e.precision, e.stride, e.limit])).toEqual([
      ['wikitext2', 'fp32', 32, null],
      ['wikitext2', 'int8', 32, null],
    ]);
    const vs = compareWithFp32(m).int8!;
    expect(vs.fp32Perplexity).toBeCloseTo(fp32.perplexity, 9);
    expect(vs.perplexity).toBeCloseTo(report.results[1].perplexity!.perplexity, 9);
    const view = libraryModelView(
      { id: 'tiny', dir: path.join(dataDir, 'models', 'tiny'), manifest: m, bytes: 0, isDefault: false },
      null,
    );
    expect(view.precisions.find((p) => p.precision === 'int8')!.vsFp32).toMatchObject({
      metric: 'WikiText-2 perplexity',
      partial: false,
    });
    expect(view.precisions.find((p) => p.precision === 'fp32')!.vsFp32).toBeUndefined();
  });

  it('measures LAMBADA for one precision, equal to the reference, replacing the older record', async () => {
    const run = () => runEval({ model: 'tiny', task: 'lambada', dataDir, endpoint: hub.url, precisions: ['fp32'] });
    await run();
    const report = await run();
    const r = report.results[0].lambada!;
    const weights = await loadCheckpoint(checkpoint);
    try {
      const ref = referenceLambada(weights, (s) => tok.encode(s), PASSAGES);
      expect(r.correct).toBe(ref.correct);
      expect(Math.abs(Math.log(r.wordPerplexity) - ref.nll / PASSAGES.length)).toBeLessThan(1e-4);
    } finally {
      weights.close();
    }
    const m = (await readManifest(dataDir, 'tiny'))!;
    expect(m.evals!.filter((e) => e.task === 'lambada')).toHaveLength(1);
    expect(m.evals!.find((e) => e.task === 'lambada')).toMatchObject({
      precision: 'fp32',
      count: 3,
      accuracy: r.accuracy,
    });
  });

  it('still reports the figures when another Inkling holds the model, saying they were not kept', async () => {
    const before = (await readManifest(dataDir, 'tiny'))!.evals;
    const release = await acquireLock(dataDir, 'tiny', 'downloading');
    try {
      const report = await runEval({
        model: 'tiny',
        task: 'lambada',
        dataDir,
        endpoint: hub.url,
        precisions: ['int8'],
        limit: 1,
      });
      expect(report.results[0].lambada!.passages).toBe(1);
      expect(report.recorded).toBe(false);
      expect(report.notes.join()).toMatch(
        /the results could not be stored with "tiny" \(Model "tiny" is busy: process \d+ .* is downloading it/,
      );
    } finally {
      await release();
    }
    expect((await readManifest(dataDir, 'tiny'))!.evals).toEqual(before);
  });

  it('stops when cancelled and records nothing', async () => {
    const before = (await readManifest(dataDir, 'tiny'))!.evals;
    const controller = new AbortController();
    const run = runEval({
      model: 'tiny',
      task: 'wikitext2',
      stride: 8,
      dataDir,
      endpoint: hub.url,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'scoring' && e.done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
    expect((await readManifest(dataDir, 'tiny'))!.evals).toEqual(before);
  });

  it('refuses a precision that is not installed, saying how to add it', async () => {
    await expect(
      runEval({ model: 'tiny', task: 'lambada', dataDir, endpoint: hub.url, precisions: ['int4'] }),
    ).rejects.toThrow(
      new RegExp(
        'int4 is not installed for "tiny" \\(installed: fp32, int8\\); ' +
          'add it on the Models page or with `inkling pull test-org/tiny --precision int4`',
      ),
    );
  });

  it('measures fp32 from the downloaded checkpoint when only a quantized precision is installed', async () => {
    const only = freshDataDir();
    await pullModel({ repo: 'test-org/tiny', id: 'tiny', endpoint: hub.url, dataDir: only, precision: 'int8' });
    const report = await runEval({
      model: path.join(only, 'models', 'tiny'),
      task: 'lambada',
      dataDir: only,
      endpoint: hub.url,
      limit: 2,
      cacheDir: path.join(only, 'cache'),
    });
    expect(report.results.map((r) => [r.precision, r.weights])).toEqual([
      ['fp32', 'source'],
      ['int8', 'installed'],
    ]);
    expect(report.results[0].lambada!.passages).toBe(2);
    const m = (await readManifest(only, 'tiny'))!;
    expect(compareWithFp32(m).int8).toMatchObject({ metric: 'LAMBADA perplexity', partial: true });
  });
});
