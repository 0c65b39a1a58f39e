/**
 * The `inkling` command as a user runs it (`node bin/inkling.mjs …`, what `npx inkling` starts):
 * make-test-model → convert / export-hf → generate / score, the JSON formats, and errors.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-cli-'));
const ckpt = path.join(work, 'ckpt');
const conv = path.join(work, 'converted');
const hf = path.join(work, 'hf');

function inkling(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/inkling.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, INKLING_CACHE_DIR: path.join(work, 'cache') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  const made = inkling(
    'make-test-model',
    '--out',
    ckpt,
    '--layers',
    '2',
    '--embd',
    '32',
    '--heads',
    '2',
    '--seed',
    '5',
  );
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  expect(made.stdout.trim()).toBe(ckpt);
});

describe('inkling CLI', () => {
  it('make-test-model writes a Hugging Face checkpoint folder', () => {
    for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'])
      expect(fs.existsSync(path.join(ckpt, f))).toBe(true);
    const cfg = JSON.parse(fs.readFileSync(path.join(ckpt, 'config.json'), 'utf8'));
    expect(cfg).toMatchObject({ model_type: 'gpt2', n_layer: 2, n_embd: 32, n_head: 2 });
  });

  it('convert → generate --json prints the documented shape, the same for every model folder kind', () => {
    expect(inkling('convert', ckpt, '--out', conv).code).toBe(0);
    expect(inkling('export-hf', ckpt, '--out', hf).code).toBe(0);
    expect(fs.existsSync(path.join(hf, 'onnx', 'model.onnx'))).toBe(true);
    const outputs = [conv, hf, ckpt].map((model) => {
      const r = inkling(
        'generate',
        '--model',
        model,
        '--prompt',
        'Hello, world',
        '--max-new-tokens',
        '6',
        '--temperature',
        '0',
        '--json',
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout);
    });
    for (const o of outputs) {
      expect(Object.keys(o).sort()).toEqual(['alternatives', 'prompt_tokens', 'stats']);
      expect(o.prompt_tokens).toBe(3); // "Hello" "," " world"
      expect(o.alternatives).toHaveLength(1);
      expect(o.alternatives[0].token_ids).toHaveLength(6);
      expect(Object.keys(o.stats).sort()).toEqual([
        'decode_tokens_per_s',
        'load_ms',
        'prefill_ms',
        'time_to_first_token_ms',
      ]);
    }
    // The three folders hold the same weights: a greedy continuation must not depend on the layout.
    // (--temperature 0 is plain greedy decoding: no repetition penalty.)
    expect(outputs[1].alternatives[0].token_ids).toEqual(outputs[0].alternatives[0].token_ids);
    expect(outputs[2].alternatives[0].token_ids).toEqual(outputs[0].alternatives[0].token_ids);
  });

  it('generate --alternatives and --stop', () => {
    const r = inkling(
      'generate',
      '--model',
      conv,
      '--prompt',
      'Once',
      '--max-new-tokens',
      '5',
      '--alternatives',
      '3',
      '--seed',
      '1',
      '--stop',
      'zzzz',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).alternatives).toHaveLength(3);
  });

  it('score --json gives every token, null for the first', () => {
    const r = inkling('score', '--model', conv, '--text', 'The cat sat on the mat', '--top', '2', '--json');
    expect(r.code).toBe(0);
    const { tokens } = JSON.parse(r.stdout);
    expect(tokens).toHaveLength(6);
    expect(tokens[0]).toMatchObject({ id: 464, text: 'The', logprob: null, rank: null });
    for (const t of tokens.slice(1)) {
      expect(t.logprob).toBeLessThan(0);
      expect(t.rank).toBeGreaterThanOrEqual(1);
      expect(t.top).toHaveLength(2);
      expect(Object.keys(t.top[0]).sort()).toEqual(['id', 'logprob', 'text']);
    }
  });

  it('errors are one actionable sentence on stderr with a non-zero exit code, no stack trace', () => {
    const missing = inkling('generate', '--model', path.join(work, 'nope'), '--prompt', 'x');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^inkling: .*nope: no such model folder/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badNum = inkling('generate', '--model', conv, '--prompt', 'x', '--temperature', 'hot');
    expect(badNum.code).not.toBe(0);
    expect(badNum.stderr).toMatch(/--temperature must be a number from 0 to 5/);
    const notEmpty = inkling('convert', ckpt, '--out', ckpt);
    expect(notEmpty.code).not.toBe(0);
    expect(notEmpty.stderr).toMatch(/is not empty/);
    expect(fs.existsSync(path.join(ckpt, 'model.safetensors'))).toBe(true);
  });

  it('every command has --help', () => {
    for (const cmd of ['make-test-model', 'convert', 'export-hf', 'generate', 'score']) {
      const r = inkling(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: inkling ${cmd}`);
    }
  });
});
