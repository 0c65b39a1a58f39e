/**
 * The document's memory: text the model reads before the document on every continuation (who is
 * who, the setting, the style). It is stored in Inkling's data folder with the document's path,
 * not in the file. The dialog counts its tokens as the writer types, since memory takes room from
 * the window.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../electron/api';
import { useApp } from '../app/context';
import { Modal } from './Modal';

export function MemoryDialog({ docId }: { docId: string }) {
  const { api, ui, generation, sessions } = useApp();
  const [memory, setMemory] = useState<string | null>(null);
  const [tokens, setTokens] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const countSeq = useRef(0);

  useEffect(() => {
    let live = true;
    api.getDocumentMemory(docId).then(
      (m) => live && setMemory(m.memory),
      (e: unknown) => {
        if (!live) return;
        setMemory('');
        setError(errorMessage(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api, docId]);

  // Token count, after a short pause in typing (no model: no count, the text still saves).
  useEffect(() => {
    if (memory === null) return;
    const seq = ++countSeq.current;
    const t = setTimeout(() => {
      const text = memory.trim() ? `${memory.trim()}\n\n` : '';
      if (!text) return setTokens(0);
      api.countTokens(text).then(
        (n) => seq === countSeq.current && setTokens(n),
        () => seq === countSeq.current && setTokens(null),
      );
    }, 250);
    return () => clearTimeout(t);
  }, [api, memory]);

  const close = () => ui.getState().closeDialog();
  const save = async (e?: FormEvent) => {
    e?.preventDefault();
    if (memory === null) return;
    setBusy(true);
    try {
      await api.setDocumentMemory({ docId, memory });
      close();
      // The status bar and the window marker show the new budget at once.
      const view = sessions.editorView;
      if (view && sessions.shownId === docId)
        generation.getState().measureContext(docId, view.state.doc.sliceString(0, view.state.selection.main.head), 0);
      view?.focus();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Memory for this document" onCancel={close} testId="memory-dialog" wide>
      <form onSubmit={(e) => void save(e)}>
        <p className="modal-text">
          The model reads this before your text on every continuation, so it never forgets it: characters, setting,
          style, what happened in earlier chapters. It takes room from the model's window (the status bar shows how
          much), and is kept in Inkling's data folder for this document, not in the file.
        </p>
        <label className="field stacked">
          <span>Memory</span>
          <textarea
            rows={8}
            value={memory ?? ''}
            disabled={memory === null}
            onChange={(e) => setMemory(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void save();
            }}
            placeholder="Ishmael narrates. Queequeg is his friend, a harpooneer. Ahab commands the Pequod…"
            data-autofocus
            data-testid="memory-input"
            aria-describedby="memory-count"
          />
        </label>
        <p className="muted" id="memory-count" data-testid="memory-count" aria-live="polite">
          {memory === null
            ? 'Loading…'
            : tokens === null
              ? 'Tokens are counted once a model is loaded.'
              : `${tokens} tokens`}
        </p>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="modal-actions">
          <button
            type="button"
            className="button"
            onClick={() => setMemory('')}
            disabled={!memory}
            title="Empty the memory (then Save)"
          >
            Clear
          </button>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            className="button primary"
            disabled={busy || memory === null}
            data-testid="memory-save"
            title="Save the memory (Ctrl/Cmd+Enter)"
          >
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
