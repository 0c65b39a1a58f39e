/**
 * Layering rules (DESIGN.md): electron/api runs in the renderer too, so nothing it imports — directly
 * or through the files it imports — may be Node or Electron. electron/services never imports electron.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const IMPORT_RE =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;

function importsOf(file: string): string[] {
  const src = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function resolveTs(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base + '.ts', base + '.tsx', path.join(base, 'index.ts')]) if (fs.existsSync(c)) return c;
  return null;
}

function listTs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return listTs(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

describe('layers', () => {
  it('electron/api and everything it pulls in import no Node built-in, Electron or package', () => {
    const seen = new Set<string>();
    const stack = listTs(path.join(ROOT, 'electron/api'));
    const bad: string[] = [];
    while (stack.length) {
      const file = stack.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) {
          bad.push(`${path.relative(ROOT, file)} imports "${spec}"`);
          continue;
        }
        const target = resolveTs(file, spec);
        if (target) stack.push(target);
      }
    }
    expect(bad).toEqual([]);
    expect(seen.size).toBeGreaterThan(5);
  });

  it('electron/services never imports electron', () => {
    const bad = listTs(path.join(ROOT, 'electron/services'))
      .filter((f) => importsOf(f).some((s) => s === 'electron' || s.startsWith('electron/')))
      .map((f) => path.relative(ROOT, f));
    expect(bad).toEqual([]);
  });
});
