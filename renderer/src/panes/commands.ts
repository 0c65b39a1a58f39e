/**
 * What the side panel's, the panes', the desk's, the probability views' and the help's commands do
 * (their ids and keys: electron/api/keymap). The command dispatcher runs them by id, for a key
 * press or a menu click alike (app/dispatch.ts).
 */
import type { EditorView } from '@codemirror/view';
import type { MenuCommandName, PaneId } from '../../../electron/api';
import type { CommandAction } from '../app/dispatch';
import type { DeskStore } from '../desk/deskStore';
import { requestReplacement } from '../editor/ghost-text';
import { generationAt, newestGeneration, retryTarget } from '../editor/generations/state';
import type { Probabilities } from '../probabilities';
import type { DocumentsStore, UiStore } from '../stores';
import type { PanelStore } from './panelStore';

export type PanelCommandName = Extract<
  MenuCommandName,
  | 'panel.toggle'
  | 'panel.focus'
  | 'pane.continue'
  | 'pane.translate'
  | 'pane.summarize'
  | 'pane.answer'
  | 'pane.sampling'
  | 'pane.run'
  | 'memory.edit'
  | 'file.export'
  | 'view.focusMode'
  | 'view.preview'
  | 'generation.retry'
  | 'generation.history'
  | 'heatmap.toggle'
  | 'tokens.inspect'
  | 'help.shortcuts'
  | 'help.keyboardSettings'
>;

export interface PanelCommandDeps {
  panel: PanelStore;
  ui: UiStore;
  documents: DocumentsStore;
  desk: DeskStore;
  probabilities: Pick<Probabilities, 'store' | 'inspect'>;
  /** What each pane runs on "run the pane" (registered by the pane components). */
  runners: Partial<Record<PaneId, () => void>>;
  view(): EditorView | null;
  /** Puts the keyboard focus in the editor. */
  focus(): void;
}

export function panelCommands(deps: PanelCommandDeps): Record<PanelCommandName, CommandAction> {
  const { panel, ui, documents, desk, probabilities, runners, view, focus } = deps;
  const inPanel = () => Boolean(document.activeElement?.closest('[data-testid="side-panel"]'));
  const showPane = (pane: PaneId): CommandAction => ({ run: () => panel.getState().show(pane, true) });
  const onActiveDoc = (fn: (docId: string) => void): CommandAction => ({
    run: () => {
      const id = documents.getState().activeId;
      if (id) fn(id);
    },
  });
  const info = (text: string) => ui.getState().notify('info', text);

  return {
    'panel.toggle': {
      run: () => {
        const wasIn = inPanel();
        panel.getState().toggle();
        if (wasIn && !panel.getState().open) focus();
      },
    },
    'panel.focus': {
      run: () => {
        if (inPanel()) focus();
        else panel.getState().show(undefined, true);
      },
    },
    'pane.continue': showPane('continue'),
    'pane.translate': showPane('translate'),
    'pane.summarize': showPane('summarize'),
    'pane.answer': showPane('answer'),
    'pane.sampling': showPane('sampling'),
    'pane.run': {
      enabled: () => panel.getState().open && Boolean(runners[panel.getState().pane]),
      run: () => runners[panel.getState().pane]?.(),
    },
    'memory.edit': onActiveDoc((docId) => ui.getState().openDialog({ kind: 'memory', docId })),
    'file.export': onActiveDoc((docId) => ui.getState().openDialog({ kind: 'export', docId })),
    'view.focusMode': {
      run: () => {
        desk.getState().toggleFocusMode();
        focus();
      },
    },
    'view.preview': {
      run: () => {
        desk.getState().togglePreview();
        if (!desk.getState().preview) focus();
      },
    },
    'generation.retry': {
      run: () => {
        const v = view();
        const target = v && retryTarget(v.state);
        if (!v || !target) return info('Nothing to retry yet: accept a suggestion or insert a card first.');
        // The old text stays, struck through, until Tab takes the fresh one (Esc keeps it).
        requestReplacement(v, target);
        v.focus();
      },
    },
    'generation.history': {
      run: () => {
        const v = view();
        const docId = documents.getState().activeId;
        const g = v && (generationAt(v.state, v.state.selection.main.head) ?? newestGeneration(v.state));
        if (!v || !docId || !g)
          return info('No generation here yet: the history lists what the model wrote into this document.');
        ui.getState().openDialog({ kind: 'generations', docId, id: g.id });
      },
    },
    'heatmap.toggle': {
      run: () => {
        const s = probabilities.store.getState();
        s.setHeatmap(!s.heatmap);
      },
    },
    'tokens.inspect': {
      run: () => {
        const v = view();
        if (v && probabilities.inspect(v)) return;
        info('Nothing is known about the token at the cursor: generate some text, or turn on the heat map.');
      },
    },
    'help.shortcuts': {
      run: () =>
        ui.getState().dialog?.kind === 'shortcuts'
          ? ui.getState().closeDialog()
          : ui.getState().openDialog({ kind: 'shortcuts' }),
    },
    'help.keyboardSettings': {
      run: () => {
        ui.getState().closeDialog();
        panel.getState().openShortcutSettings();
      },
    },
  };
}
