/**
 * `inkling generate` has a flag for every sampling parameter the engine has, and each flag reaches
 * the engine's parameter of the same name (parsed in-process with the real commander setup); the
 * streamed output is the whole text.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addSamplingFlags, flagName, samplingParamsFromFlags } from '../../electron/cli/samplingFlags';
import { PARAM_SPECS, validateParams } from '../../electron/engine/generate';
import { convertedModelDir } from '../helpers/converted';

function parse(args: string[]): Record<string, unknown> {
  const cmd = addSamplingFlags(new Command('generate').exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: 'user' });
  return samplingParamsFromFlags(cmd.opts());
}

describe('inkling generate sampling flags', () => {
  it('offers one flag per engine sampling parameter', () => {
    const cmd = addSamplingFlags(new Command('generate'));
    const flags = cmd.options.map((o) => o.long);
    for (const spec of PARAM_SPECS) expect(flags).toContain(`--${flagName(spec.name)}`);
    expect(flags).toEqual(
      expect.arrayContaining([
        '--repetition-penalty',
        '--min-p',
        '--typical-p',
        '--presence-penalty',
        '--frequency-penalty',
      ]),
    );
  });

  it('each flag sets its parameter', () => {
    const params = parse([
      '--temperature',
      '0.7',
      '--top-k',
      '12',
      '--top-p',
      '0.9',
      '--typical-p',
      '0.8',
      '--min-p',
      '0.05',
      '--repetition-penalty',
      '1.3',
      '--repetition-range',
      '100',
      '--presence-penalty',
      '0.5',
      '--frequency-penalty',
      '-0.5',
      '--ban-repeat-ngram',
      '3',
      '--logit-bias',
      '50256=-inf',
      '--logit-bias',
      '13=2.5',
      '--banned-words',
      'dark',
      '--banned-words',
      'stormy',
      '--sampler-order',
      'temperature,topK',
      '--seed',
      '42',
      '--max-new-tokens',
      '20',
      '--stop',
      '\n',
      '--alternatives',
      '3',
      '--dry-multiplier',
      '0.8',
      '--dry-base',
      '2',
      '--dry-allowed-length',
      '3',
      '--dry-range',
      '512',
      '--dry-sequence-breakers',
      '\n',
      '--dry-sequence-breakers',
      '"',
      '--xtc-threshold',
      '0.2',
      '--xtc-probability',
      '0.5',
      '--mirostat-tau',
      '5',
      '--mirostat-eta',
      '0.2',
    ]);
    expect(validateParams(params)).toEqual({
      dryMultiplier: 0.8,
      dryBase: 2,
      dryAllowedLength: 3,
      dryRange: 512,
      drySequenceBreakers: ['\n', '"'],
      xtcThreshold: 0.2,
      xtcProbability: 0.5,
      mirostatTau: 5,
      mirostatEta: 0.2,
      temperature: 0.7,
      topK: 12,
      topP: 0.9,
      typicalP: 0.8,
      minP: 0.05,
      repetitionPenalty: 1.3,
      repetitionRange: 100,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      noRepeatNgramSize: 3,
      logitBias: { 50256: -Infinity, 13: 2.5 },
      bannedWords: ['dark', 'stormy'],
      samplerOrder: ['temperature', 'topK'],
      seed: 42,
      maxNewTokens: 20,
      stop: ['\n'],
      alternatives: 3,
    });
  });

  it('--temperature 0 is greedy: no repetition penalty unless one is given', () => {
    expect(validateParams(parse(['--temperature', '0'])).repetitionPenalty).toBe(1);
    expect(validateParams(parse(['--temperature', '0', '--repetition-penalty', '1.2'])).repetitionPenalty).toBe(1.2);
    // Sampling keeps the app's default penalty.
    expect(validateParams(parse(['--temperature', '0.5'])).repetitionPenalty).toBe(1.1);
  });

  it('a bad value names the flag and the allowed range', () => {
    expect(() => parse(['--min-p', '2'])).toThrow('--min-p must be a number from 0 to 1, found 2');
    expect(() => parse(['--xtc-threshold', '0.9'])).toThrow(
      '--xtc-threshold must be a number from 0 to 0.5, found 0.9',
    );
    expect(() => parse(['--top-p', '0'])).toThrow('--top-p must be a number greater than 0 and at most 1, found 0');
    expect(() => parse(['--logit-bias', 'x=1'])).toThrow('--logit-bias must be TOKEN_ID=BIAS');
    expect(() => parse(['--sampler-order', 'topK,tempreature'])).toThrow(
      "--sampler-order: unknown sampler 'tempreature' (did you mean 'temperature'?)",
    );
  });
});

describe('inkling generate output', () => {
  it('streams the text held back as a possible stop sequence once generation ends', async () => {
    const model = await convertedModelDir();
    const run = (...args: string[]) => {
      const r = spawnSync(
        process.execPath,
        [
          path.resolve(__dirname, '../../bin/inkling.mjs'),
          'generate',
          '--model',
          model,
          '--prompt',
          'Once upon a time',
          '--max-new-tokens',
          '12',
          '--temperature',
          '0',
          ...args,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const text: string = JSON.parse(run('--json')).alternatives[0].text;
    // A stop text that begins with the output's last character and is never generated: that
    // character is held back until the end, when it is known not to start the stop text.
    const stop = `${text.slice(-1)}\u2603`;
    expect(JSON.parse(run('--json', '--stop', stop)).alternatives[0].text).toBe(text);
    expect(run('--stop', stop)).toBe(`Once upon a time${text}\n`);
  });
});
