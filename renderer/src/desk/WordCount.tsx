/**
 * The status bar's word count: words in the document (or "n of N words" with a selection) and the
 * reading time; characters and GPT-2 token counts in the tooltip (tokens are counted by the host
 * when the writer points at or focuses the figure, since they need the model's tokenizer).
 */
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { MAX_PROMPT_CHARS } from '../../../electron/api';
import { countLabel, countTooltip, docCounts, rangeCounts, readingTime } from './counts';
import './desk.css';

export function WordCount() {
  const { sessions, panes, api, engine, documents } = useApp();
  useStore(panes.tick, (s) => s.tick); // re-render as the text or the selection changes
  const activeId = useStore(documents, (s) => s.activeId);
  useStore(documents, (s) => (s.activeId ? s.docs[s.activeId]?.version : undefined)); // opened, restored, switched
  const ready = useStore(engine, (s) => s.status.state === 'ready');
  const [tokens, setTokens] = useState<{ key: string; document: number | null; selection: number | null }>({
    key: '',
    document: null,
    selection: null,
  });
  const asked = useRef('');
  const state = activeId ? sessions.stateOf(activeId) : null;
  if (!state) return null;
  const doc = docCounts(state.doc);
  const sel = state.selection.main;
  // Counted from the text tree, not from a copy of the selection (which may be the whole manuscript).
  const selection = sel.empty ? null : rangeCounts(state.doc, sel.from, sel.to);
  const key = `${doc.characters}:${state.doc.length}:${sel.from}:${sel.to}`;

  const countTokens = () => {
    if (!ready || asked.current === key) return;
    asked.current = key;
    const text = state.doc.toString();
    const selectedText = sel.empty ? '' : state.sliceDoc(sel.from, sel.to);
    const whole = text.length <= MAX_PROMPT_CHARS ? api.countTokens(text) : Promise.resolve(null);
    const part =
      selectedText && selectedText.length <= MAX_PROMPT_CHARS ? api.countTokens(selectedText) : Promise.resolve(null);
    Promise.all([whole, part]).then(
      ([document, selectionTokens]) => setTokens({ key, document, selection: selectionTokens }),
      () => undefined, // no model or too long: the tooltip says tokens are not counted
    );
  };
  const known = tokens.key === key ? tokens : { document: null, selection: null };
  return (
    <WordCountView
      label={`${countLabel(doc, selection)} · ${readingTime(doc.words)}`}
      tooltip={countTooltip(doc, selection, known)}
      words={doc.words}
      characters={doc.characters}
      selectionWords={selection?.words ?? null}
      documentTokens={known.document}
      onLook={countTokens}
    />
  );
}

function WordCountView(props: {
  label: string;
  tooltip: string;
  words: number;
  characters: number;
  selectionWords: number | null;
  documentTokens: number | null;
  onLook(): void;
}) {
  const { onLook } = props;
  // Keep the figure fresh while the pointer rests on it.
  const hovering = useRef(false);
  useEffect(() => {
    if (hovering.current) onLook();
  });
  return (
    <span
      className="status-item word-count"
      tabIndex={0}
      title={props.tooltip}
      aria-label={props.tooltip}
      data-testid="word-count"
      data-words={props.words}
      data-characters={props.characters}
      data-selection-words={props.selectionWords ?? ''}
      data-document-tokens={props.documentTokens ?? ''}
      onMouseEnter={() => {
        hovering.current = true;
        onLook();
      }}
      onMouseLeave={() => (hovering.current = false)}
      onFocus={onLook}
    >
      {props.label}
    </span>
  );
}
