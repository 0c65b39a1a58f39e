/** Transient messages (engine crashed, a save failed...) in the corner, each dismissible. */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { Icon } from './Icon';

export function Notices() {
  const { ui, documents, generation } = useApp();
  const notices = useStore(ui, (s) => s.notices);
  const docError = useStore(documents, (s) => s.error);
  const genError = useStore(generation, (s) => s.error);
  useEffect(() => {
    if (genError) ui.getState().notify('error', genError);
  }, [genError, ui]);
  useEffect(() => {
    if (docError) {
      ui.getState().notify('error', docError);
      documents.getState().clearError();
    }
  }, [docError, ui, documents]);
  useEffect(() => {
    // Information fades by itself; errors stay until dismissed.
    const info = notices.filter((n) => n.kind === 'info');
    if (info.length === 0) return;
    const t = setTimeout(() => info.forEach((n) => ui.getState().dismissNotice(n.id)), 6000);
    return () => clearTimeout(t);
  }, [notices, ui]);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
          <span>{n.text}</span>
          <button type="button" className="notice-close" aria-label="Dismiss" title="Dismiss this message" onClick={() => ui.getState().dismissNotice(n.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
