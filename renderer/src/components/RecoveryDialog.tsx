/**
 * Offered at start when hot-exit backups exist (the app or the computer stopped with unsaved text):
 * each backup with its name, age and first line, restore the chosen ones or discard them.
 */
import { useState } from 'react';
import type { BackupInfo } from '../../../electron/api';
import { useApp } from '../app/context';
import { Modal } from './Modal';

function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(ms).toLocaleString();
}

export function RecoveryDialog({ backups }: { backups: BackupInfo[] }) {
  const { commands, ui } = useApp();
  // Esc decides later: the backups stay on disk and are offered again on the next start.
  const later = () => {
    ui.getState().closeDialog();
    void commands.ensureDocument();
  };
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(backups.map((b) => b.id)));
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const restore = () => void commands.restoreBackups(backups.filter((b) => chosen.has(b.id)).map((b) => b.id));
  return (
    <Modal title="Recover unsaved work" onCancel={later} testId="recovery-dialog" wide>
      <p className="modal-text">
        Inkling closed before {backups.length === 1 ? 'this document was' : 'these documents were'} saved. Your text was
        backed up as you typed — choose what to bring back.
      </p>
      <ul className="backup-list">
        {backups.map((b) => (
          <li key={b.id} className="backup">
            <label title={b.path ?? 'Untitled document (never saved)'}>
              <input
                type="checkbox"
                checked={chosen.has(b.id)}
                onChange={() => toggle(b.id)}
                aria-label={`Restore ${b.name}`}
              />
              <span className="backup-main">
                <span className="backup-name">
                  {b.name}
                  {b.dirty ? <span className="badge">unsaved changes</span> : null}
                </span>
                <span className="backup-preview">{b.preview || '(empty)'}</span>
                <span className="backup-meta">
                  {b.chars.toLocaleString()} characters · backed up {age(b.updatedAt)}
                  {b.path ? ` · ${b.path}` : ''}
                </span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <div className="modal-actions">
        <button
          type="button"
          className="button danger-quiet"
          title="Delete these backups for good; the files on disk stay as they were last saved"
          onClick={() => void commands.discardBackups(backups.map((b) => b.id))}
          data-testid="discard-backups"
        >
          Discard all
        </button>
        <button
          type="button"
          className="button primary"
          onClick={restore}
          disabled={chosen.size === 0}
          data-autofocus
          title="Open the chosen backups as documents"
          data-testid="restore-backups"
        >
          Restore {chosen.size === backups.length ? (backups.length > 1 ? 'all' : '') : `${chosen.size}`}
        </button>
      </div>
    </Modal>
  );
}
