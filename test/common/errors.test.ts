import { describe, expect, it } from 'vitest';
import { ERROR_CODES, InklingError, errorFromPayload, isErrorCode, toInklingError } from '../../electron/common/errors';

describe('the one error', () => {
  it('uses one lowercase spelling for every code', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(isErrorCode('offline')).toBe(true);
    expect(isErrorCode('OFFLINE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('keeps code, message and cause, and crosses a wire unchanged', () => {
    const cause = new Error('ENOSPC');
    const err = new InklingError('disk_space', 'Not enough space for gpt2-xl.', { cause });
    expect(err.cause).toBe(cause);
    const back = errorFromPayload(JSON.parse(JSON.stringify(err.toPayload())));
    expect(back).toBeInstanceOf(InklingError);
    expect([back.code, back.message]).toEqual(['disk_space', 'Not enough space for gpt2-xl.']);
    expect(errorFromPayload({ code: 'NOT_FOUND', message: 'x' }).code).toBe('internal');
    expect(errorFromPayload(null).message).toBe('Unknown error.');
  });

  it('translates anything thrown: itself, errno as io_error or disk_space, aborts as cancelled, the rest internal', () => {
    const own = new InklingError('busy', 'held');
    expect(toInklingError(own)).toBe(own);
    const eacces = Object.assign(new Error('EACCES: permission denied, open /x'), { code: 'EACCES' });
    expect(toInklingError(eacces)).toMatchObject({ code: 'io_error', message: eacces.message, cause: eacces });
    expect(toInklingError(Object.assign(new Error('full'), { code: 'ENOSPC' })).code).toBe('disk_space');
    expect(toInklingError(new DOMException('stopped', 'AbortError')).code).toBe('cancelled');
    expect(toInklingError(Object.assign(new Error('odd'), { code: 'model_invalid' })).code).toBe('internal');
    expect(toInklingError('plain string')).toMatchObject({ code: 'internal', message: 'plain string' });
  });
});
