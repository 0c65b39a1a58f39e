/**
 * The renderer's boundary (DESIGN.md "Layers"): it imports nothing from electron/ except
 * electron/api, no Node built-in, no Electron, and only the UI packages it is built from.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const RENDERER = path.join(ROOT, 'renderer');
const API = path.join(ROOT, 'electron', 'api');
const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
const PACKAGES = [
  /^idb-keyval$/,
  /^react$/,
  /^react-dom(\/client)?$/,
  /^react\/jsx-runtime$/,
  /^zustand(\/vanilla)?$/,
  /^@codemirror\/[a-z-]+$/,
  /^@lezer\/highlight$/,
  /^marked$/,
];

function listSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listSources(p);
    return /\.(tsx?|css)$/.test(e.name) ? [p] : [];
  });
}

function problems(file: string, src = fs.readFileSync(file, 'utf8')): string[] {
  const out: string[] = [];
  const where = path.relative(ROOT, file);
  for (const m of src.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      const inside = (dir: string) => target === dir || target.startsWith(dir + path.sep);
      if (!inside(RENDERER) && !inside(API)) out.push(`${where} imports ${spec} (outside renderer/ and electron/api)`);
    } else if (!PACKAGES.some((re) => re.test(spec))) {
      out.push(`${where} imports package "${spec}"`);
    }
  }
  return out;
}

describe('renderer layer', () => {
  it('imports only renderer/, electron/api and UI packages', () => {
    const files = listSources(path.join(RENDERER, 'src'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => problems(f))).toEqual([]);
  });

  it('the check itself catches a forbidden import', () => {
    // A pretend file at renderer/src/bad.ts (nothing is written to disk).
    const f = path.join(RENDERER, 'src', 'bad.ts');
    const src =
      "import fs from 'node:fs';\nimport { x } from '../../electron/services/backend';\nimport { y } from '../../electron/api';\n";
    expect(problems(f, src)).toEqual([
      'renderer/src/bad.ts imports package "node:fs"',
      'renderer/src/bad.ts imports ../../electron/services/backend (outside renderer/ and electron/api)',
    ]);
  });
});
