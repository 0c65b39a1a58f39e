/**
 * Seeded generators of hostile API payloads for the IPC and WebSocket fuzz tests. Every run with the
 * same seed produces the same payloads, so a failure names a case that can be replayed.
 *
 * A payload is an argument list for `Backend.call(method, args)`. Three kinds:
 *   - a valid call (from a per-method template), so the fuzz also exercises the handlers;
 *   - a mutated valid call: one field replaced by a hostile value, removed, or joined by an unknown
 *     or prototype-polluting key; arguments dropped or added;
 *   - a random value of any shape in place of the argument list.
 * Hostile values include what Electron's structured clone can carry but JSON cannot (NaN, ±Infinity,
 * -0, undefined, BigInt, Date, Map, Set, RegExp, typed arrays), huge strings and deep nesting.
 */

export interface Rand {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** mulberry32: small, fast, seedable; plenty for choosing mutations. */
export function seeded(seed: number): Rand {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: (items) => items[int(items.length)], chance: (p) => next() < p };
}

/** Paths and ids the generators may use; the test decides which are safe to hand out. */
export interface FuzzContext {
  /** A document id the client has open. */
  docId: string;
  /** Absolute paths the caller may legitimately use (e.g. chosen in a dialog). */
  goodPaths: string[];
  /** Absolute paths that must never be written (outside the data folder and the chosen files). */
  forbiddenPaths: string[];
  /** Allow structured-clone-only values (Electron IPC); false for JSON transports. */
  cloneValues: boolean;
  /**
   * Allow absolute paths outside the two lists above (e.g. "/etc/passwd.md"). Only for a backend
   * that refuses paths the writer did not choose (the desktop policy); the web host trusts paths.
   */
  foreignPaths: boolean;
}

/**
 * Shared big strings, made on first use (the fuzz sends references, not copies; files that only
 * want `seeded` never build them): HUGE is over every text limit (20 MB documents, 1 MB prompts),
 * BIG just over the prompt limit.
 */
let bigStrings: { HUGE: string; BIG: string } | null = null;
export function big(): { HUGE: string; BIG: string } {
  bigStrings ??= { HUGE: 'x'.repeat(21 * 1024 * 1024), BIG: 'y'.repeat(1024 * 1024 + 1) };
  return bigStrings;
}
const LONG_LINE = 'z'.repeat(5000); // over the path limit

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  -1.5,
  7,
  2 ** 31,
  -(2 ** 31),
  2 ** 53 + 1,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
];
const CLONE_NUMBERS = [NaN, Infinity, -Infinity];

const STRINGS = [
  '',
  ' ',
  'x',
  '0',
  'true',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  'relative/notes.md',
  '~',
  '~/notes.md',
  'C:\\Windows\\win.ini',
  '\\\\host\\share\\x.md',
  'file:///etc/passwd',
  'javascript:alert(1)',
  '<img src=x onerror=alert(1)>',
  '%2e%2e%2f',
  'a\u0000b.md',
  '\u0000',
  '\ud800',
  '\ufeff',
  '\u202e',
  'é'.normalize('NFD'),
  '😀'.repeat(50),
  'line\nbreak',
  '-inf',
  'ban',
  'NaN',
  '1e400',
  '0x10',
  LONG_LINE,
  '/proc/self/mem',
  '/dev/zero',
  '/dev/stdin.md',
  '/etc/passwd.md',
  '/tmp',
  '/',
];

/** The strings that name no absolute path (a "~" path expands under HOME, which the tests redirect). */
const SAFE_STRINGS = STRINGS.filter((s) => !/^(\/|\\\\|[A-Za-z]:)/.test(s));

/** A JSON object with an own "__proto__" key (an object literal would set the prototype instead). */
function protoKey(): Record<string, unknown> {
  return JSON.parse('{"__proto__": {"polluted": "yes", "isAdmin": true}}') as Record<string, unknown>;
}

function deep(r: Rand, depth: number): unknown {
  let v: unknown = r.pick(['leaf', 1, null]);
  for (let i = 0; i < depth; i++) v = r.chance(0.5) ? [v] : { a: v };
  return v;
}

/** One hostile value. */
export function hostile(r: Rand, ctx: FuzzContext, depth = 0): unknown {
  const k = r.int(depth > 2 ? 6 : 11);
  switch (k) {
    case 0:
      return r.pick([null, undefined, true, false]);
    case 1:
      return r.pick(ctx.cloneValues ? [...NUMBERS, ...CLONE_NUMBERS] : NUMBERS);
    case 2:
    case 3:
      return r.pick(ctx.foreignPaths ? STRINGS : SAFE_STRINGS);
    case 4:
      return r.pick([...ctx.forbiddenPaths, ...ctx.goodPaths, ctx.docId, `${ctx.docId}x`, big().HUGE, big().BIG]);
    case 5:
      if (!ctx.cloneValues) return r.pick(SAFE_STRINGS);
      return r.pick([
        10n,
        new Date(0),
        new Date(NaN),
        /x/g,
        new Map([['theme', 'dark']]),
        new Set(['a']),
        new Uint8Array([1, 2, 3]),
        new ArrayBuffer(8),
        new Error('boom'),
        Object.create(null) as object,
      ]);
    case 6:
      return protoKey();
    case 7:
      return { constructor: { prototype: { polluted: 'yes' } }, toString: 'x', valueOf: 1 };
    case 8:
      return deep(r, r.pick([3, 50, 2000]));
    case 9:
      return Array.from({ length: r.pick([0, 1, 3, 100]) }, () => hostile(r, ctx, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      const keys = [
        'docId',
        'text',
        'path',
        'requestId',
        'textBefore',
        'params',
        'proceed',
        'theme',
        'modelDir',
        'id',
        'repo',
        'precision',
        'a',
        '',
      ];
      for (let i = r.int(4); i > 0; i--) o[r.pick(keys)] = hostile(r, ctx, depth + 1);
      return o;
    }
  }
}

/** A valid argument list per method, where the fuzz knows one. Methods without one get []. */
export function validArgs(method: string, ctx: FuzzContext, r: Rand): unknown[] {
  const requestId = `fuzz-${r.int(1e9)}`;
  const good = ctx.goodPaths[0];
  switch (method) {
    case 'complete':
      return [
        {
          requestId,
          docId: ctx.docId,
          textBefore: r.pick(['Once upon', '', 'The']),
          params: { maxNewTokens: r.pick([1, 2]), alternatives: 1 },
        },
      ];
    case 'cancelCompletion':
    case 'cancelTask':
    case 'cancelPull':
      return [requestId];
    case 'countTokens':
      return [r.pick(['hello world', '', 'ünïcödé 😀'])];
    case 'openDocument':
      return r.chance(0.5) ? [] : [good];
    case 'saveDocument':
      return [
        r.chance(0.5)
          ? { docId: ctx.docId, text: `saved ${r.int(100)}` }
          : { docId: ctx.docId, text: `saved ${r.int(100)}`, baseMtimeMs: r.int(1e12), replaceChanged: r.chance(0.5) },
      ];
    case 'saveDocumentAs':
      return [{ docId: ctx.docId, text: `saved as ${r.int(100)}`, path: good }];
    case 'checkDocument':
      return [{ docId: ctx.docId, path: good, baseMtimeMs: r.int(1e12) }];
    case 'reloadDocument':
      return [r.chance(0.5) ? { docId: ctx.docId } : { docId: ctx.docId, path: good }];
    case 'closeDocument':
    case 'restoreBackup':
    case 'discardBackup':
      return [ctx.docId];
    case 'writeBackup':
      return [{ docId: ctx.docId, path: null, text: `backup ${r.int(100)}` }];
    case 'confirmClose':
      return [{ proceed: r.chance(0.5) }];
    case 'updateSettings':
      return [r.pick([{ theme: 'dark' }, { fontSize: 20 }, { alternatives: 2 }, { autosave: false }])];
    default:
      return [];
  }
}

type Path = (string | number)[];

function paths(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (v && typeof v === 'object' && prefix.length < 4) {
    for (const [k, child] of Object.entries(v)) paths(child, [...prefix, Array.isArray(v) ? Number(k) : k], out);
  }
  return out;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  }
  return v;
}

/** The valid call with one thing broken. */
export function mutate(args: unknown[], ctx: FuzzContext, r: Rand): unknown[] {
  const copy = clone(args) as unknown[];
  const kind = r.int(7);
  if (kind === 0) return copy.slice(0, Math.max(0, copy.length - 1)); // missing argument
  if (kind === 1) return [...copy, hostile(r, ctx)]; // extra argument
  if (kind === 2) return [...copy, ...Array.from({ length: 50 }, () => 1)]; // many extra
  const targets = paths(copy).filter((p) => p.length > 0);
  if (targets.length === 0) return [hostile(r, ctx)];
  const target = r.pick(targets);
  const parent = target
    .slice(0, -1)
    .reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const key = target[target.length - 1];
  if (kind === 3 && !Array.isArray(parent)) {
    delete parent[key]; // missing field
  } else if (kind === 4 && !Array.isArray(parent)) {
    // Unknown or prototype-polluting field next to the valid ones.
    const extra = r.pick(['__proto__', 'constructor', 'prototype', 'unknownField', 'toString']);
    Object.defineProperty(parent, extra, {
      value: hostile(r, ctx),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  } else {
    parent[key] = hostile(r, ctx); // wrong value
  }
  return copy;
}

/** One fuzz case for `method`. */
export function fuzzArgs(method: string, ctx: FuzzContext, r: Rand): unknown {
  const roll = r.next();
  if (roll < 0.1) return validArgs(method, ctx, r);
  if (roll < 0.75) return mutate(validArgs(method, ctx, r), ctx, r);
  if (roll < 0.9) return [hostile(r, ctx)];
  return hostile(r, ctx); // not even a list
}

/** Short description of a payload for failure messages (never the whole huge string). */
export function show(v: unknown): string {
  let s: string;
  try {
    s =
      JSON.stringify(v, (_k, x: unknown) => {
        if (typeof x === 'bigint') return `${x}n`;
        if (typeof x === 'string' && x.length > 60) return `<string ${x.length}>`;
        if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
        return x;
      }) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
