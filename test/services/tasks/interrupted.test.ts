/**
 * A task whose engine breaks off mid-way (a remote server's stream cut: the engine's result keeps
 * what arrived, with `interrupted`; or the server fails before a later sentence's first token): the
 * task keeps what it has, marked `cut`, with the error, and asks for nothing after the cut. Anything
 * else that fails — the first step, or the local engine's crash — fails the task as before.
 */
import { describe, expect, it } from 'vitest';
import { InklingError } from '../../../electron/api/errors';
import type { EngineStatus, GenerateEvent, GenerateResult } from '../../../electron/api';
import { TaskService, type TaskEngine } from '../../../electron/services/tasks';

type RunRequest = Parameters<TaskEngine['run']>[2];

const STATUS: EngineStatus = {
  state: 'ready',
  model: {
    name: 'gpt2',
    dir: 'http://127.0.0.1:8000/v1',
    format: 'remote',
    precision: 'server',
    device: 'remote',
    contextLength: 1024,
    nLayer: 0,
    nEmbd: 0,
    nHead: 0,
    vocabSize: 50257,
    loadMs: 0,
  },
};

const CUT = {
  code: 'remote_failed' as const,
  message: 'The connection to http://127.0.0.1:8000/v1 broke in the middle of a response (ECONNRESET). Try again.',
};

/** One step's answer: tokens streamed, then a result (maybe cut), or a thrown error. */
type Step = { pieces: string[]; cut?: boolean } | { error: Error };

class StepEngine implements TaskEngine {
  readonly calls: RunRequest[] = [];
  constructor(private readonly steps: Step[]) {}
  async run(
    _requestId: string,
    _slot: string,
    request: RunRequest,
    onEvent: (e: GenerateEvent) => void,
  ): Promise<GenerateResult> {
    const step = this.steps[this.calls.length];
    this.calls.push(request);
    if (!step) throw new Error('no step scripted');
    if ('error' in step) throw step.error;
    step.pieces.forEach((text, i) => onEvent({ kind: 'token', alternative: 0, tokenId: -1, text, logprob: -(i + 1) }));
    return {
      alternatives: [
        {
          text: step.pieces.join(''),
          tokenIds: step.pieces.map(() => -1),
          logprobs: step.pieces.map((_, i) => -(i + 1)),
          finishReason: step.cut ? 'cut' : 'stop',
        },
      ],
      stats: {
        promptTokens: 10,
        reusedTokens: 0,
        readTokens: 10,
        truncatedTokens: 0,
        documentTokens: 10,
        memoryTokens: 0,
        windowStart: 0,
        scannedChars: 0,
        prefillMs: 1,
        timeToFirstTokenMs: 1,
        decodeTokensPerS: 10,
        generatedTokens: step.pieces.length,
      },
      ...(step.cut ? { interrupted: CUT } : {}),
    };
  }
  cancel(): void {}
  score(): never {
    throw new Error('not scored here');
  }
  scoreParts(): never {
    throw new Error('not scored here');
  }
  cancelScores(): void {}
  status(): EngineStatus {
    return STATUS;
  }
}

const translate = (requestId: string) =>
  ({ requestId, docId: 'd1', kind: 'translate', pair: 'en-fr', text: 'One dog. Two cats. Three birds.' }) as const;

describe('a task the engine breaks off mid-way', () => {
  it('translate: cut inside sentence 2 keeps sentence 1 and what arrived of 2, and asks for no sentence 3', async () => {
    const engine = new StepEngine([{ pieces: [' Un chien.', '\n'] }, { pieces: [' Deux', ' ch'], cut: true }]);
    const r = await new TaskService(engine).run(translate('t1'), () => undefined);
    expect(engine.calls).toHaveLength(2);
    expect(r.finishReason).toBe('cut');
    expect(r.interrupted).toEqual(CUT);
    expect(r.text).toBe('Un chien. Deux ch');
    expect(r.segments?.map((s) => [s.source, s.result])).toEqual([
      ['One dog.', 'Un chien.'],
      ['Two cats.', 'Deux ch'],
    ]);
    expect(r.alternatives[0]).toMatchObject({ text: 'Deux ch', finishReason: 'cut' });
  });

  it('translate: the server failing before sentence 2 began keeps sentence 1, marked cut, with the message', async () => {
    const down = new InklingError('remote_failed', 'Cannot reach the server at http://127.0.0.1:8000/v1: …');
    const engine = new StepEngine([{ pieces: [' Un chien.'] }, { error: down }]);
    const r = await new TaskService(engine).run(translate('t2'), () => undefined);
    expect(engine.calls).toHaveLength(2);
    expect(r).toMatchObject({ finishReason: 'cut', text: 'Un chien.', interrupted: down.toPayload() });
    expect(r.segments).toHaveLength(1);
  });

  it('summarize: what arrived is extracted as usual and marked cut', async () => {
    const engine = new StepEngine([{ pieces: [' The ship', ' left.', ' The sea'], cut: true }]);
    const r = await new TaskService(engine).run(
      { requestId: 's1', docId: 'd1', kind: 'summarize', text: 'An article.' },
      () => undefined,
    );
    expect(r).toMatchObject({ finishReason: 'cut', text: 'The ship left. The sea', interrupted: CUT });
  });

  it('still fails when nothing arrived, and on the local engine’s crash (which keeps nothing)', async () => {
    const down = new InklingError('remote_failed', 'Cannot reach the server.');
    await expect(new TaskService(new StepEngine([{ error: down }])).run(translate('t3'), () => undefined)).rejects.toBe(
      down,
    );
    const crashed = new InklingError('engine_crashed', 'The engine stopped unexpectedly (SIGKILL).');
    await expect(
      new TaskService(new StepEngine([{ pieces: [' Un chien.'] }, { error: crashed }])).run(
        translate('t4'),
        () => undefined,
      ),
    ).rejects.toBe(crashed);
  });
});
