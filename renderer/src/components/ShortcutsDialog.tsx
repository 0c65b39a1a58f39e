/** Every keyboard path, in one list (also the README's table). */
import { useApp } from '../app/context';
import { Modal } from './Modal';
import { alt, mod, shortcut } from './keys';

export function ShortcutsDialog() {
  const { ui } = useApp();
  const rows: [string, string][] = [
    ['Tab', 'Ask for a continuation; when one is shown, accept it (at the start of a line Tab indents)'],
    [shortcut(mod(), 'Space'), 'Ask for a (new) continuation'],
    [shortcut(mod(), '→'), 'Accept the next word of the suggestion'],
    [`${shortcut(alt(), ']')} / ${shortcut(alt(), '[')}`, 'Next / previous alternative'],
    ['Esc', 'Dismiss the suggestion and stop generating'],
    [shortcut(mod(), 'Z'), 'Undo (an accepted suggestion is one step)'],
    [shortcut(mod(), 'N'), 'New document'],
    [shortcut(mod(), 'O'), 'Open a file'],
    [shortcut(mod(), 'S'), 'Save'],
    [shortcut(mod(), 'Shift', 'S'), 'Save as'],
    [shortcut(mod(), 'F'), 'Find and replace'],
  ];
  return (
    <Modal title="Keyboard shortcuts" onCancel={() => ui.getState().closeDialog()} testId="shortcuts-dialog">
      <table className="shortcuts">
        <tbody>
          {rows.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="modal-actions">
        <button type="button" className="button primary" onClick={() => ui.getState().closeDialog()} data-autofocus>
          Done
        </button>
      </div>
    </Modal>
  );
}
