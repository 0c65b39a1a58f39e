/**
 * The keyboard settings page: every app shortcut, grouped, each changeable by pressing the new keys.
 * A key the editor needs, a key that would type text, or one another command has is refused — or,
 * for another command's key, handed over on request. Changes apply at once and are saved in the
 * settings.
 */
import { useCallback, useEffect, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { Modal } from '../components/Modal';
import { usePanes } from '../panes/context';
import {
  COMMANDS,
  COMMAND_BY_ID,
  RESERVED,
  conflicts,
  effectiveBindings,
  takenBy,
  withBinding,
  type CommandGroup,
} from './bindings';
import { comboProblem, eventCombo, formatCombo } from './keys';

const GROUPS: CommandGroup[] = ['Documents', 'Writing', 'Side panel', 'Probabilities', 'Help'];

type Pending = { id: string; combo: string; owner: string } | null;

export function ShortcutSettings() {
  const { settings } = useApp();
  const { panel } = usePanes();
  const overrides = useStore(settings, (s) => s.settings.shortcuts ?? {});
  const saveError = useStore(settings, (s) => s.error);
  const bindings = effectiveBindings(overrides);
  const [listening, setListening] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ id: string; text: string } | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const clash = conflicts(bindings);

  useEffect(() => {
    panel.getState().setCapturing(listening !== null);
  }, [listening, panel]);
  useEffect(() => () => panel.getState().setCapturing(false), [panel]);

  const save = (next: Record<string, string>) => void settings.getState().update({ shortcuts: next });
  // Stable: the modal re-focuses its first control whenever onCancel changes.
  const close = useCallback(() => panel.getState().closeShortcutSettings(), [panel]);

  const onCapture = (id: string) => (e: KeyboardEvent<HTMLButtonElement>) => {
    if (listening !== id) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.key === 'Escape' && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey) {
      setListening(null);
      return;
    }
    const combo = eventCombo(e.nativeEvent);
    if (!combo) return; // a modifier alone: keep listening
    setListening(null);
    const why = comboProblem(combo, RESERVED);
    if (why) {
      setProblem({ id, text: why });
      return;
    }
    const owner = takenBy(bindings, combo, id);
    if (owner) {
      setPending({ id, combo, owner });
      setProblem(null);
      return;
    }
    setProblem(null);
    save(withBinding(overrides, id, combo));
  };

  return (
    <Modal title="Keyboard shortcuts" onCancel={close} testId="shortcut-settings" wide>
      <p className="modal-text">
        Choose Change, then press the new keys (Esc cancels). Changes apply at once. The editor's own keys (Tab, Esc,
        Alt+], …) are fixed.
      </p>
      {clash.length ? (
        <p className="field-error" role="alert">
          {clash
            .map(
              (c) =>
                `${formatCombo(c.key)} is set for ${c.ids.map((i) => `“${COMMAND_BY_ID.get(i)?.label}”`).join(' and ')}`,
            )
            .join('; ')}
          . Only the first one runs.
        </p>
      ) : null}
      {saveError ? (
        <p className="field-error" role="alert">
          {saveError}
        </p>
      ) : null}
      <div className="shortcut-groups">
        {GROUPS.map((g) => (
          <section key={g}>
            <h3>{g}</h3>
            <table className="shortcut-table">
              <tbody>
                {COMMANDS.filter((c) => c.group === g).map((c) => {
                  const key = bindings[c.id];
                  const changed = overrides[c.id] !== undefined;
                  return (
                    <tr key={c.id} data-testid="shortcut-row" data-command={c.id}>
                      <th scope="row">{c.label}</th>
                      <td>
                        <button
                          type="button"
                          className={`key-capture${listening === c.id ? ' listening' : ''}`}
                          onClick={() => {
                            setProblem(null);
                            setPending(null);
                            setListening(listening === c.id ? null : c.id);
                          }}
                          onKeyDownCapture={onCapture(c.id)}
                          onBlur={() => listening === c.id && setListening(null)}
                          aria-label={`${c.label}: ${key ? formatCombo(key) : 'no key'}. Change`}
                          data-testid={`shortcut-${c.id}`}
                        >
                          {listening === c.id ? 'Press the keys…' : <kbd>{formatCombo(key)}</kbd>}
                        </button>
                        {changed ? (
                          <button
                            type="button"
                            className="link small"
                            onClick={() => save(withBinding(overrides, c.id, null))}
                            title={`Back to ${formatCombo(c.defaultKey)}`}
                            data-testid={`shortcut-reset-${c.id}`}
                          >
                            Reset
                          </button>
                        ) : null}
                        {key ? (
                          <button
                            type="button"
                            className="link small"
                            onClick={() => save(withBinding(overrides, c.id, ''))}
                            title="No key for this command"
                          >
                            Remove
                          </button>
                        ) : null}
                        {problem?.id === c.id ? (
                          <div className="field-error" role="alert" data-testid="shortcut-problem">
                            {problem.text}
                          </div>
                        ) : null}
                        {pending?.id === c.id ? (
                          <div className="shortcut-conflict" role="alert" data-testid="shortcut-conflict">
                            {formatCombo(pending.combo)} is already the key for “
                            {COMMAND_BY_ID.get(pending.owner)?.label}”.
                            <button
                              type="button"
                              className="button small"
                              onClick={() => {
                                save(withBinding(withBinding(overrides, pending.owner, ''), pending.id, pending.combo));
                                setPending(null);
                              }}
                              data-testid="shortcut-take-over"
                            >
                              Use it here instead
                            </button>
                            <button type="button" className="button small" onClick={() => setPending(null)}>
                              Keep it there
                            </button>
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <div className="modal-actions">
        <button
          type="button"
          className="button danger-quiet"
          disabled={Object.keys(overrides).length === 0}
          onClick={() => save({})}
          data-testid="shortcut-reset-all"
        >
          Reset all
        </button>
        <button type="button" className="button primary" onClick={close} data-autofocus>
          Done
        </button>
      </div>
    </Modal>
  );
}
