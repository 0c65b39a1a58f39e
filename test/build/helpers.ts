/** Shared by the build tests: the repository root and a YAML reader (js-yaml, electron-builder's own). */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// js-yaml ships no types and is not a direct dependency: it comes with electron-builder, which reads
// the same file with it, so parsing here means parsing the way electron-builder does.
const jsYaml = createRequire(import.meta.url)('js-yaml') as {
  load(text: string, options?: { filename?: string }): unknown;
};

export type Json = Record<string, unknown>;

export function readYaml(relative: string): Json {
  const file = path.join(ROOT, relative);
  const value = jsYaml.load(fs.readFileSync(file, 'utf8'), { filename: file });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${relative}: expected a YAML mapping at the top`);
  return value as Json;
}

export function readJson(relative: string): Json {
  return JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8')) as Json;
}

/** `obj.a.b.c` without the type dance; undefined when any step is missing. */
export function at(obj: unknown, ...keys: (string | number)[]): unknown {
  let v: unknown = obj;
  for (const k of keys) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

export function exists(relative: string): boolean {
  return fs.existsSync(path.join(ROOT, relative));
}
