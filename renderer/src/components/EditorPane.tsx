/** Hosts the one CodeMirror view and shows the active document in it. */
import { useEffect, useRef } from 'react';
import { EditorView } from '@codemirror/view';
import { useStore } from 'zustand';
import { useApp } from '../app/context';

export function EditorPane({ hidden }: { hidden: boolean }) {
  const { sessions, documents, generation, engine } = useApp();
  const host = useRef<HTMLDivElement>(null);
  const activeId = useStore(documents, (s) => s.activeId);
  const ready = useStore(engine, (s) => s.status.state === 'ready');

  useEffect(() => {
    const view = new EditorView({ parent: host.current! });
    sessions.attach(view);
    return () => {
      sessions.detach();
      view.destroy();
    };
  }, [sessions]);

  useEffect(() => {
    if (!activeId) return;
    sessions.show(activeId);
    const view = sessions.editorView;
    if (view && !hidden) view.focus();
  }, [activeId, hidden, sessions]);

  // The context figure belongs to the shown document; recount when it changes or a model arrives.
  useEffect(() => {
    const view = sessions.editorView;
    if (!activeId || !view || !ready) return;
    const head = view.state.selection.main.head;
    generation.getState().measureContext(activeId, view.state.doc.sliceString(0, head), 0);
  }, [activeId, ready, sessions, generation]);

  return (
    <div
      className="editor-pane"
      hidden={hidden || !activeId}
      ref={host}
      data-testid="editor"
      data-doc-id={activeId ?? ''}
    />
  );
}
