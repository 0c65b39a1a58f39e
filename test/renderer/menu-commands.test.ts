/**
 * The renderer's end of the menu channel: a `menuCommand` goes to the dispatcher by id
 * (renderer/src/app/dispatch.ts), which runs the real commands (app/commands.ts `appCommands`):
 * here files from the operating system ('file.openPath'). The stores are stand-ins holding only
 * what these commands touch (a documents store, the UI store).
 */
import { describe, expect, it } from 'vitest';
import { appCommands, createCommands, type CommandDeps } from '../../renderer/src/app/commands';
import { createDispatcher } from '../../renderer/src/app/dispatch';
import { DEFAULT_SETTINGS, type PaneId, type Settings } from '../../electron/api';
import { createDeskStore } from '../../renderer/src/desk/deskStore';
import { panelCommands } from '../../renderer/src/panes/commands';
import { createPanelStore } from '../../renderer/src/panes/panelStore';
import { createProbabilitiesStore } from '../../renderer/src/probabilities/store';
import { createSettingsStore, createUiStore, type DocumentsStore } from '../../renderer/src/stores';

interface Doc {
  path: string | null;
  dirty: boolean;
  savedText: string;
}

function setup(initial: Record<string, Doc>) {
  const log: string[] = [];
  let n = 0;
  const state = {
    order: Object.keys(initial),
    docs: { ...initial } as Record<string, Doc>,
    activeId: Object.keys(initial)[0] ?? null,
    error: null as string | null,
    async open(path?: string) {
      log.push(`open ${path}`);
      await new Promise((r) => setTimeout(r, 1));
      if (path?.endsWith('missing.md')) {
        state.error = `Could not open ${path}.`;
        return null;
      }
      const id = `file${++n}`;
      state.order = [...state.order, id];
      state.docs[id] = { path: path ?? null, dirty: false, savedText: 'text' };
      state.activeId = id;
      return id;
    },
    async close(id: string) {
      log.push(`close ${id}`);
      state.order = state.order.filter((x) => x !== id);
      delete state.docs[id];
    },
  };
  const deps = {
    mode: 'electron',
    documents: { getState: () => state },
    ui: {
      getState: () => ({
        dialog: null,
        dismissWelcome: () => undefined,
        notify: (kind: string, text: string) => log.push(`${kind}: ${text}`),
      }),
    },
    sessions: { editorView: null },
  } as unknown as CommandDeps;
  const commands = createCommands(deps);
  const dispatcher = createDispatcher({
    commands: appCommands(commands),
    paused: () => false,
    dialogOpen: () => false,
  });
  return { commands, menu: dispatcher.menu, log, state };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('menu commands in the renderer', () => {
  it('a file from the OS waits for start-up, then takes the place of the blank start-up document', async () => {
    const { commands, menu, log, state } = setup({ blank: { path: null, dirty: false, savedText: '' } });
    menu({ command: 'file.openPath', path: '/docs/a.md' });
    await settle();
    expect(log).toEqual([]); // start-up is not finished
    commands.started();
    await settle();
    expect(log).toEqual(['open /docs/a.md', 'close blank']);
    expect(state.order).toEqual(['file1']);
  });

  it('several files at once all open (not mistaken for a double press); work in progress is never closed', async () => {
    const { commands, menu, log, state } = setup({ draft: { path: null, dirty: true, savedText: '' } });
    commands.started();
    menu({ command: 'file.openPath', path: '/docs/a.md' });
    menu({ command: 'file.openPath', path: '/docs/b.md' });
    menu({ command: 'file.openPath', path: '/docs/b.md' }); // the same delivery twice
    await settle();
    expect(log).toEqual(['open /docs/a.md', 'open /docs/b.md']);
    expect(state.order).toEqual(['draft', 'file1', 'file2']);
  });

  it('a file that cannot be opened is reported and leaves the blank document alone', async () => {
    const { commands, menu, log, state } = setup({ blank: { path: null, dirty: false, savedText: '' } });
    commands.started();
    menu({ command: 'file.openPath', path: '/docs/missing.md' });
    await settle();
    // Reported once: through the documents store's error, which the Notices show (the command adds no second notice).
    expect(log).toEqual(['open /docs/missing.md']);
    expect(state.error).toBe('Could not open /docs/missing.md.');
    expect(state.order).toEqual(['blank']);
  });
});

describe('the side panel commands by id', () => {
  it('a menu click on a pane item shows the pane; "run the pane" waits for a pane that can run', () => {
    const api = {
      getSettings: async () => DEFAULT_SETTINGS,
      updateSettings: async (patch: Partial<Settings>) => ({ ...DEFAULT_SETTINGS, ...patch }),
    };
    const settings = createSettingsStore(api);
    const panel = createPanelStore(settings);
    const ui = createUiStore();
    const runners: Partial<Record<PaneId, () => void>> = {};
    const ran: string[] = [];
    const dispatcher = createDispatcher({
      commands: panelCommands({
        panel,
        ui,
        documents: { getState: () => ({ activeId: 'd1' }) } as unknown as DocumentsStore,
        desk: createDeskStore(),
        probabilities: { store: createProbabilitiesStore(), inspect: () => false },
        runners,
        view: () => null,
        focus: () => ran.push('focus'),
      }),
      paused: () => false,
      dialogOpen: () => ui.getState().dialog !== null,
      inDialog: ['help.shortcuts'],
    });
    expect(dispatcher.menu({ command: 'pane.translate' })).toBe(true);
    expect(panel.getState()).toMatchObject({ open: true, pane: 'translate' });
    expect(dispatcher.menu({ command: 'pane.run' })).toBe(false); // no runner registered yet
    runners.translate = () => ran.push('translate');
    expect(dispatcher.menu({ command: 'pane.run' })).toBe(true);
    expect(dispatcher.menu({ command: 'memory.edit' })).toBe(true);
    expect(ui.getState().dialog).toEqual({ kind: 'memory', docId: 'd1' });
    expect(dispatcher.menu({ command: 'panel.toggle' })).toBe(false); // held while the dialog is open
    expect(ran).toEqual(['translate']);
  });
});
