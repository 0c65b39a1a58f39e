/**
 * The engine's errors are the one InklingError, each with its code fixed, so every layer above can
 * translate them with `toInklingError` (the engine host sends `code` as it is) and still test the
 * class for the data it carries.
 */
import { describe, expect, it } from 'vitest';
import { InklingError, toInklingError, type ErrorCode } from '../../electron/common/errors';
import { MemoryTooLongError } from '../../electron/engine/context';
import { ParamError, SamplingError } from '../../electron/engine/generate';
import { ExternalDataError } from '../../electron/engine/graph/externalData';
import { CapacityError } from '../../electron/engine/runtime/decoder';
import { ModelLoadError } from '../../electron/engine/runtime';
import { TokenizerFileError } from '../../electron/engine/tokenizer';
import { UnsafeFileError } from '../../electron/engine/util/safeRead';
import { WeightsError } from '../../electron/engine/weights';

describe('engine errors', () => {
  const cases: [Error, ErrorCode, string][] = [
    [new ParamError('topK', 'topK must be at least 0'), 'bad_request', 'ParamError'],
    [new SamplingError('every token was banned'), 'bad_request', 'SamplingError'],
    [new MemoryTooLongError('The memory is 900 tokens'), 'context_full', 'MemoryTooLongError'],
    [new CapacityError('the cache holds 64 tokens'), 'context_full', 'CapacityError'],
    [new ModelLoadError('/m: no such model folder'), 'model_invalid', 'ModelLoadError'],
    [new WeightsError('model.safetensors: truncated', '/m/model.safetensors'), 'model_invalid', 'WeightsError'],
    [new TokenizerFileError('/m/vocab.json', 'vocab.json not found'), 'model_invalid', 'TokenizerFileError'],
    [new ExternalDataError('model.onnx: its weights file is missing'), 'model_invalid', 'ExternalDataError'],
    [new UnsafeFileError('not_found', '/m/x', 'x does not exist'), 'not_found', 'UnsafeFileError'],
    [new UnsafeFileError('not_regular', '/m/x', 'x is a folder'), 'unsupported_file', 'UnsafeFileError'],
    [new UnsafeFileError('too_large', '/m/x', 'x is too large'), 'too_large', 'UnsafeFileError'],
    [new UnsafeFileError('io', '/m/x', 'x: permission denied'), 'io_error', 'UnsafeFileError'],
  ];

  it.each(cases)('%s is an InklingError with its code and keeps its name and message', (err, code, name) => {
    expect(err).toBeInstanceOf(InklingError);
    expect(toInklingError(err)).toBe(err);
    expect(err).toMatchObject({ code, name });
    // What the engine host puts on its pipe: the code and the message, unchanged.
    expect((err as InklingError).toPayload()).toEqual({ code, message: err.message });
  });
});
