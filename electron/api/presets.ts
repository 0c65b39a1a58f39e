/**
 * Sampling presets in the contract: named parameter sets (built-in ones from the GPT-2 paper and the
 * writer's own), the parameters each task uses (globally, or overridden for one document), and the
 * translation examples the writer edited. The presets service (electron/services/presets) stores
 * them; the sampling pane shows them. Validators live here; no Node imports.
 */
import type { SamplingParams } from '../engine/generate/params';
import { InklingError } from './errors';
import {
  languagePair,
  taskKind,
  translationExamples,
  type LanguagePair,
  type TaskKind,
  type TranslationExample,
} from './tasks';
import type { CompletionParams } from './types';
import { describeValue } from '../common/describe';
import { completionParams, fail, object as plain } from './check';

export interface Preset {
  /** "builtin:…" for the shipped presets, "p-…" for the writer's own. */
  id: string;
  name: string;
  description: string;
  builtin: boolean;
  /** A built-in preset the writer changed (resetPreset restores it). */
  modified: boolean;
  /** Every sampling parameter (a complete set). logitBias bans travel as "-inf". */
  params: CompletionParams;
}

/** The parameters one task uses, and the preset they came from (null: none, or it was deleted). */
export interface TaskSettings {
  presetId: string | null;
  params: CompletionParams;
}

export interface PresetLibrary {
  presets: Preset[];
  /** The parameters each task uses by default. */
  tasks: Record<TaskKind, TaskSettings>;
  /** Per-document overrides, by document key ("path:<file>" or "doc:<docId>"). */
  documents: Record<string, Partial<Record<TaskKind, TaskSettings>>>;
  /** Translation examples the writer edited (pairs not listed use the built-in examples). */
  examples: Partial<Record<LanguagePair, TranslationExample[]>>;
}

export interface SavePresetRequest {
  /** Overwrite this preset (a built-in one becomes "modified"); without it, a new preset is made. */
  id?: string;
  name: string;
  description?: string;
  params: CompletionParams;
}

export interface SavedPreset {
  library: PresetLibrary;
  id: string;
}

export interface RenamePresetRequest {
  id: string;
  name: string;
}

export interface SetTaskSettingsRequest {
  task: TaskKind;
  /** A document key: the settings apply to that document only. Without it: to every document. */
  docKey?: string;
  /** null: remove the document's override (or, without docKey, go back to the task's paper preset). */
  settings: TaskSettings | null;
}

export interface SetExamplesRequest {
  pair: LanguagePair;
  /** null: back to the built-in examples. */
  examples: TranslationExample[] | null;
}

export interface ImportedPresets {
  library: PresetLibrary;
  /** Names of the presets added. */
  imported: string[];
  /**
   * Names of presets that already existed (same name, or a built-in preset) and took the file's
   * values: importing the same file twice changes nothing the second time and never duplicates.
   */
  updated: string[];
}

/** The JSON a preset export holds (and an import accepts; a bare list of presets is accepted too). */
export const PRESET_EXPORT_FORMAT = 'inkling-presets';
export interface PresetExport {
  format: typeof PRESET_EXPORT_FORMAT;
  version: 1;
  /** `builtin`: the id of the built-in preset these are changes to (never a preset of its own). */
  presets: { name: string; description?: string; params: CompletionParams; builtin?: string }[];
}

export const MAX_PRESET_NAME = 80;
export const MAX_PRESET_DESCRIPTION = 400;
export const MAX_DOC_KEY = 4200;
/** Largest preset file an import accepts (characters). */
export const MAX_IMPORT_CHARS = 1_000_000;

const PRESET_ID_RE = /^(builtin:[a-z0-9-]{1,40}|p-[A-Za-z0-9_-]{1,40})$/;

/** The key per-document settings are stored under: the file path when saved, else the session's id. */
export function documentKey(doc: { docId: string; path: string | null }): string {
  return doc.path ? `path:${doc.path}` : `doc:${doc.docId}`;
}

/**
 * Parameters as they may travel in JSON: -Infinity (a banned token) becomes "-inf", which every
 * validator reads back as -Infinity. (JSON.stringify would turn -Infinity into null.)
 */
export function jsonSafeParams(p: Readonly<SamplingParams> | CompletionParams): CompletionParams {
  const out: CompletionParams = { ...p };
  if (p.logitBias) {
    const bias: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(p.logitBias)) bias[k] = v === -Infinity ? '-inf' : v;
    // The wire type says number; "-inf" is the documented spelling of -Infinity on JSON transports.
    out.logitBias = bias as unknown as Record<number, number>;
  }
  return out;
}

// ── validators ───────────────────────────────────────────────────────────────────────────────────
export function presetId(where: string, v: unknown): string {
  if (typeof v !== 'string' || !PRESET_ID_RE.test(v)) {
    fail(where, `a preset id (like "builtin:gpt2-topk40" or "p-…")`, v);
  }
  return v;
}

export function presetName(where: string, v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '' || v.trim().length > MAX_PRESET_NAME || /[\u0000-\u001f]/.test(v)) {
    fail(where, `a name of 1–${MAX_PRESET_NAME} characters (no line breaks)`, v);
  }
  return v.trim();
}

function description(where: string, v: unknown): string {
  if (typeof v !== 'string' || v.length > MAX_PRESET_DESCRIPTION) {
    fail(where, `text of at most ${MAX_PRESET_DESCRIPTION} characters`, v);
  }
  return v;
}

export function docKey(where: string, v: unknown): string {
  if (typeof v !== 'string' || !/^(path|doc):./s.test(v) || v.length > MAX_DOC_KEY || v.includes('\0')) {
    fail(where, `a document key ("path:<file>" or "doc:<id>")`, v);
  }
  return v;
}

export function taskSettings(where: string, v: unknown): TaskSettings {
  const o = plain(where, v, ['presetId', 'params']);
  return {
    presetId: o.presetId === null ? null : presetId(`${where}.presetId`, o.presetId),
    params: completionParams(`${where}.params`, o.params),
  };
}

export function savePresetRequest(v: unknown): SavePresetRequest {
  const w = 'savePreset: request';
  const o = plain(w, v, ['id', 'name', 'description', 'params']);
  return {
    ...(o.id !== undefined ? { id: presetId(`${w}.id`, o.id) } : {}),
    name: presetName(`${w}.name`, o.name),
    ...(o.description !== undefined ? { description: description(`${w}.description`, o.description) } : {}),
    params: completionParams(`${w}.params`, o.params),
  };
}

export function renamePresetRequest(v: unknown): RenamePresetRequest {
  const w = 'renamePreset: request';
  const o = plain(w, v, ['id', 'name']);
  return { id: presetId(`${w}.id`, o.id), name: presetName(`${w}.name`, o.name) };
}

export function setTaskSettingsRequest(v: unknown): SetTaskSettingsRequest {
  const w = 'setTaskSettings: request';
  const o = plain(w, v, ['task', 'docKey', 'settings']);
  return {
    task: taskKind(`${w}.task`, o.task),
    ...(o.docKey !== undefined ? { docKey: docKey(`${w}.docKey`, o.docKey) } : {}),
    settings: o.settings === null ? null : taskSettings(`${w}.settings`, o.settings),
  };
}

export function setExamplesRequest(v: unknown): SetExamplesRequest {
  const w = 'setTranslationExamples: request';
  const o = plain(w, v, ['pair', 'examples']);
  return {
    pair: languagePair(`${w}.pair`, o.pair),
    examples: o.examples === null ? null : translationExamples(`${w}.examples`, o.examples),
  };
}

export function presetIdList(where: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.length > 1000) fail(where, `a list of preset ids`, v);
  return v.map((id, i) => presetId(`${where}[${i}]`, id));
}

/**
 * Reads a preset export (or a bare list of presets): each preset's name and parameters are checked
 * by the same validators as everything else, so a file can never carry a value the engine refuses.
 */
export function parsePresetExport(json: string): PresetExport['presets'] {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new InklingError('bad_request', `The presets file is not valid JSON (${(e as Error).message}).`);
  }
  let list: unknown = data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const o = data as Record<string, unknown>;
    if (o.format !== PRESET_EXPORT_FORMAT) {
      throw new InklingError(
        'bad_request',
        `The file is not an Inkling presets file (expected "format": "${PRESET_EXPORT_FORMAT}").`,
      );
    }
    if (o.version !== 1)
      throw new InklingError(
        'bad_request',
        `The presets file has version ${describeValue(o.version)}; this Inkling reads version 1.`,
      );
    list = o.presets;
  }
  if (!Array.isArray(list)) throw new InklingError('bad_request', 'The presets file must hold a list of presets.');
  if (list.length === 0) throw new InklingError('bad_request', 'The presets file holds no presets.');
  if (list.length > 200)
    throw new InklingError('bad_request', `The presets file holds ${list.length} presets; the limit is 200.`);
  return list.map((item, i) => {
    const w = `Preset ${i + 1}`;
    const o = plain(w, item, ['id', 'name', 'description', 'params', 'builtin', 'modified']);
    // A built-in preset is named by `builtin: "<id>"` (this version's exports) or, in a copy of the
    // library's list, by its id with `builtin: true`.
    const builtinId =
      typeof o.builtin === 'string' ? o.builtin : o.builtin === true && typeof o.id === 'string' ? o.id : undefined;
    return {
      name: presetName(`${w}: name`, o.name),
      ...(o.description !== undefined ? { description: description(`${w}: description`, o.description) } : {}),
      params: completionParams(`${w}: params`, o.params),
      ...(builtinId !== undefined && /^builtin:[a-z0-9-]{1,40}$/.test(builtinId) ? { builtin: builtinId } : {}),
    };
  });
}
