/**
 * The sampling pane: which task's parameters to change (Continue — also Tab suggestions —,
 * Translate, Summarize, Ask), for every document or only this one, the preset they come from, and
 * the controls themselves.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import {
  DEFAULT_PARAMS,
  type CompletionParams,
  type Preset,
  type SamplerName,
  type TaskKind,
} from '../../../electron/api';
import { usePanes } from '../panes/context';
import { useActiveDoc } from '../panes/parts';
import { ParamControl, SamplerOrder, SeedControl, WordList, type ResetTo } from './controls';
import { GROUPS, withSamplerOn, type NumericName } from './values';

const TARGETS: { task: TaskKind; label: string; hint: string }[] = [
  {
    task: 'continue',
    label: 'Continue',
    hint: 'The Continue pane and Tab suggestions: both use these values, length and alternatives included',
  },
  { task: 'translate', label: 'Translate', hint: 'The Translate pane' },
  { task: 'summarize', label: 'Summarize', hint: 'The Summarize pane' },
  { task: 'answer', label: 'Ask', hint: 'The Ask pane' },
];

const canon = (p: CompletionParams) =>
  JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, (p as Record<string, unknown>)[k]]),
  );

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

type Mode = null | { kind: 'saveAs' | 'rename'; name: string } | { kind: 'delete' };

function PresetBar({
  task,
  docKey,
  presetId,
  params,
}: {
  task: TaskKind;
  docKey: string | null;
  presetId: string | null;
  params: CompletionParams;
}) {
  const { sampling } = usePanes();
  const presets = useStore(sampling, (s) => s.library?.presets ?? []);
  const [mode, setMode] = useState<Mode>(null);
  const file = useRef<HTMLInputElement>(null);
  const preset: Preset | undefined = presets.find((p) => p.id === presetId);
  const changed = preset ? canon(preset.params) !== canon(params) : false;
  const st = sampling.getState();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!mode || mode.kind === 'delete') return;
    const name = mode.name.trim();
    if (!name) return;
    if (mode.kind === 'saveAs') {
      const id = await st.savePresetAs(name, params);
      if (id) {
        st.applyPreset(task, docKey, id, false);
        setMode(null);
      }
    } else if (preset && (await st.renamePreset(preset.id, name))) {
      setMode(null);
    }
  };

  return (
    <div className="preset-bar" data-testid="preset-bar">
      <label className="field">
        <span>Preset</span>
        <select
          value={presetId ?? ''}
          onChange={(e) => e.target.value && st.applyPreset(task, docKey, e.target.value)}
          data-testid="preset-select"
          title={preset?.description || 'The named set of parameters these come from'}
        >
          {presetId === null ? <option value="">Custom (not saved as a preset)</option> : null}
          <optgroup label="Built in">
            {presets
              .filter((p) => p.builtin)
              .map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                  {p.modified ? ' (changed)' : ''}
                </option>
              ))}
          </optgroup>
          {presets.some((p) => !p.builtin) ? (
            <optgroup label="Your presets">
              {presets
                .filter((p) => !p.builtin)
                .map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                  </option>
                ))}
            </optgroup>
          ) : null}
        </select>
      </label>
      {preset?.description ? <p className="param-help">{preset.description}</p> : null}
      {changed ? (
        <p className="preset-changed" data-testid="preset-changed">
          Changed from “{preset!.name}”.
        </p>
      ) : null}
      {mode && mode.kind !== 'delete' ? (
        <form className="preset-form" onSubmit={(e) => void submit(e)}>
          <input
            autoFocus
            value={mode.name}
            onChange={(e) => setMode({ ...mode, name: e.target.value })}
            onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setMode(null))}
            maxLength={80}
            aria-label={mode.kind === 'saveAs' ? 'Name of the new preset' : 'New name'}
            placeholder="Preset name"
            data-testid="preset-name"
          />
          <button
            type="submit"
            className="button primary small"
            disabled={!mode.name.trim()}
            data-testid="preset-name-ok"
          >
            {mode.kind === 'saveAs' ? 'Save' : 'Rename'}
          </button>
          <button type="button" className="button small" onClick={() => setMode(null)}>
            Cancel
          </button>
        </form>
      ) : mode?.kind === 'delete' && preset ? (
        <div className="preset-form" role="alertdialog" aria-label="Delete the preset?">
          <span>Delete “{preset.name}”?</span>
          <button
            type="button"
            className="button small danger"
            autoFocus
            onClick={() => void st.deletePreset(preset.id).then(() => setMode(null))}
            data-testid="preset-delete-ok"
          >
            Delete
          </button>
          <button type="button" className="button small" onClick={() => setMode(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="pane-actions wrap">
          <button
            type="button"
            className="button small"
            disabled={!preset || !changed}
            onClick={() => preset && void st.overwritePreset(preset.id, preset.name, params)}
            data-testid="preset-save"
            title={preset ? `Save these values into “${preset.name}”` : 'Choose a preset first'}
          >
            Save
          </button>
          <button
            type="button"
            className="button small"
            onClick={() => setMode({ kind: 'saveAs', name: '' })}
            data-testid="preset-save-as"
            title="Save these values as a new preset"
          >
            Save as…
          </button>
          <button
            type="button"
            className="button small"
            disabled={!preset}
            onClick={() => preset && setMode({ kind: 'rename', name: preset.name })}
            data-testid="preset-rename"
          >
            Rename…
          </button>
          {preset?.builtin ? (
            <button
              type="button"
              className="button small"
              disabled={!preset.modified && !changed}
              onClick={() => void st.resetPreset(preset.id).then((ok) => ok && st.applyPreset(task, docKey, preset.id))}
              data-testid="preset-reset"
              title="Back to the preset's original name and values"
            >
              Reset
            </button>
          ) : (
            <button
              type="button"
              className="button small"
              disabled={!preset}
              onClick={() => setMode({ kind: 'delete' })}
              data-testid="preset-delete"
            >
              Delete
            </button>
          )}
          <button
            type="button"
            className="button small"
            onClick={() => void st.exportPresets().then((json) => json && download('inkling-presets.json', json))}
            data-testid="preset-export"
            title="Save every preset to a JSON file"
          >
            Export…
          </button>
          <button
            type="button"
            className="button small"
            onClick={() => file.current?.click()}
            data-testid="preset-import"
            title="Add the presets of a JSON file"
          >
            Import…
          </button>
          <input
            ref={file}
            type="file"
            accept=".json,application/json"
            hidden
            data-testid="preset-import-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void f.text().then((json) => st.importPresets(json));
            }}
          />
        </div>
      )}
    </div>
  );
}

export function SamplingPane() {
  const panes = usePanes();
  const { sampling } = panes;
  const { docId } = useActiveDoc();
  const target = useStore(sampling, (s) => s.target);
  const library = useStore(sampling, (s) => s.library);
  const message = useStore(sampling, (s) => s.message);
  const error = useStore(sampling, (s) => s.error);
  const docKey = panes.docKey(docId);
  if (!library) {
    return (
      <div className="pane" data-testid="sampling-pane">
        {error ? <p className="field-error">{error}</p> : <p className="pane-empty">Loading the presets…</p>}
      </div>
    );
  }
  const { settings, overridden } = sampling.getState().effective(target, docKey);
  const p = settings.params;
  const set = (patch: CompletionParams) => sampling.getState().update(target, docKey, withSamplerOn(p, patch));
  const num = (v: unknown, fallback: number) => (typeof v === 'number' ? v : fallback);
  // Each control resets to the value of the preset these settings come from (the engine's default
  // when they come from none).
  const preset = library.presets.find((x) => x.id === settings.presetId);
  const resetTo = (name: NumericName): ResetTo => {
    const v = preset?.params[name];
    return typeof v === 'number'
      ? { value: v, from: `“${preset!.name}”` }
      : { value: DEFAULT_PARAMS[name], from: 'the default' };
  };
  return (
    <div className="pane" data-testid="sampling-pane">
      <div className="segmented" role="radiogroup" aria-label="Settings for">
        {TARGETS.map((t) => (
          <button
            key={t.task}
            type="button"
            role="radio"
            aria-checked={target === t.task}
            className={target === t.task ? 'on' : ''}
            onClick={() => sampling.getState().setTarget(t.task)}
            title={t.hint}
            data-testid={`sampling-target-${t.task}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <p className="param-help">{TARGETS.find((t) => t.task === target)?.hint}.</p>
      {docKey ? (
        <label className="check" title="Give this document its own settings for this task; other documents keep theirs">
          <input
            type="checkbox"
            checked={overridden}
            onChange={(e) => void sampling.getState().setOverride(target, docKey, e.target.checked)}
            data-testid="sampling-override"
          />
          <span>Only for this document</span>
        </label>
      ) : null}
      <PresetBar task={target} docKey={docKey} presetId={settings.presetId} params={p} />
      {message || error ? (
        <p className={error ? 'field-error' : 'pane-note'} role="status" data-testid="sampling-message">
          {error ?? message}
        </p>
      ) : null}
      {GROUPS.map((g) => (
        <fieldset key={g.title} className="param-group" data-testid={`param-group-${g.names[0]}`}>
          <legend>{g.title}</legend>
          {g.help ? <p className="param-help">{g.help}</p> : null}
          {g.title === 'Length' && target === 'continue' ? (
            <p className="param-help" data-testid="length-used-by">
              Tab suggestions and the Continue pane both use these two.
            </p>
          ) : null}
          {g.names.map((name) => (
            <ParamControl
              key={name}
              name={name}
              value={num(p[name], DEFAULT_PARAMS[name])}
              onChange={(v) => set({ [name]: v })}
              reset={resetTo(name)}
            />
          ))}
          {g.names[0] === 'dryMultiplier' ? (
            <WordList
              name="drySequenceBreakers"
              values={p.drySequenceBreakers ?? [...DEFAULT_PARAMS.drySequenceBreakers]}
              onChange={(drySequenceBreakers) => set({ drySequenceBreakers })}
              placeholder='e.g. \n or "'
            />
          ) : null}
        </fieldset>
      ))}
      <SeedControl value={typeof p.seed === 'number' ? p.seed : null} onChange={(seed) => set({ seed })} />
      <WordList
        name="stop"
        values={p.stop ?? []}
        onChange={(stop) => set({ stop })}
        placeholder="e.g. \n\n or THE END"
      />
      <WordList
        name="bannedWords"
        values={p.bannedWords ?? []}
        onChange={(bannedWords) => set({ bannedWords })}
        placeholder="a word never to write"
      />
      <SamplerOrder
        order={(p.samplerOrder ?? []) as SamplerName[]}
        onChange={(samplerOrder) => set({ samplerOrder })}
      />
    </div>
  );
}
