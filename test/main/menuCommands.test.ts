/**
 * The renderer's end of the menu channel (renderer/src/app/commands.ts `menu`): files from the
 * operating system ('file.openPath') and the keymap commands the menu now carries. The app context is
 * a stand-in holding only what these commands touch (a documents store, the UI store, the panes'
 * keyboard); the commands themselves are the real ones.
 */
import { describe, expect, it } from 'vitest';
import type { AppContext } from '../../renderer/src/app/context';
import { createCommands } from '../../renderer/src/app/commands';

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
  const ctx = {
    mode: 'electron',
    documents: { getState: () => state },
    ui: {
      getState: () => ({
        dismissWelcome: () => undefined,
        notify: (kind: string, text: string) => log.push(`${kind}: ${text}`),
      }),
    },
    sessions: { editorView: null },
    panes: {
      keyboard: { run: (id: string) => (log.push(`keyboard ${id}`), true) },
      handlesCommand: () => true,
    },
  } as unknown as AppContext;
  const commands = createCommands(ctx);
  return { commands, log, state };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('menu commands in the renderer', () => {
  it('a file from the OS waits for start-up, then takes the place of the blank start-up document', async () => {
    const { commands, log, state } = setup({ blank: { path: null, dirty: false, savedText: '' } });
    commands.menu({ command: 'file.openPath', path: '/docs/a.md' });
    await settle();
    expect(log).toEqual([]); // start-up is not finished
    commands.started();
    await settle();
    expect(log).toEqual(['open /docs/a.md', 'close blank']);
    expect(state.order).toEqual(['file1']);
  });

  it('several files at once all open (not mistaken for a double press); work in progress is never closed', async () => {
    const { commands, log, state } = setup({ draft: { path: null, dirty: true, savedText: '' } });
    commands.started();
    commands.menu({ command: 'file.openPath', path: '/docs/a.md' });
    commands.menu({ command: 'file.openPath', path: '/docs/b.md' });
    commands.menu({ command: 'file.openPath', path: '/docs/b.md' }); // the same delivery twice
    await settle();
    expect(log).toEqual(['open /docs/a.md', 'open /docs/b.md']);
    expect(state.order).toEqual(['draft', 'file1', 'file2']);
  });

  it('a file that cannot be opened is reported and leaves the blank document alone', async () => {
    const { commands, log, state } = setup({ blank: { path: null, dirty: false, savedText: '' } });
    commands.started();
    commands.menu({ command: 'file.openPath', path: '/docs/missing.md' });
    await settle();
    // Reported once: through the documents store's error, which the Notices show (the command adds no second notice).
    expect(log).toEqual(['open /docs/missing.md']);
    expect(state.error).toBe('Could not open /docs/missing.md.');
    expect(state.order).toEqual(['blank']);
  });

  it("the side panel, pane, heat-map and help items run the keyboard dispatcher's commands", () => {
    const { commands, log } = setup({});
    for (const command of [
      'panel.toggle',
      'pane.translate',
      'heatmap.toggle',
      'tokens.inspect',
      'help.keyboardSettings',
    ] as const)
      commands.menu({ command });
    expect(log).toEqual([
      'keyboard panel.toggle',
      'keyboard pane.translate',
      'keyboard heatmap.toggle',
      'keyboard tokens.inspect',
      'keyboard help.keyboardSettings',
    ]);
  });
});
