/**
 * Transient messages (engine crashed, a save failed...) in the corner, each dismissible. A notice
 * about a problem goes by itself once the problem is gone: a suggestion failure when a suggestion
 * succeeds or a model becomes ready, a save failure when that document saves.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { Icon } from './Icon';

export function Notices() {
  const { ui, documents, generation, engine } = useApp();
  const notices = useStore(ui, (s) => s.notices);
  const docError = useStore(documents, (s) => s.error);
  const genError = useStore(generation, (s) => s.error);
  useEffect(() => {
    if (genError) ui.getState().notify('error', genError, 'generation');
  }, [genError, ui]);
  useEffect(() => {
    const offGeneration = generation.subscribe((s, before) => {
      if (s.last !== before.last && s.last) ui.getState().resolve('generation');
    });
    const offEngine = engine.subscribe((s, before) => {
      if (s.status.state === 'ready' && before.status.state !== 'ready') {
        ui.getState().resolve('generation');
        ui.getState().resolve('model-load');
      }
    });
    const offDocuments = documents.subscribe((s) => {
      for (const n of ui.getState().notices) {
        if (!n.key?.startsWith('save:')) continue;
        const doc = s.docs[n.key.slice('save:'.length)];
        if (!doc || doc.saveState === 'saved' || doc.saveState === 'autosaved') ui.getState().resolve(n.key);
      }
    });
    return () => {
      offGeneration();
      offEngine();
      offDocuments();
    };
  }, [generation, engine, documents, ui]);
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
        <div
          key={n.id}
          className={`notice ${n.kind}`}
          role={n.kind === 'error' ? 'alert' : 'status'}
          data-testid="notice"
        >
          <span>{n.text}</span>
          <button
            type="button"
            className="notice-close"
            aria-label="Dismiss"
            title="Dismiss this message"
            onClick={() => ui.getState().dismissNotice(n.id)}
          >
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
