/**
 * `inkling eval` as a writer runs it: data sets from a Hub-like server on 127.0.0.1, progress on
 * stderr, a table on stdout (or JSON), and clear sentences for bad input.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../helpers/hub-server';
import { convertedModelDir } from '../helpers/converted';
import { WIKI_ROWS } from '../helpers/evalReference';
import type { EvalReport } from '../../electron/services/eval';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let work: string;
let hub: HubServer;
let model: string;

function inkling(...args: string[]) {
  // Asynchronous on purpose: the Hub server runs in this process and must keep answering.
  return run(process.execPath, [path.join(root, 'bin/inkling.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, HF_ENDPOINT: hub.url },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-eval-cli-'));
  const wiki = path.join(work, 'hub', 'wikitext');
  fs.mkdirSync(path.join(wiki, 'wikitext-2-raw-v1'), { recursive: true });
  fs.writeFileSync(
    path.join(wiki, 'wikitext-2-raw-v1', 'test-00000-of-00001.parquet'),
    new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'text', data: WIKI_ROWS, type: 'STRING' }] })),
  );
  const lambada = path.join(work, 'hub', 'lambada');
  fs.mkdirSync(path.join(lambada, 'data'), { recursive: true });
  const passages = [
    'He opened the door and saw that the garden was full of snow',
    'The letter was short and it said only goodbye',
    'My grandmother always kept a jar of honey',
  ];
  fs.writeFileSync(
    path.join(lambada, 'data', 'lambada_test.jsonl'),
    passages.map((text) => JSON.stringify({ text })).join('\n') + '\n',
  );
  hub = await startHubServer({
    repos: { 'datasets/Salesforce/wikitext': wiki, 'datasets/EleutherAI/lambada_openai': lambada },
  });
  model = await convertedModelDir({ positions: 64 });
});

afterAll(async () => {
  await hub?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('inkling eval', () => {
  it('prints a WikiText-2 table beside the paper column, with progress on stderr', async () => {
    const dataDir = path.join(work, 'data-wiki');
    const r = await inkling('eval', '--model', model, '--task', 'wikitext2', '--stride', '32', '--data-dir', dataDir);
    expect(r.stderr).toMatch(/WikiText-2 \(raw, test split\): 8 rows downloaded and verified/);
    expect(r.stderr).toMatch(/fp32: scoring 4\/4 windows \(100%\)/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/perplexity, sliding window: context 64, stride 32/);
    expect(r.stdout).toMatch(/^precision\s+tokens\s+perplexity\s+vs fp32\s+GPT-2 paper\s+time$/m);
    expect(r.stdout).toMatch(/^fp32\s+\d+\s+\d+\.\d\d\s+—/m);
    expect(r.stdout).toMatch(/de-tokenizer/);
    expect(r.stdout).toMatch(/The GPT-2 paper has no figure for a model of this shape/);
    expect(
      fs.existsSync(
        path.join(
          dataDir,
          'datasets',
          'Salesforce--wikitext',
          'wikitext-2-raw-v1',
          'test-00000-of-00001.parquet.origin.json',
        ),
      ),
    ).toBe(true);
  });

  it('prints LAMBADA as JSON with --json, limited to the first passages', async () => {
    const r = await inkling(
      'eval',
      '--model',
      model,
      '--task',
      'lambada',
      '--limit',
      '2',
      '--json',
      '--data-dir',
      path.join(work, 'data-lambada'),
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as EvalReport;
    expect(report).toMatchObject({ task: 'lambada', limit: 2, recorded: false, context: 64 });
    expect(report.results[0].lambada).toMatchObject({ passages: 2 });
    expect(report.results[0].lambada!.wordPerplexity).toBeGreaterThan(1);
  });

  it('refuses bad input with sentences a writer can act on', async () => {
    const dataDir = path.join(work, 'data-bad');
    const task = await inkling('eval', '--model', model, '--task', 'squad', '--data-dir', dataDir);
    expect(task.code).not.toBe(0);
    expect(task.stderr).toMatch(/--task must be wikitext2 or lambada, got squad/);
    const stride = await inkling(
      'eval',
      '--model',
      model,
      '--task',
      'wikitext2',
      '--stride',
      '100',
      '--data-dir',
      dataDir,
    );
    expect(stride.stderr).toMatch(/--stride 100 is larger than the model's context \(64 tokens\)/);
    const precision = await inkling(
      'eval',
      '--model',
      model,
      '--task',
      'lambada',
      '--precision',
      'int3',
      '--data-dir',
      dataDir,
    );
    expect(precision.stderr).toMatch(/--precision: "int3" is not one of fp32, fp16, int8, int4/);
  });
});
