import { describe, expect, it } from 'vitest';
import {
  InklingError,
  METHOD_NAMES,
  VALIDATORS,
  errorCode,
  errorMessage,
  encodeErrorForBridge,
  parseCall,
  sanitizeSettings,
  validateArgs,
  validateSettingsPatch,
} from '../../electron/api';

function rejects(method: string, args: unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    validateArgs(method, args);
  } catch (e) {
    err = e;
  }
  expect(err, `${method}(${JSON.stringify(args)}) should be rejected`).toBeInstanceOf(InklingError);
  expect((err as InklingError).message).toMatch(pattern);
}

describe('validators', () => {
  it('exist for every method', () => {
    expect(Object.keys(VALIDATORS).sort()).toEqual([...METHOD_NAMES].sort());
  });

  it('accept well-formed calls and return typed arguments', () => {
    expect(validateArgs('getAppInfo', [])).toEqual([]);
    expect(validateArgs('openDocument', [])).toEqual([]);
    expect(validateArgs('openDocument', ['/home/w/a.md'])).toEqual(['/home/w/a.md']);
    expect(
      validateArgs('complete', [
        { requestId: 'r-1', docId: 'abc_DEF-1', textBefore: 'Once', params: { alternatives: 3, temperature: 0.7 } },
      ]),
    ).toEqual([
      { requestId: 'r-1', docId: 'abc_DEF-1', textBefore: 'Once', params: { alternatives: 3, temperature: 0.7 } },
    ]);
    expect(validateArgs('writeBackup', [{ docId: 'd', path: null, text: 'x', savedText: '' }])).toEqual([
      { docId: 'd', path: null, text: 'x', savedText: '' },
    ]);
    expect(validateArgs('updateSettings', [{ theme: 'dark' }])).toEqual([{ theme: 'dark' }]);
    expect(validateArgs('confirmClose', [{ proceed: false }])).toEqual([{ proceed: false }]);
  });

  it('reject malformed arguments with messages naming method, argument and expectation', () => {
    rejects('getAppInfo', [1], /getAppInfo takes 0 argument/);
    rejects('getAppInfo', 'x', /argument list must be a list/);
    rejects(
      'complete',
      [{ requestId: 'r', docId: '../../etc', textBefore: '' }],
      /complete: request\.docId must be a document id/,
    );
    rejects('complete', [{ requestId: 'r', docId: 'd', textBefore: 5 }], /textBefore must be a string; got 5/);
    rejects('complete', [{ requestId: 'r', docId: 'd', textBefore: '', params: { alternatives: 0 } }], /alternatives/);
    rejects(
      'complete',
      [{ requestId: 'r', docId: 'd', textBefore: '', params: { temprature: 1 } }],
      /did you mean 'temperature'/,
    );
    rejects('complete', [{ requestId: 'r', docId: 'd', textBefore: '', extra: 1 }], /unknown field 'extra'/);
    rejects('openDocument', ['a\0b.md'], /openDocument: path must be a file path/);
    rejects('openDocument', [''], /file path/);
    rejects('saveDocument', [{ docId: 'd' }], /saveDocument: request\.text must be a string; got nothing/);
    rejects('writeBackup', [{ docId: 'd', path: 3, text: '' }], /writeBackup: request\.path must be a file path/);
    rejects('restoreBackup', ['a/b'], /restoreBackup: id must be a document id/);
    rejects('confirmClose', [{ proceed: 'yes' }], /proceed must be true or false/);
    rejects(
      'updateSettings',
      [{ fontSize: 1000 }],
      /Setting 'fontSize' must be a whole number from 10 to 40; got 1000/,
    );
    rejects('updateSettings', [[]], /expects an object/);
    rejects('nope', [], /Unknown API method "nope"/);
    rejects('__proto__', [], /Unknown API method/);
    rejects('countTokens', ['x'.repeat(1024 * 1024 + 1)], /too long/);
  });

  it('fuzz: random payloads never crash a validator and only fail with bad_request', () => {
    // Deterministic PRNG (mulberry32) so a failure reproduces.
    let seed = 1234567;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const keys = [
      'requestId',
      'docId',
      'textBefore',
      'params',
      'path',
      'text',
      'savedText',
      'proceed',
      'theme',
      'alternatives',
      'temperature',
      '__proto__',
      'constructor',
    ];
    const value = (depth: number): unknown => {
      const kind = Math.floor(rand() * (depth > 2 ? 6 : 8));
      switch (kind) {
        case 0:
          return null;
        case 1:
          return undefined;
        case 2:
          return pick([0, -1, 1.5, 3, NaN, Infinity, 1e300, 2 ** 53]);
        case 3:
          return pick(['', 'd', 'abc', '../x', '/tmp/a.md', 'a\0b', 'x'.repeat(100), 'dark']);
        case 4:
          return rand() < 0.5;
        case 5:
          return pick([[], ['a'], [1, 2]]);
        case 6:
          return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = Math.floor(rand() * 4); i > 0; i--) o[pick(keys)] = value(depth + 1);
          return o;
        }
      }
    };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const method = pick([...METHOD_NAMES]);
      const args = rand() < 0.1 ? value(0) : Array.from({ length: Math.floor(rand() * 3) }, () => value(0));
      try {
        validateArgs(method, args);
        accepted++;
      } catch (e) {
        expect(e).toBeInstanceOf(InklingError);
        expect((e as InklingError).code).toBe('bad_request');
        expect((e as InklingError).message.length).toBeGreaterThan(10);
      }
    }
    // Zero-argument methods accept [] so some calls pass; most random payloads must not.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(3000 * 0.5);
  });
});

describe('settings helpers', () => {
  it('sanitizeSettings repairs and reports', () => {
    const { settings, warnings } = sanitizeSettings({ theme: 'dark', autoSuggest: 'yes' });
    expect(settings.theme).toBe('dark');
    expect(settings.autoSuggest).toBe(false);
    expect(warnings).toHaveLength(1);
  });
  it('validateSettingsPatch refuses prototype keys', () => {
    expect(() => validateSettingsPatch(JSON.parse('{"__proto__": {"theme": "dark"}}'))).toThrow(
      /Unknown setting '__proto__'/,
    );
  });
});

describe('wire and error helpers', () => {
  it('parseCall validates the envelope', () => {
    expect(parseCall('{"t":"call","id":1,"method":"getAppInfo","args":[]}')).toEqual({
      t: 'call',
      id: 1,
      method: 'getAppInfo',
      args: [],
    });
    expect(() => parseCall('nope')).toThrow(/not valid JSON/);
    expect(() => parseCall('{"t":"call","id":-1,"method":"x"}')).toThrow(/id/);
    expect(() => parseCall('{"t":"call","id":1,"method":"x","args":{}}')).toThrow(/must be a list/);
  });
  it('errorCode / errorMessage read errors that crossed the contextBridge', () => {
    const bridged = encodeErrorForBridge(new InklingError('path_required', 'Choose where to save.'));
    expect(bridged).not.toBeInstanceOf(InklingError);
    expect(errorCode(bridged)).toBe('path_required');
    expect(errorMessage(bridged)).toBe('Choose where to save.');
    expect(errorCode(new InklingError('no_model', 'x'))).toBe('no_model');
    expect(errorCode(new Error('plain'))).toBe('internal');
    expect(errorMessage(new Error('[io_error] disk full'))).toBe('disk full');
  });
});
