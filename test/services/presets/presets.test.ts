/**
 * The presets service on a real data folder: built-ins, save / rename / delete / reset, export and
 * import round trips, per-task and per-document settings, atomic persistence across restarts, and
 * a damaged file that keeps its valid parts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, parsePresetExport, type PresetLibrary } from '../../../electron/api';
import { VALIDATORS } from '../../../electron/api/validate';
import { BUILTIN_PRESETS, PresetsService, TASK_DEFAULT_PRESET } from '../../../electron/services/presets';
import { upgradeSamplerOrder } from '../../../electron/services/presets/presets';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-presets-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function fresh(): Promise<PresetsService> {
  const s = new PresetsService(dir);
  await s.load();
  return s;
}

const byName = (lib: PresetLibrary, name: string) => lib.presets.find((p) => p.name === name);

async function rejectsWith(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').not.toBeNull();
  expect(errorCode(e)).toBe(code);
  expect((e as Error).message).toMatch(text);
}

describe('PresetsService', () => {
  it('starts with the built-in presets, the paper settings included, and each task on its paper preset', async () => {
    const lib = (await fresh()).library();
    const topk = byName(lib, 'GPT-2 paper: top-k 40')!;
    expect(topk).toMatchObject({
      builtin: true,
      modified: false,
      params: { topK: 40, temperature: 1, topP: 1, typicalP: 1, minP: 0, repetitionPenalty: 1 },
    });
    expect(byName(lib, 'GPT-2 paper: summarization')!.params).toMatchObject({
      topK: 2,
      temperature: 1,
      maxNewTokens: 100,
    });
    expect(byName(lib, 'GPT-2 paper: translation')!.params).toMatchObject({ temperature: 0, stop: ['\n'] });
    expect(lib.tasks.summarize.presetId).toBe(TASK_DEFAULT_PRESET.summarize);
    expect(lib.tasks.summarize.params.topK).toBe(2);
    expect(lib.tasks.translate.params.temperature).toBe(0);
    expect(lib.presets).toHaveLength(BUILTIN_PRESETS.length);
    // Nothing was written: a fresh profile has no presets file until something changes.
    expect(fs.existsSync(path.join(dir, 'presets.json'))).toBe(false);
  });

  it('saves, renames and deletes a preset, persisting each change for the next start', async () => {
    const s = await fresh();
    const { id, library } = await s.save({
      name: 'Poetry',
      description: 'loose',
      params: { temperature: 1.3, topK: 80, bannedWords: ['moon'] },
    });
    expect(id).toMatch(/^p-/);
    expect(byName(library, 'Poetry')).toMatchObject({
      id,
      builtin: false,
      params: { temperature: 1.3, topK: 80, bannedWords: ['moon'], topP: 0.95 },
    });
    await s.rename({ id, name: 'Verse' });
    let again = await fresh();
    expect(byName(again.library(), 'Verse')!.params.temperature).toBe(1.3);
    // Overwrite with new values.
    await again.save({ id, name: 'Verse', params: { temperature: 0.4 } });
    again = await fresh();
    expect(byName(again.library(), 'Verse')!.params.temperature).toBe(0.4);
    await again.delete(id);
    expect(byName((await fresh()).library(), 'Verse')).toBeUndefined();
    // The file on disk is whole JSON with no temp files left behind (atomic writes).
    expect(fs.readdirSync(dir).sort()).toEqual(['presets.json']);
  });

  it('refuses duplicate names, unknown ids, deleting a built-in and resetting a preset of your own', async () => {
    const s = await fresh();
    await rejectsWith(s.save({ name: 'gpt-2 PAPER: top-k 40', params: {} }), 'bad_request', /already exists/);
    await rejectsWith(s.rename({ id: 'p-nothere', name: 'x' }), 'not_found', /no preset/);
    await rejectsWith(s.delete('builtin:gpt2-topk40'), 'bad_request', /built in/);
    const { id } = await s.save({ name: 'Mine', params: {} });
    await rejectsWith(s.reset(id), 'bad_request', /Only built-in/);
  });

  it('a changed built-in preset is marked modified and reset restores it', async () => {
    const s = await fresh();
    await s.save({ id: 'builtin:gpt2-topk40', name: 'Top-k 40 (warmer)', params: { topK: 40, temperature: 1.2 } });
    let p = (await fresh()).library().presets.find((x) => x.id === 'builtin:gpt2-topk40')!;
    expect(p).toMatchObject({ name: 'Top-k 40 (warmer)', modified: true, params: { temperature: 1.2 } });
    await s.reset('builtin:gpt2-topk40');
    p = (await fresh()).library().presets.find((x) => x.id === 'builtin:gpt2-topk40')!;
    expect(p).toMatchObject({ name: 'GPT-2 paper: top-k 40', modified: false, params: { temperature: 1 } });
  });

  it('exports JSON that imports back and keeps a banned token as "-inf"', async () => {
    const s = await fresh();
    const { id } = await s.save({
      name: 'Ban',
      params: { logitBias: { 50256: '-inf' as unknown as number, 11: 2 }, seed: 7 },
    });
    const json = await s.export([id, 'builtin:gpt2-summarize']);
    const parsed = JSON.parse(json);
    expect(parsed).toMatchObject({ format: 'inkling-presets', version: 1 });
    expect(parsed.presets.map((p: { name: string }) => p.name)).toEqual(['GPT-2 paper: summarization', 'Ban']);
    // A built-in asked for by id is marked as one, so an import updates it rather than copying it.
    expect(parsed.presets[0].builtin).toBe('builtin:gpt2-summarize');
    expect(parsed.presets[1].params.logitBias).toEqual({ 11: 2, 50256: '-inf' });
    const other = new PresetsService(fs.mkdtempSync(path.join(dir, 'other-')));
    await other.load();
    const { imported, updated, library } = await other.import(json);
    expect(imported).toEqual(['Ban']);
    expect(updated).toEqual(['GPT-2 paper: summarization']);
    const copy = byName(library, 'Ban')!;
    expect(copy.params).toMatchObject({ seed: 7, logitBias: { 11: 2, 50256: '-inf' } });
    // The imported parameters are usable as they are: the runTask validator accepts them.
    expect(() =>
      VALIDATORS.runTask([{ requestId: 'r', docId: 'd', kind: 'continue', textBefore: 'x', params: copy.params }]),
    ).not.toThrow();
  });

  it('Export → Import never duplicates: built-ins are not exported as presets, and a second import updates', async () => {
    const s = await fresh();
    await s.save({ name: 'Mine', params: { temperature: 0.4 } });
    await s.save({
      id: 'builtin:focused',
      name: 'Focused',
      params: { ...byName(s.library(), 'Focused')!.params, temperature: 0.3 },
    });
    const json = await s.export();
    const names = JSON.parse(json).presets.map((p: { name: string; builtin?: string }) => [p.name, p.builtin ?? null]);
    // Unchanged built-ins are left out; the changed one travels as its changes.
    expect(names).toEqual([
      ['Focused', 'builtin:focused'],
      ['Mine', null],
    ]);
    const first = await s.import(json);
    expect(first.imported).toEqual([]);
    expect(first.updated.sort()).toEqual(['Focused', 'Mine']);
    const count = BUILTIN_PRESETS.length + 1;
    expect(first.library.presets).toHaveLength(count);
    // The writer changes "Mine", then imports the same file again: it is updated, not copied.
    await s.save({ id: byName(s.library(), 'Mine')!.id, name: 'Mine', params: { temperature: 1.5 } });
    const second = await s.import(json);
    expect(second.library.presets).toHaveLength(count);
    expect(second.library.presets.some((p) => / \(\d+\)$/.test(p.name))).toBe(false);
    expect(byName(second.library, 'Mine')!.params.temperature).toBe(0.4);
    expect(byName(second.library, 'Focused')).toMatchObject({
      builtin: true,
      modified: true,
      params: { temperature: 0.3 },
    });
  });

  it('an export file from an older version (every built-in listed by name, old sampler order) adds nothing twice', async () => {
    const s = await fresh();
    const old = BUILTIN_PRESETS.map((b) => ({
      name: b.name,
      description: b.description,
      params: {
        ...JSON.parse(JSON.stringify(b.params)),
        samplerOrder: b.params.samplerOrder.filter((n) => !['dry', 'xtc', 'mirostat'].includes(n)),
      },
    }));
    const json = JSON.stringify({
      format: 'inkling-presets',
      version: 1,
      presets: [...old, { name: 'Theirs', params: { topK: 5 } }],
    });
    const r = await s.import(json);
    expect(r.imported).toEqual(['Theirs']);
    expect(r.library.presets).toHaveLength(BUILTIN_PRESETS.length + 1);
    // The old order gained the new samplers at their places, so the built-ins count as unchanged.
    expect(r.library.presets.filter((p) => p.modified)).toEqual([]);
  });

  it('an older sampler order gains DRY, XTC and mirostat at their default places', () => {
    expect(
      upgradeSamplerOrder({
        samplerOrder: ['repetitionPenalty', 'noRepeatNgram', 'logitBias', 'temperature', 'topK', 'topP', 'minP'],
      }).samplerOrder,
    ).toEqual([
      'repetitionPenalty',
      'noRepeatNgram',
      'dry',
      'logitBias',
      'temperature',
      'topK',
      'topP',
      'minP',
      'xtc',
      'mirostat',
    ]);
    expect(upgradeSamplerOrder({ samplerOrder: ['temperature', 'topK'] }).samplerOrder).toEqual([
      'dry',
      'temperature',
      'topK',
      'xtc',
      'mirostat',
    ]);
    // An order that already names one of them was written by this version: kept as it is.
    expect(upgradeSamplerOrder({ samplerOrder: ['temperature', 'xtc'] }).samplerOrder).toEqual(['temperature', 'xtc']);
  });

  it('rejects an import that is not a presets file or holds a value the engine would refuse', async () => {
    const s = await fresh();
    await rejectsWith(s.import('{not json'), 'bad_request', /not valid JSON/);
    await rejectsWith(
      s.import(JSON.stringify({ format: 'other', version: 1, presets: [] })),
      'bad_request',
      /not an Inkling presets file/,
    );
    await rejectsWith(
      s.import(JSON.stringify([{ name: 'Hot', params: { temperature: 9 } }])),
      'bad_request',
      /Preset 1: params: sampling parameter 'temperature' must be a number from 0 to 5/,
    );
    await rejectsWith(
      s.import(JSON.stringify([{ name: 'Typo', params: { topk: 3 } }])),
      'bad_request',
      /did you mean 'topK'/,
    );
    expect(() => parsePresetExport(JSON.stringify([{ name: '', params: {} }]))).toThrow(/name of 1–80 characters/);
    expect(s.library().presets).toHaveLength(BUILTIN_PRESETS.length);
  });

  it('keeps task settings globally and per document; deleting their preset keeps the values', async () => {
    const s = await fresh();
    const { id } = await s.save({ name: 'Cold', params: { temperature: 0.2 } });
    await s.setTaskSettings({ task: 'continue', settings: { presetId: id, params: { temperature: 0.2, seed: 3 } } });
    await s.setTaskSettings({
      task: 'continue',
      docKey: 'path:/tmp/a.md',
      settings: { presetId: 'builtin:gpt2-topk40', params: { topK: 40, temperature: 1 } },
    });
    let lib = (await fresh()).library();
    expect(lib.tasks.continue).toMatchObject({ presetId: id, params: { temperature: 0.2, seed: 3 } });
    expect(lib.documents['path:/tmp/a.md'].continue).toMatchObject({
      presetId: 'builtin:gpt2-topk40',
      params: { topK: 40 },
    });
    await s.delete(id);
    lib = (await fresh()).library();
    expect(lib.tasks.continue).toMatchObject({ presetId: null, params: { temperature: 0.2 } });
    // Removing the override and the global choice.
    await s.setTaskSettings({ task: 'continue', docKey: 'path:/tmp/a.md', settings: null });
    await s.setTaskSettings({ task: 'continue', settings: null });
    lib = (await fresh()).library();
    expect(lib.documents['path:/tmp/a.md']).toBeUndefined();
    expect(lib.tasks.continue.presetId).toBe(TASK_DEFAULT_PRESET.continue);
  });

  it('stores edited translation examples and resets them', async () => {
    const s = await fresh();
    await s.setExamples({ pair: 'en-fr', examples: [{ source: 'Good morning.', target: 'Bonjour.' }] });
    expect((await fresh()).library().examples['en-fr']).toEqual([{ source: 'Good morning.', target: 'Bonjour.' }]);
    await rejectsWith(s.setExamples({ pair: 'en-fr', examples: [] }), 'bad_request', /at least one example/);
    await s.setExamples({ pair: 'en-fr', examples: null });
    expect((await fresh()).library().examples['en-fr']).toBeUndefined();
  });

  it('a damaged file keeps its valid parts, warns about the rest and keeps a copy', async () => {
    fs.writeFileSync(
      path.join(dir, 'presets.json'),
      JSON.stringify({
        version: 1,
        presets: [
          { id: 'p-good', name: 'Good', description: '', params: { temperature: 0.7 } },
          { id: 'p-bad', name: 'Bad', params: { temperature: 'hot' } },
          { id: 'p-dup', name: 'good', params: {} },
        ],
        builtins: { 'builtin:nope': { name: 'x' }, 'builtin:focused': { params: { temperature: 0.3 } } },
        tasks: {
          continue: { presetId: 'p-gone', params: { temperature: 0.6 } },
          dance: { presetId: null, params: {} },
        },
        documents: { 'path:/x.md': { summarize: { presetId: null, params: { topK: 3 } } }, bogus: {} },
        examples: { 'en-fr': [{ source: 'a', target: '' }], 'en-de': [{ source: 'Hi.', target: 'Hallo.' }] },
      }),
    );
    const s = new PresetsService(dir);
    const lib = await s.load();
    expect(lib.presets.filter((p) => !p.builtin).map((p) => p.name)).toEqual(['Good']);
    expect(lib.presets.find((p) => p.id === 'builtin:focused')).toMatchObject({
      modified: true,
      params: { temperature: 0.3 },
    });
    expect(lib.tasks.continue).toMatchObject({ presetId: null, params: { temperature: 0.6 } });
    expect(lib.documents['path:/x.md'].summarize!.params.topK).toBe(3);
    expect(lib.examples).toEqual({ 'en-de': [{ source: 'Hi.', target: 'Hallo.' }] });
    expect(s.warnings.join('\n')).toMatch(/preset 2.*temperature/);
    expect(s.warnings.join('\n')).toMatch(/preset 3.*used twice/);
    expect(s.warnings.join('\n')).toMatch(/builtin:nope/);
    expect(s.warnings.join('\n')).toMatch(/dance/);
    expect(fs.existsSync(path.join(dir, 'presets.invalid.json'))).toBe(true);

    fs.writeFileSync(path.join(dir, 'presets.json'), '{ broken');
    const broken = new PresetsService(dir);
    expect((await broken.load()).presets).toHaveLength(BUILTIN_PRESETS.length);
    expect(broken.warnings[0]).toMatch(/not valid JSON/);
  });

  it('a failed write leaves the previous state in memory and on disk', async () => {
    const s = await fresh();
    await s.save({ name: 'Kept', params: {} });
    const before = fs.readFileSync(path.join(dir, 'presets.json'), 'utf8');
    // A directory where the temp file should go makes the write fail.
    fs.chmodSync(dir, 0o500);
    try {
      if (process.getuid?.() === 0) return; // root ignores permissions: nothing to test here
      await expect(s.save({ name: 'Lost', params: {} })).rejects.toThrow();
      expect(byName(s.library(), 'Lost')).toBeUndefined();
    } finally {
      fs.chmodSync(dir, 0o700);
    }
    expect(fs.readFileSync(path.join(dir, 'presets.json'), 'utf8')).toBe(before);
  });
});
