/**
 * The small validator kit of the API contract: each check takes where the value came from ("saveAs:
 * path"), the raw value, and returns it typed or throws `InklingError('bad_request')` with a message
 * naming the place, what was expected and what arrived (shown by the one describer, common/describe).
 * Used by validate.ts (method arguments), tasks.ts, presets.ts, models.ts and settings.ts.
 */
import { describeValue } from '../common/describe';
import { ParamError, validateParams } from '../engine/generate/params';
import { InklingError } from './errors';
import type { CompletionParams } from './types';

/** Largest document text accepted (characters); files on disk are limited to 20 MB. */
export const MAX_TEXT_CHARS = 20 * 1024 * 1024;
/** Largest text for token counting and other one-off prompts. */
export const MAX_PROMPT_CHARS = 1024 * 1024;
/** Largest document memory (characters); the engine also refuses one longer than half the prompt. */
export const MAX_MEMORY_CHARS = 20_000;
export const MAX_PATH_CHARS = 4096;

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const REQUEST_ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function fail(where: string, expected: string, got: unknown): never {
  throw new InklingError('bad_request', `${where} must be ${expected}; got ${describeValue(got)}.`);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A plain object (not a class instance or array) holding only the named fields. */
export function object(where: string, v: unknown, keys: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(v)) fail(where, 'an object', v);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) {
      throw new InklingError('bad_request', `${where} has an unknown field '${k}'; expected only ${keys.join(', ')}.`);
    }
  }
  return v;
}

export function docId(where: string, v: unknown): string {
  if (typeof v !== 'string' || !ID_RE.test(v)) fail(where, 'a document id (1–64 letters, digits, - or _)', v);
  return v;
}

export function requestId(where: string, v: unknown): string {
  if (typeof v !== 'string' || !REQUEST_ID_RE.test(v))
    fail(where, 'a request id (1–128 letters, digits, or . _ : -)', v);
  return v;
}

export function filePath(where: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PATH_CHARS || v.includes('\0')) {
    fail(where, `a file path (1–${MAX_PATH_CHARS} characters, no NUL)`, v);
  }
  return v;
}

export function text(where: string, v: unknown, max = MAX_TEXT_CHARS): string {
  if (typeof v !== 'string') fail(where, 'a string', v);
  if (v.length > max) {
    throw new InklingError('bad_request', `${where} is too long (${v.length} characters; the limit is ${max}).`);
  }
  return v;
}

export function int(where: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(where, `a whole number from ${min} to ${max}`, v);
  return v;
}

export function args(method: string, raw: unknown, min: number, max: number): unknown[] {
  if (!Array.isArray(raw)) fail(`${method}: the argument list`, 'a list', raw);
  if (raw.length < min || raw.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new InklingError('bad_request', `${method} takes ${want} argument(s); got ${raw.length}.`);
  }
  return raw;
}

/**
 * Sampling parameters are checked by the engine's own validator (pure code, no Node), so the
 * contract and the engine can never disagree on names or ranges. Only the given keys pass through:
 * the backend fills the rest from the settings.
 */
export function completionParams(where: string, v: unknown): CompletionParams {
  if (!isPlainObject(v)) fail(where, 'an object of sampling parameters', v);
  try {
    validateParams(v);
  } catch (e) {
    if (e instanceof ParamError) throw new InklingError('bad_request', `${where}: ${e.message}.`);
    throw e;
  }
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) if (val !== undefined) out[k] = val;
  return out as CompletionParams;
}

/** Text that is not empty or only spaces. */
export function nonEmpty(where: string, v: unknown, max: number): string {
  const s = text(where, v, max);
  if (s.trim() === '') fail(where, 'some text', v);
  return s;
}

/** One of a fixed list of strings. */
export function oneOf<T extends string>(where: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v))
    fail(where, `one of ${options.join(', ')}`, v);
  return v as T;
}
