/** The dialog currently open in the UI store, if any. */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { RecentFile } from '../../../electron/api';
import { useApp } from '../app/context';
import { Modal } from './Modal';
import { RecoveryDialog } from './RecoveryDialog';
import { ShortcutsDialog } from './ShortcutsDialog';
import { MemoryDialog } from './MemoryDialog';
import { GenerationHistory } from '../desk/GenerationHistory';
import { ExportDialog } from '../desk/ExportDialog';

function PathDialog(props: {
  title: string;
  text: string;
  label: string;
  action: string;
  initial?: string;
  placeholder: string;
  testId: string;
  recent?: RecentFile[];
  onSubmit: (path: string) => Promise<unknown>;
}) {
  const { ui } = useApp();
  const [path, setPath] = useState(props.initial ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!path.trim()) return;
    setBusy(true);
    try {
      await props.onSubmit(path.trim());
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.title} onCancel={() => ui.getState().closeDialog()} testId={props.testId}>
      <form onSubmit={(e) => void submit(e)}>
        <p className="modal-text">{props.text}</p>
        <label className="field stacked">
          <span>{props.label}</span>
          <input
            type="text"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder={props.placeholder}
            spellCheck={false}
            data-autofocus
            data-testid="path-input"
            aria-label={props.label}
          />
        </label>
        {props.recent && props.recent.length > 0 ? (
          <div className="recent">
            <h3>Recent files</h3>
            <ul>
              {props.recent.slice(0, 8).map((r) => (
                <li key={r.path}>
                  <button type="button" className="link" title={r.path} onClick={() => void props.onSubmit(r.path)}>
                    {r.name} <span className="muted">{r.path}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div className="modal-actions">
          <button type="button" className="button" onClick={() => ui.getState().closeDialog()}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy || !path.trim()} data-testid="path-submit">
            {props.action}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function OpenDialog() {
  const { api, commands, ui } = useApp();
  const [recent, setRecent] = useState<RecentFile[]>([]);
  useEffect(() => {
    api.listRecentFiles().then(setRecent, () => setRecent([]));
  }, [api]);
  return (
    <PathDialog
      title="Open a file"
      text="Type the full path of a .txt or .md file on this computer."
      label="File path"
      action="Open"
      placeholder="/home/you/Documents/draft.md"
      testId="open-dialog"
      recent={recent}
      onSubmit={async (path) => {
        if (await commands.openPath(path)) ui.getState().closeDialog();
      }}
    />
  );
}

function SaveAsDialog({ docId, path }: { docId: string; path?: string }) {
  const { commands, documents } = useApp();
  const meta = useStore(documents, (s) => s.docs[docId]);
  return (
    <PathDialog
      title={`Save “${meta?.name ?? 'Untitled'}”`}
      text="Type the full path to save to; end it in .md for Markdown or .txt for plain text."
      label="Save to"
      action="Save"
      initial={path ?? meta?.path ?? ''}
      placeholder="/home/you/Documents/draft.md"
      testId="save-dialog"
      onSubmit={(path) => commands.saveTo(docId, path)}
    />
  );
}

/**
 * The typed path names a file that exists: nothing is written until the writer says Replace.
 * Focus starts on Cancel (the safe answer); Tab reaches Replace; Esc or Cancel goes back to the
 * path, kept as typed, to choose another name.
 */
function ConfirmReplaceDialog({ docId, path, then }: { docId: string; path: string; then?: 'close' }) {
  const { commands, ui } = useApp();
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const name = path.slice(cut + 1);
  const folder = cut > 0 ? path.slice(0, cut) : path.slice(0, cut + 1);
  // Stable: the modal re-focuses its first control whenever onCancel changes.
  const back = useCallback(
    () => ui.getState().openDialog({ kind: 'saveAs', docId, path, ...(then ? { then } : {}) }),
    [ui, docId, path, then],
  );
  return (
    <Modal title={`Replace “${name}”?`} onCancel={back} testId="confirm-replace">
      <p className="modal-text">
        A file named “{name}” already exists in {folder}. Replacing it overwrites everything it holds now.
      </p>
      <div className="modal-actions">
        <button
          type="button"
          className="button"
          onClick={back}
          data-autofocus
          title="Keep the existing file and choose another name"
          data-testid="replace-cancel"
        >
          Cancel
        </button>
        <button
          type="button"
          className="button danger-solid"
          onClick={() => void commands.saveTo(docId, path, true)}
          title={`Overwrite ${path} with this document`}
          data-testid="replace-confirm"
        >
          Replace
        </button>
      </div>
    </Modal>
  );
}

function LoadModelDialog() {
  const { commands, ui } = useApp();
  return (
    <PathDialog
      title="Load a model"
      text="Type the path of a folder that holds a GPT-2 model (converted by `inkling`, or a Hugging Face ONNX export)."
      label="Model folder"
      action="Load"
      placeholder="/home/you/.inkling/models/gpt2"
      testId="model-dialog"
      onSubmit={async (dir) => {
        if (await commands.loadModel(dir)) ui.getState().closeDialog();
      }}
    />
  );
}

/**
 * Another program changed the document's file since Inkling last read or wrote it (a sync client,
 * another editor, a `git checkout`). Nothing is written until the writer chooses, and no choice
 * loses a version: keeping mine keeps theirs as a copy beside the file, loading theirs is one undo
 * step away from mine, and Save as leaves their file as it is. Esc leaves the document unsaved.
 */
function FileChangedDialog({ docId }: { docId: string }) {
  const { commands, documents } = useApp();
  const meta = useStore(documents, (s) => s.docs[docId]);
  const name = meta?.name ?? 'This document';
  const cancel = useCallback(() => void commands.resolveChanged(docId, 'cancel'), [commands, docId]);
  return (
    <Modal title={`“${name}” changed on disk`} onCancel={cancel} testId="file-changed">
      <p className="modal-text">
        Another program changed this file since you last opened or saved it here. Your version is still in the editor,
        not saved. Keep mine saves it and keeps the other version as a copy beside the file; Load theirs can be undone.
      </p>
      <div className="modal-actions">
        <button
          type="button"
          className="button"
          onClick={() => void commands.resolveChanged(docId, 'saveAs')}
          title="Save your version under another name; the file keeps the other version"
          data-testid="changed-save-as"
        >
          Save as…
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void commands.resolveChanged(docId, 'theirs')}
          title="Replace your text with the file's; undo brings yours back"
          data-testid="changed-load-theirs"
        >
          Load theirs
        </button>
        <button
          type="button"
          className="button primary"
          onClick={() => void commands.resolveChanged(docId, 'mine')}
          data-autofocus
          title="Save your version; the other one is kept as a copy beside the file"
          data-testid="changed-keep-mine"
        >
          Keep mine
        </button>
      </div>
    </Modal>
  );
}

function ConfirmCloseDialog({ docId }: { docId: string }) {
  const { commands, documents } = useApp();
  const name = useStore(documents, (s) => s.docs[docId]?.name ?? 'this document');
  return (
    <Modal
      title={`Save changes to “${name}”?`}
      onCancel={() => void commands.resolveClose(docId, 'cancel')}
      testId="confirm-close"
    >
      <p className="modal-text">Your changes will be lost if you close without saving.</p>
      <div className="modal-actions">
        <button
          type="button"
          className="button danger-quiet"
          onClick={() => void commands.resolveClose(docId, 'discard')}
          title="Close and throw the unsaved changes away"
          data-testid="discard-changes"
        >
          Don’t save
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void commands.resolveClose(docId, 'cancel')}
          title="Keep the document open"
        >
          Cancel
        </button>
        <button
          type="button"
          className="button primary"
          onClick={() => void commands.resolveClose(docId, 'save')}
          data-autofocus
          title="Save, then close"
        >
          Save
        </button>
      </div>
    </Modal>
  );
}

function ConfirmQuitDialog({ count }: { count: number }) {
  const { commands } = useApp();
  return (
    <Modal
      title={`${count} document${count > 1 ? 's have' : ' has'} unsaved changes`}
      onCancel={() => void commands.resolveQuit('cancel')}
      testId="confirm-quit"
    >
      <p className="modal-text">Save them before Inkling closes?</p>
      <div className="modal-actions">
        <button
          type="button"
          className="button danger-quiet"
          onClick={() => void commands.resolveQuit('discard')}
          title="Close Inkling and throw the unsaved changes away"
        >
          Don’t save
        </button>
        <button
          type="button"
          className="button"
          onClick={() => void commands.resolveQuit('cancel')}
          title="Keep Inkling open"
        >
          Cancel
        </button>
        <button
          type="button"
          className="button primary"
          onClick={() => void commands.resolveQuit('save')}
          data-autofocus
          title="Save every document, then close"
        >
          Save all
        </button>
      </div>
    </Modal>
  );
}

export function Dialogs() {
  const { ui } = useApp();
  const dialog = useStore(ui, (s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'open':
      return <OpenDialog />;
    case 'saveAs':
      return <SaveAsDialog docId={dialog.docId} path={dialog.path} />;
    case 'confirmReplace':
      return <ConfirmReplaceDialog docId={dialog.docId} path={dialog.path} then={dialog.then} />;
    case 'loadModel':
      return <LoadModelDialog />;
    case 'confirmClose':
      return <ConfirmCloseDialog docId={dialog.docId} />;
    case 'fileChanged':
      return <FileChangedDialog docId={dialog.docId} />;
    case 'confirmQuit':
      return <ConfirmQuitDialog count={dialog.docIds.length} />;
    case 'recovery':
      return <RecoveryDialog backups={dialog.backups} />;
    case 'shortcuts':
      return <ShortcutsDialog />;
    case 'memory':
      return <MemoryDialog docId={dialog.docId} />;
    case 'export':
      return <ExportDialog docId={dialog.docId} />;
    case 'generations':
      return <GenerationHistory docId={dialog.docId} id={dialog.id} />;
  }
}
