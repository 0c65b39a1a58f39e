/** Pure parts of the Electron glue: the menu template and the command line (no Electron needed). */
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../electron/api';
import { parseMainArgs } from '../../electron/main/args';
import { buildMenuTemplate } from '../../electron/main/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

describe('application menu', () => {
  const sent: MenuCommand[] = [];
  const actions = {
    send: (c: MenuCommand) => sent.push(c),
    clearRecent: () => undefined,
    newWindow: () => undefined,
    closeWindow: () => undefined,
  };

  it('has the standard roles and every Inkling command, each sending its MenuCommand', () => {
    const items = flatten(buildMenuTemplate('linux', [{ path: '/w/a.md', name: 'a.md', openedAt: 1 }], actions));
    const roles = items.map((i) => i.role).filter(Boolean);
    expect(roles).toEqual(
      expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'quit', 'windowMenu']),
    );
    const byId = new Map(items.filter((i) => i.id).map((i) => [i.id!, i]));
    for (const id of [
      'file.new',
      'file.open',
      'file.save',
      'file.saveAs',
      'edit.suggest',
      'edit.accept',
      'edit.nextAlternative',
      'edit.previousAlternative',
      'edit.stop',
      'view.toggleTheme',
      'model.open',
    ]) {
      const item = byId.get(id);
      expect(item, id).toBeDefined();
      sent.length = 0;
      (item!.click as () => void)();
      expect(sent).toEqual([{ command: id }]);
    }
    expect(byId.get('edit.suggest')!.accelerator).toBe('CmdOrCtrl+Space');
    expect(byId.get('file.save')!.accelerator).toBe('CmdOrCtrl+S');
    const recent = items.find((i) => i.label === '/w/a.md')!;
    sent.length = 0;
    (recent.click as () => void)();
    expect(sent).toEqual([{ command: 'file.openRecent', path: '/w/a.md' }]);
  });

  it('never registers the editor keys (Tab, Esc, Alt+]) as global accelerators', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const items = flatten(buildMenuTemplate(platform, [], actions));
      for (const id of ['edit.accept', 'edit.stop', 'edit.nextAlternative', 'edit.acceptWord']) {
        const item = items.find((i) => i.id === id)!;
        expect(item.registerAccelerator, `${platform} ${id}`).toBe(false);
        if (platform === 'darwin') expect(item.accelerator).toBeUndefined();
      }
    }
    expect(flatten(buildMenuTemplate('darwin', [], actions)).some((i) => i.role === 'appMenu')).toBe(true);
  });
});

describe('parseMainArgs', () => {
  it('picks Inkling options out of Electron/Chromium argv', () => {
    expect(parseMainArgs(['.', '--no-sandbox', '--data-dir', '/tmp/p', '--model=/m'])).toEqual({
      dataDir: '/tmp/p',
      modelDir: '/m',
    });
    expect(parseMainArgs(['.'])).toEqual({ dataDir: null, modelDir: null });
  });
});
