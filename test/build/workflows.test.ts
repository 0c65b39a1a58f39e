/**
 * The GitHub Actions workflows cannot run here, so they are held correct by construction: they parse,
 * pin every action to a commit, keep the token read-only except where a release is written, run the
 * tests on all three OSes, build each installer on its own OS, and call only npm scripts that exist
 * (and whose files exist).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { at, exists, readJson, readYaml, ROOT, type Json } from './helpers';

const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/release.yml'];
const pkg = readJson('package.json');
const scripts = (pkg.scripts ?? {}) as Record<string, string>;

type Step = { uses?: string; run?: string; with?: Json; env?: Json; if?: string };
type Job = {
  'runs-on'?: string;
  uses?: string;
  steps?: Step[];
  permissions?: Json;
  needs?: string | string[];
  strategy?: Json;
};

function jobs(wf: Json): Record<string, Job> {
  return (wf.jobs ?? {}) as Record<string, Job>;
}

function allSteps(wf: Json): Step[] {
  return Object.values(jobs(wf)).flatMap((j) => j.steps ?? []);
}

/** `npm <cmd>` invocations in a shell snippet: "npm test", "npm run dist -- --win", "npm ci". */
function npmCommands(run: string): string[][] {
  return [...run.matchAll(/(?:^|[;&|\s])npm\s+([^\n;&|]+)/g)].map((m) => m[1].trim().split(/\s+/));
}

describe('workflows', () => {
  const parsed = Object.fromEntries(WORKFLOWS.map((f) => [f, readYaml(f)]));

  it('parse, and give the token read-only access at the top', () => {
    for (const [file, wf] of Object.entries(parsed)) {
      expect(wf.name, file).toBeTruthy();
      expect(wf.permissions, `${file}: top-level permissions`).toEqual({ contents: 'read' });
      expect(Object.keys(jobs(wf)).length, file).toBeGreaterThan(0);
    }
  });

  it('pin every action to a full commit SHA (local reusable workflows excepted)', () => {
    for (const [file, wf] of Object.entries(parsed)) {
      const uses = [...allSteps(wf).map((s) => s.uses), ...Object.values(jobs(wf)).map((j) => j.uses)].filter(
        (u): u is string => !!u,
      );
      expect(uses.length, file).toBeGreaterThan(0);
      for (const u of uses) {
        if (u.startsWith('./')) {
          expect(exists(u), `${file}: ${u} exists`).toBe(true);
          continue;
        }
        expect(u, `${file}: ${u}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
      }
      // The pinned release is named next to each SHA, for the next person who bumps it.
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const line of text.split('\n').filter((l) => /uses: [^.][^@]*@[0-9a-f]{40}/.test(l)))
        expect(line, file).toMatch(/# v\d+\.\d+\.\d+\s*$/);
    }
  });

  it('grant contents: write only to the release jobs that write the release', () => {
    const release = parsed['.github/workflows/release.yml'];
    const writers = Object.entries(jobs(release))
      .filter(([, j]) => at(j, 'permissions', 'contents') === 'write')
      .map(([name]) => name)
      .sort();
    expect(writers).toEqual(['build', 'draft']);
    for (const j of Object.values(jobs(parsed['.github/workflows/ci.yml']))) expect(j.permissions).toBeUndefined();
    // No checkout leaves the token behind in .git/config for later steps.
    for (const [file, wf] of Object.entries(parsed)) {
      for (const s of allSteps(wf).filter((x) => x.uses?.startsWith('actions/checkout@')))
        expect(at(s, 'with', 'persist-credentials'), file).toBe(false);
    }
  });

  it('CI runs npm ci and npm test on Linux, Windows and macOS', () => {
    const ci = parsed['.github/workflows/ci.yml'];
    const test = jobs(ci).test;
    expect(at(test, 'strategy', 'matrix', 'os')).toEqual(
      expect.arrayContaining(['ubuntu-latest', 'windows-latest', 'macos-latest']),
    );
    const runs = (test.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm test\b/);
    expect(at(ci, 'on')).toHaveProperty('workflow_call');
  });

  it('the release runs on v* tags, after the tests, and builds each installer on its own OS', () => {
    const release = parsed['.github/workflows/release.yml'];
    expect(at(release, 'on', 'push', 'tags')).toEqual(['v*']);
    const all = jobs(release);
    expect(all.test.uses).toBe('./.github/workflows/ci.yml');
    expect(all.draft.needs).toBe('test');
    expect(all.build.needs).toBe('draft');
    const include = at(all.build, 'strategy', 'matrix', 'include') as Array<{ os: string; platform: string }>;
    const osOf = { win: 'windows', mac: 'macos', linux: 'ubuntu' } as const;
    expect(include.map((i) => i.platform).sort()).toEqual(['linux', 'mac', 'win']);
    for (const i of include)
      expect(i.os.startsWith(osOf[i.platform as keyof typeof osOf]), `${i.platform} builds on ${i.os}`).toBe(true);
    const dist = (all.build.steps ?? []).find((s) => /npm run dist\b/.test(s.run ?? ''));
    expect(dist?.run).toContain('--${{ matrix.platform }}');
    expect(dist?.run).toContain('--publish always');
    // Signing secrets reach only their own OS's job; the token publishes.
    const env = (dist?.env ?? {}) as Record<string, string>;
    expect(env.GH_TOKEN).toBe('${{ secrets.GITHUB_TOKEN }}');
    for (const k of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'])
      expect(env[k], k).toContain("matrix.platform == 'mac'");
    for (const k of ['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD']) expect(env[k], k).toContain("matrix.platform == 'win'");
  });

  it('call only npm scripts that exist in package.json, whose files exist', () => {
    const called = new Set<string>();
    for (const wf of Object.values(parsed)) {
      for (const s of allSteps(wf)) {
        for (const [cmd, name] of npmCommands(s.run ?? '')) {
          if (cmd === 'test' || cmd === 'start') called.add(cmd);
          if (cmd === 'run' || cmd === 'run-script') called.add(name);
        }
      }
    }
    expect([...called].sort()).toEqual(['dist', 'test']);
    const missing = [...called].filter((name) => !(name in scripts));
    expect(missing, 'package.json scripts the workflows call (see docs/RELEASING.md for the lines to add)').toEqual([]);
    for (const name of called) {
      for (const m of scripts[name].matchAll(/\bnode\s+(?:--\S+\s+)*([\w./-]+\.(?:mjs|cjs|js|ts))/g)) {
        expect(exists(m[1]), `script "${name}" runs ${m[1]}`).toBe(true);
      }
    }
    expect(scripts.dist).toBe('node scripts/dist.mjs');
  });
});
