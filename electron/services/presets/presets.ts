/**
 * Sampling presets persisted as `<dataDir>/presets.json` (written atomically, one writer at a time):
 * the writer's own presets, changes to the built-in ones, the parameters each task uses (globally
 * and per document) and edited translation examples.
 *
 * Every value that enters — from the renderer or from disk — passes the API's validators, which use
 * the engine's own parameter check, so the file can never hold a value the engine would refuse. A
 * broken file never stops the app: what is valid is kept, the rest is dropped with a warning, and
 * the original is copied to `presets.invalid.json`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { InklingError } from '../../api/errors';
import {
  PRESET_EXPORT_FORMAT,
  docKey,
  jsonSafeParams,
  parsePresetExport,
  presetName,
  taskSettings,
  type ImportedPresets,
  type Preset,
  type PresetExport,
  type PresetLibrary,
  type RenamePresetRequest,
  type SavedPreset,
  type SavePresetRequest,
  type SetExamplesRequest,
  type SetTaskSettingsRequest,
  type TaskSettings,
} from '../../api/presets';
import {
  TASK_KINDS,
  languagePair,
  taskKind,
  translationExamples,
  type LanguagePair,
  type TaskKind,
  type TranslationExample,
} from '../../api/tasks';
import type { CompletionParams } from '../../api/types';
import { completionParams } from '../../api/check';
import {
  DEFAULT_SAMPLER_ORDER,
  validateParams,
  type SamplerName,
  type SamplingParams,
} from '../../engine/generate/params';
import { readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';
import { BUILTIN_BY_ID, BUILTIN_PRESETS, TASK_DEFAULT_PRESET } from './builtins';

export const MAX_USER_PRESETS = 200;
export const MAX_DOCUMENT_OVERRIDES = 500;

interface StoredPreset {
  id: string;
  name: string;
  description: string;
  params: SamplingParams;
}

interface StoredSettings {
  presetId: string | null;
  params: SamplingParams;
}

interface State {
  presets: StoredPreset[];
  /** Changes the writer made to built-in presets, by id. */
  builtins: Map<string, { name?: string; description?: string; params?: SamplingParams }>;
  tasks: Partial<Record<TaskKind, StoredSettings>>;
  /** Insertion-ordered: the oldest override is dropped first when there are too many. */
  documents: Map<string, Partial<Record<TaskKind, StoredSettings>>>;
  examples: Partial<Record<LanguagePair, TranslationExample[]>>;
}

function emptyState(): State {
  return { presets: [], builtins: new Map(), tasks: {}, documents: new Map(), examples: {} };
}

/** Samplers added after presets files existed (version 1 files never list them). */
const LATER_SAMPLERS: readonly SamplerName[] = ['dry', 'xtc', 'mirostat'];

/**
 * A sampler order written before DRY, XTC and mirostat existed lists none of them, and a sampler
 * left out of the order does not run: switching DRY on would silently do nothing. Such an order
 * gets them at their default places (each after the sampler that precedes it by default). An order
 * that names any of them was written by this version and is kept as it is.
 */
export function upgradeSamplerOrder<P extends CompletionParams>(p: P): P {
  const order = p.samplerOrder;
  if (!Array.isArray(order) || LATER_SAMPLERS.some((n) => order.includes(n))) return p;
  const out = [...order] as SamplerName[];
  for (const name of LATER_SAMPLERS) {
    const at = DEFAULT_SAMPLER_ORDER.indexOf(name);
    let i = out.length;
    for (let k = at - 1; k >= 0; k--) {
      const before = out.indexOf(DEFAULT_SAMPLER_ORDER[k]);
      if (before >= 0) {
        i = before + 1;
        break;
      }
      if (k === 0) i = 0;
    }
    out.splice(i, 0, name);
  }
  return { ...p, samplerOrder: out };
}

/** Full, validated parameters (validateParams fills the defaults and reads "-inf" bans). */
function fullParams(p: CompletionParams): SamplingParams {
  return validateParams(p);
}

/** Parameters read from a file (presets.json or an import): older sampler orders are upgraded. */
function storedParams(p: CompletionParams): SamplingParams {
  return validateParams(upgradeSamplerOrder(p));
}

function sameParams(a: Readonly<SamplingParams>, b: Readonly<SamplingParams>): boolean {
  return JSON.stringify(jsonSafeParams(a)) === JSON.stringify(jsonSafeParams(b));
}

function newPresetId(): string {
  return `p-${randomBytes(9).toString('base64url')}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

export class PresetsService {
  readonly file: string;
  private state: State = emptyState();
  private readonly queue = new SerialQueue();
  /** Problems found while loading (for the log). */
  warnings: string[] = [];

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'presets.json');
  }

  async load(): Promise<PresetLibrary> {
    this.warnings = [];
    this.state = emptyState();
    const read = await readJsonFile(this.file);
    if (read.kind === 'invalid') {
      this.warnings.push(`Presets were reset: ${read.reason}.`);
    } else if (read.kind === 'ok') {
      this.state = this.sanitize(read.value);
    }
    if (this.warnings.length) {
      await fsp.copyFile(this.file, path.join(path.dirname(this.file), 'presets.invalid.json')).catch(() => undefined);
    }
    return this.library();
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────────────
  private builtinPreset(id: string): Preset {
    const b = BUILTIN_BY_ID.get(id)!;
    const change = this.state.builtins.get(id);
    const params = change?.params ?? b.params;
    return {
      id,
      name: change?.name ?? b.name,
      description: change?.description ?? b.description,
      builtin: true,
      modified: Boolean(
        change && ((change.name && change.name !== b.name) || (change.params && !sameParams(change.params, b.params))),
      ),
      params: jsonSafeParams(params),
    };
  }

  private presetParams(id: string): SamplingParams | null {
    if (BUILTIN_BY_ID.has(id)) return this.state.builtins.get(id)?.params ?? { ...BUILTIN_BY_ID.get(id)!.params };
    return this.state.presets.find((p) => p.id === id)?.params ?? null;
  }

  private taskDefault(task: TaskKind): StoredSettings {
    const presetId = TASK_DEFAULT_PRESET[task];
    return { presetId, params: this.presetParams(presetId)! };
  }

  private wire(s: StoredSettings): TaskSettings {
    return { presetId: s.presetId, params: jsonSafeParams(s.params) };
  }

  library(): PresetLibrary {
    const tasks = {} as Record<TaskKind, TaskSettings>;
    for (const t of TASK_KINDS) tasks[t] = this.wire(this.state.tasks[t] ?? this.taskDefault(t));
    const documents: PresetLibrary['documents'] = {};
    for (const [key, perTask] of this.state.documents) {
      const out: Partial<Record<TaskKind, TaskSettings>> = {};
      for (const t of TASK_KINDS) if (perTask[t]) out[t] = this.wire(perTask[t]!);
      documents[key] = out;
    }
    return {
      presets: [
        ...BUILTIN_PRESETS.map((b) => this.builtinPreset(b.id)),
        ...this.state.presets.map((p) => ({
          id: p.id,
          name: p.name,
          description: p.description,
          builtin: false,
          modified: false,
          params: jsonSafeParams(p.params),
        })),
      ],
      tasks,
      documents,
      examples: structuredClone(this.state.examples),
    };
  }

  private allNames(exceptId?: string): string[] {
    return this.library()
      .presets.filter((p) => p.id !== exceptId)
      .map((p) => p.name.toLowerCase());
  }

  private requireKnown(id: string): void {
    if (!BUILTIN_BY_ID.has(id) && !this.state.presets.some((p) => p.id === id)) {
      throw new InklingError('not_found', `There is no preset with id ${id}; it may have been deleted.`);
    }
  }

  private checkNameFree(name: string, exceptId?: string): void {
    if (this.allNames(exceptId).includes(name.toLowerCase())) {
      throw new InklingError('bad_request', `A preset named “${name}” already exists; choose another name.`);
    }
  }

  // ── changing ───────────────────────────────────────────────────────────────────────────────────
  /** Applies `change` to a copy of the state, persists it, then makes it current (all or nothing). */
  private async commit(change: (draft: State) => void): Promise<void> {
    await this.queue.run(async () => {
      const draft: State = {
        presets: this.state.presets.map((p) => ({ ...p })),
        builtins: new Map(this.state.builtins),
        tasks: { ...this.state.tasks },
        documents: new Map(this.state.documents),
        examples: { ...this.state.examples },
      };
      change(draft);
      await writeJsonFile(this.file, this.serialize(draft));
      this.state = draft;
    });
  }

  async save(req: SavePresetRequest): Promise<SavedPreset> {
    const params = fullParams(req.params);
    const name = presetName('name', req.name);
    if (req.id === undefined) {
      this.checkNameFree(name);
      if (this.state.presets.length >= MAX_USER_PRESETS) {
        throw new InklingError(
          'bad_request',
          `You have ${MAX_USER_PRESETS} presets, the most Inkling keeps; delete one first.`,
        );
      }
      const id = newPresetId();
      await this.commit((d) => d.presets.push({ id, name, description: req.description ?? '', params }));
      return { library: this.library(), id };
    }
    const id = req.id;
    this.requireKnown(id);
    this.checkNameFree(name, id);
    await this.commit((d) => {
      if (BUILTIN_BY_ID.has(id)) {
        d.builtins.set(id, {
          ...d.builtins.get(id),
          name,
          params,
          ...(req.description !== undefined ? { description: req.description } : {}),
        });
      } else {
        const p = d.presets.find((x) => x.id === id)!;
        Object.assign(p, { name, params, ...(req.description !== undefined ? { description: req.description } : {}) });
      }
    });
    return { library: this.library(), id };
  }

  async rename(req: RenamePresetRequest): Promise<PresetLibrary> {
    this.requireKnown(req.id);
    const name = presetName('name', req.name);
    this.checkNameFree(name, req.id);
    await this.commit((d) => {
      if (BUILTIN_BY_ID.has(req.id)) d.builtins.set(req.id, { ...d.builtins.get(req.id), name });
      else d.presets.find((x) => x.id === req.id)!.name = name;
    });
    return this.library();
  }

  async delete(id: string): Promise<PresetLibrary> {
    if (BUILTIN_BY_ID.has(id)) {
      throw new InklingError(
        'bad_request',
        `“${this.builtinPreset(id).name}” is built in: it cannot be deleted, only reset to its original settings.`,
      );
    }
    this.requireKnown(id);
    await this.commit((d) => {
      d.presets = d.presets.filter((p) => p.id !== id);
      // Whoever used it keeps its values; they just no longer come from a preset.
      const detach = (s: StoredSettings | undefined) => (s && s.presetId === id ? { ...s, presetId: null } : s);
      for (const t of TASK_KINDS) if (d.tasks[t]) d.tasks[t] = detach(d.tasks[t]);
      for (const [key, perTask] of d.documents) {
        const next = { ...perTask };
        for (const t of TASK_KINDS) if (next[t]) next[t] = detach(next[t]);
        d.documents.set(key, next);
      }
    });
    return this.library();
  }

  async reset(id: string): Promise<PresetLibrary> {
    if (!BUILTIN_BY_ID.has(id)) {
      this.requireKnown(id);
      throw new InklingError(
        'bad_request',
        'Only built-in presets can be reset; save or delete a preset you made instead.',
      );
    }
    await this.commit((d) => void d.builtins.delete(id));
    return this.library();
  }

  /**
   * Adds the presets of an export file. A preset whose name is already taken updates that preset
   * (the same file imported twice changes nothing the second time); a built-in preset (named by
   * `builtin`, or by its name in files from older versions that exported them all) updates the
   * built-in's values and is never added as a copy.
   */
  async import(json: string): Promise<ImportedPresets> {
    const incoming = parsePresetExport(json);
    const builtinByName = new Map<string, string>();
    for (const b of BUILTIN_PRESETS) {
      builtinByName.set(b.name.toLowerCase(), b.id);
      builtinByName.set(this.builtinPreset(b.id).name.toLowerCase(), b.id);
    }
    type Plan =
      | { kind: 'builtin'; id: string; params: SamplingParams }
      | { kind: 'update'; id: string; description?: string; params: SamplingParams }
      | { kind: 'add'; preset: StoredPreset };
    const plans: Plan[] = [];
    const imported: string[] = [];
    const updated: string[] = [];
    const added = new Map<string, StoredPreset>();
    for (const p of incoming) {
      const params = storedParams(p.params);
      const lower = p.name.toLowerCase();
      const builtinId = p.builtin && BUILTIN_BY_ID.has(p.builtin) ? p.builtin : builtinByName.get(lower);
      const mine = this.state.presets.find((x) => x.name.toLowerCase() === lower) ?? added.get(lower);
      if (builtinId) {
        plans.push({ kind: 'builtin', id: builtinId, params });
        updated.push(this.builtinPreset(builtinId).name);
      } else if (mine) {
        if (added.has(lower))
          mine.params = params; // the same name twice in one file: the last one wins
        else
          plans.push({
            kind: 'update',
            id: mine.id,
            ...(p.description !== undefined ? { description: p.description } : {}),
            params,
          });
        updated.push(mine.name);
      } else {
        const preset: StoredPreset = { id: newPresetId(), name: p.name, description: p.description ?? '', params };
        added.set(lower, preset);
        plans.push({ kind: 'add', preset });
        imported.push(p.name);
      }
    }
    if (this.state.presets.length + added.size > MAX_USER_PRESETS) {
      throw new InklingError(
        'bad_request',
        `Importing ${added.size} new presets would make more than ${MAX_USER_PRESETS}; delete some first.`,
      );
    }
    await this.commit((d) => {
      for (const plan of plans) {
        if (plan.kind === 'add') d.presets.push(plan.preset);
        else if (plan.kind === 'update') {
          const i = d.presets.findIndex((x) => x.id === plan.id);
          d.presets[i] = {
            ...d.presets[i],
            params: plan.params,
            ...(plan.description !== undefined ? { description: plan.description } : {}),
          };
        } else {
          const change = { ...d.builtins.get(plan.id) };
          // The built-in's own values are no change at all.
          if (sameParams(plan.params, BUILTIN_BY_ID.get(plan.id)!.params)) delete change.params;
          else change.params = plan.params;
          if (Object.keys(change).length) d.builtins.set(plan.id, change);
          else d.builtins.delete(plan.id);
        }
      }
    });
    return { library: this.library(), imported, updated: [...new Set(updated)] };
  }

  /**
   * The writer's presets as an export file. Built-in presets ship with every copy of Inkling, so
   * they are never exported as presets of their own: a built-in the writer changed is exported as
   * its changes (`builtin: <id>`), an unchanged one only when asked for by id; importing either
   * updates the built-in instead of adding a copy.
   */
  async export(ids?: string[]): Promise<string> {
    const all = this.library().presets;
    let chosen = all.filter((p) => !p.builtin || p.modified);
    if (ids) {
      for (const id of ids) this.requireKnown(id);
      chosen = all.filter((p) => ids.includes(p.id));
    }
    const out: PresetExport = {
      format: PRESET_EXPORT_FORMAT,
      version: 1,
      presets: chosen.map((p) => ({
        name: p.name,
        ...(p.description ? { description: p.description } : {}),
        params: p.params,
        ...(p.builtin ? { builtin: p.id } : {}),
      })),
    };
    return JSON.stringify(out, null, 2) + '\n';
  }

  async setTaskSettings(req: SetTaskSettingsRequest): Promise<PresetLibrary> {
    const settings = req.settings;
    if (settings?.presetId) this.requireKnown(settings.presetId);
    const stored: StoredSettings | null = settings
      ? { presetId: settings.presetId, params: fullParams(settings.params) }
      : null;
    await this.commit((d) => {
      if (req.docKey === undefined) {
        if (stored) d.tasks[req.task] = stored;
        else delete d.tasks[req.task];
        return;
      }
      const perTask = { ...d.documents.get(req.docKey) };
      if (stored) perTask[req.task] = stored;
      else delete perTask[req.task];
      d.documents.delete(req.docKey); // re-inserted last: the most recently used
      if (Object.keys(perTask).length) d.documents.set(req.docKey, perTask);
      while (d.documents.size > MAX_DOCUMENT_OVERRIDES) d.documents.delete(d.documents.keys().next().value as string);
    });
    return this.library();
  }

  async setExamples(req: SetExamplesRequest): Promise<PresetLibrary> {
    if (req.examples && req.examples.length === 0) {
      throw new InklingError(
        'bad_request',
        'A translation needs at least one example pair; reset to the built-in examples instead.',
      );
    }
    await this.commit((d) => {
      if (req.examples) d.examples[req.pair] = req.examples.map((e) => ({ ...e }));
      else delete d.examples[req.pair];
    });
    return this.library();
  }

  // ── the file ───────────────────────────────────────────────────────────────────────────────────
  private serialize(s: State): unknown {
    const settings = (x: StoredSettings) => ({ presetId: x.presetId, params: jsonSafeParams(x.params) });
    const tasks: Record<string, unknown> = {};
    for (const t of TASK_KINDS) if (s.tasks[t]) tasks[t] = settings(s.tasks[t]!);
    const documents: Record<string, unknown> = {};
    for (const [key, perTask] of s.documents) {
      const o: Record<string, unknown> = {};
      for (const t of TASK_KINDS) if (perTask[t]) o[t] = settings(perTask[t]!);
      documents[key] = o;
    }
    const builtins: Record<string, unknown> = {};
    for (const [id, b] of s.builtins)
      builtins[id] = { ...b, ...(b.params ? { params: jsonSafeParams(b.params) } : {}) };
    return {
      version: 1,
      presets: s.presets.map((p) => ({ ...p, params: jsonSafeParams(p.params) })),
      builtins,
      tasks,
      documents,
      examples: s.examples,
    };
  }

  /** Keeps every valid part of what was read; each dropped part becomes a warning naming it. */
  private sanitize(raw: unknown): State {
    const state = emptyState();
    const warn = (what: string, e: unknown) =>
      this.warnings.push(`${this.file}: ignoring ${what}: ${(e as Error).message}`);
    if (!isRecord(raw) || raw.version !== 1) {
      this.warnings.push(`${this.file} is not a version 1 presets file; starting from the built-in presets.`);
      return state;
    }
    const names = new Set(BUILTIN_PRESETS.map((b) => b.name.toLowerCase()));
    for (const [i, p] of (Array.isArray(raw.presets) ? raw.presets : []).entries()) {
      try {
        if (!isRecord(p) || typeof p.id !== 'string' || !/^p-[A-Za-z0-9_-]{1,40}$/.test(p.id))
          throw new Error('it has no valid id');
        const name = presetName('name', p.name);
        if (names.has(name.toLowerCase())) throw new Error(`the name “${name}” is used twice`);
        if (state.presets.length >= MAX_USER_PRESETS)
          throw new Error(`there are more than ${MAX_USER_PRESETS} presets`);
        names.add(name.toLowerCase());
        state.presets.push({
          id: p.id,
          name,
          description: typeof p.description === 'string' ? p.description.slice(0, 400) : '',
          params: storedParams(completionParams('params', p.params)),
        });
      } catch (e) {
        warn(`preset ${i + 1}`, e);
      }
    }
    if (isRecord(raw.builtins)) {
      for (const [id, b] of Object.entries(raw.builtins)) {
        try {
          if (!BUILTIN_BY_ID.has(id) || !isRecord(b)) throw new Error('not a built-in preset');
          const change: { name?: string; description?: string; params?: SamplingParams } = {};
          if (b.name !== undefined) change.name = presetName('name', b.name);
          if (typeof b.description === 'string') change.description = b.description.slice(0, 400);
          if (b.params !== undefined) change.params = storedParams(completionParams('params', b.params));
          state.builtins.set(id, change);
        } catch (e) {
          warn(`changes to built-in preset ${id}`, e);
        }
      }
    }
    const known = (id: string | null) => id === null || BUILTIN_BY_ID.has(id) || state.presets.some((p) => p.id === id);
    const readSettings = (where: string, v: unknown): StoredSettings | undefined => {
      try {
        const s = taskSettings(where, v);
        return { presetId: known(s.presetId) ? s.presetId : null, params: storedParams(s.params) };
      } catch (e) {
        warn(where, e);
        return undefined;
      }
    };
    if (isRecord(raw.tasks)) {
      for (const [t, v] of Object.entries(raw.tasks)) {
        try {
          const s = readSettings(`${taskKind('task', t)} settings`, v);
          if (s) state.tasks[t as TaskKind] = s;
        } catch (e) {
          warn(`task settings '${t}'`, e);
        }
      }
    }
    if (isRecord(raw.documents)) {
      for (const [key, perTask] of Object.entries(raw.documents)) {
        try {
          docKey('document key', key);
          if (!isRecord(perTask)) throw new Error('not an object');
          const out: Partial<Record<TaskKind, StoredSettings>> = {};
          for (const [t, v] of Object.entries(perTask)) {
            const s = readSettings(`${taskKind('task', t)} settings of ${key}`, v);
            if (s) out[t as TaskKind] = s;
          }
          if (Object.keys(out).length && state.documents.size < MAX_DOCUMENT_OVERRIDES) state.documents.set(key, out);
        } catch (e) {
          warn(`settings of document ${key.slice(0, 80)}`, e);
        }
      }
    }
    if (isRecord(raw.examples)) {
      for (const [pair, list] of Object.entries(raw.examples)) {
        try {
          const examples = translationExamples(`examples of ${pair}`, list);
          if (examples.length) state.examples[languagePair('pair', pair)] = examples;
        } catch (e) {
          warn(`translation examples '${pair}'`, e);
        }
      }
    }
    return state;
  }
}
