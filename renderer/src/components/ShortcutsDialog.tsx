/**
 * The keyboard cheat sheet (Ctrl/Cmd+/): the editor's own keys, then every app shortcut as the
 * writer has bound it (renderer/src/keyboard), with the way to change them.
 */
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { COMMANDS, EDITOR_KEYS, effectiveBindings, formatCombo } from '../keyboard';
import { Modal } from './Modal';

export function ShortcutsDialog() {
  const { ui, settings, panes } = useApp();
  const overrides = useStore(settings, (s) => s.settings.shortcuts ?? {});
  const bindings = effectiveBindings(overrides);
  const rows: [string, string][] = [
    ...EDITOR_KEYS.map((k): [string, string] => [formatCombo(k.key), k.label]),
    ...COMMANDS.filter((c) => bindings[c.id]).map((c): [string, string] => [formatCombo(bindings[c.id]), c.label]),
  ];
  return (
    <Modal title="Keyboard shortcuts" onCancel={() => ui.getState().closeDialog()} testId="shortcuts-dialog" wide>
      <table className="shortcuts">
        <tbody>
          {rows.map(([k, what]) => (
            <tr key={`${k}:${what}`}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="modal-actions">
        <button
          type="button"
          className="button"
          onClick={() => {
            ui.getState().closeDialog();
            panes.panel.getState().openShortcutSettings();
          }}
          data-testid="change-shortcuts"
        >
          Change shortcuts…
        </button>
        <button type="button" className="button primary" onClick={() => ui.getState().closeDialog()} data-autofocus>
          Done
        </button>
      </div>
    </Modal>
  );
}
