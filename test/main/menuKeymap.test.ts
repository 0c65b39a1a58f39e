/**
 * The application menu follows the writer's key bindings: stored combinations become Electron
 * accelerators (electron/main/accelerator), every rebindable command has a menu item carrying its
 * key, and fixed keys give way to the writer's. The renderer's side of the same path (a menu click
 * runs the command once even when the keydown also arrives) is test/renderer/dispatch.test.ts.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type MenuCommand } from '../../electron/api';
import { isMenuSafeCombo, menuKeymap, toAccelerator } from '../../electron/main/accelerator';
import { KEYMAP_MENU_LABELS, buildMenuTemplate } from '../../electron/main/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

const PLATFORMS = ['linux', 'win32', 'darwin'] as const;

describe('toAccelerator: stored combinations in Electron syntax', () => {
  it('writes Mod as CmdOrCtrl and keeps the modifier order Electron documents', () => {
    expect(toAccelerator('Mod+Shift+P', 'linux')).toBe('CmdOrCtrl+Shift+P');
    expect(toAccelerator('Mod+Alt+K', 'darwin')).toBe('CmdOrCtrl+Alt+K');
    expect(toAccelerator('Mod+Shift+1', 'win32')).toBe('CmdOrCtrl+Shift+1');
    expect(toAccelerator('F6', 'linux')).toBe('F6');
    expect(toAccelerator('F24', 'linux')).toBe('F24');
    expect(toAccelerator('Alt+Enter', 'linux')).toBe('Alt+Enter');
    expect(toAccelerator('Mod+/', 'linux')).toBe('CmdOrCtrl+/');
    expect(toAccelerator('Mod+,', 'darwin')).toBe('CmdOrCtrl+,');
    expect(toAccelerator('Mod+=', 'linux')).toBe('CmdOrCtrl+=');
    expect(toAccelerator('Mod+Plus', 'linux')).toBe('CmdOrCtrl+Plus');
    expect(toAccelerator('Mod+Space', 'linux')).toBe('CmdOrCtrl+Space');
    expect(toAccelerator('Alt+ArrowUp', 'linux')).toBe('Alt+Up');
    expect(toAccelerator('Mod+k', 'linux')).toBe('CmdOrCtrl+K');
  });

  it('maps Ctrl and Meta the way the renderer reads them on each platform', () => {
    // macOS: Mod is ⌘, Ctrl the Control key, Meta ⌘ again.
    expect(toAccelerator('Ctrl+K', 'darwin')).toBe('Ctrl+K');
    expect(toAccelerator('Mod+Ctrl+K', 'darwin')).toBe('CmdOrCtrl+Ctrl+K');
    expect(toAccelerator('Mod+Meta+K', 'darwin')).toBe('CmdOrCtrl+K');
    // Elsewhere: Mod is Ctrl, Meta the Super / Windows key.
    expect(toAccelerator('Meta+K', 'linux')).toBe('Super+K');
    expect(toAccelerator('Mod+Ctrl+K', 'win32')).toBe('CmdOrCtrl+K');
  });

  it('gives no accelerator for no key, or a key Electron cannot name', () => {
    expect(toAccelerator('', 'linux')).toBeNull();
    expect(toAccelerator('Mod+', 'linux')).toBeNull();
    expect(toAccelerator('Mod+ContextMenu', 'linux')).toBeNull();
    expect(toAccelerator('Mod+F25', 'linux')).toBeNull();
  });

  it('isMenuSafeCombo: never a key that types text or one the editor needs', () => {
    expect(isMenuSafeCombo('Mod+Shift+P')).toBe(true);
    expect(isMenuSafeCombo('F6')).toBe(true);
    expect(isMenuSafeCombo('Alt+Enter')).toBe(true);
    // … nor one of the window's own menu keys (minimize, quit, hide, full screen).
    for (const combo of [
      'K',
      'Shift+K',
      'Tab',
      'Escape',
      'Mod+Z',
      'Mod+C',
      'Alt+]',
      'Mod+Space',
      'Shift+Mod+Z',
      '',
      'Mod+M',
      'Mod+Q',
      'F11',
      'Mod+Ctrl+F',
    ]) {
      expect(isMenuSafeCombo(combo), combo).toBe(false);
    }
  });
});

describe('menuKeymap', () => {
  it('defaults: every command with its default key', () => {
    const { accelerators } = menuKeymap({}, 'linux');
    expect(accelerators.get('panel.toggle')).toBe('CmdOrCtrl+Shift+P');
    expect(accelerators.get('heatmap.toggle')).toBe('CmdOrCtrl+Shift+H');
    expect(accelerators.get('panel.focus')).toBe('F6');
    expect(accelerators.size).toBe(COMMANDS.length);
  });

  it("follows the writer's changes; a removed key, an unsafe hand-edited key and the loser of a clash get none", () => {
    const { accelerators, taken } = menuKeymap(
      { 'panel.toggle': 'Alt+Mod+K', 'file.save': '', 'file.new': 'Tab', 'heatmap.toggle': 'Mod+Alt+K' },
      'win32',
    );
    expect(accelerators.get('panel.toggle')).toBe('CmdOrCtrl+Alt+K');
    expect(accelerators.has('file.save')).toBe(false);
    expect(accelerators.has('file.new')).toBe(false);
    expect(accelerators.has('heatmap.toggle')).toBe(false); // panel.toggle comes first, as in the dispatcher
    expect(taken.has('Mod+Alt+K')).toBe(true);
    expect(taken.has('Mod+Shift+P')).toBe(false);
  });
});

describe('the application menu and the keymap', () => {
  const sent: MenuCommand[] = [];
  const actions = {
    send: (c: MenuCommand) => sent.push(c),
    clearRecent: () => undefined,
    newWindow: () => undefined,
    closeWindow: () => undefined,
  };

  it('has an item for every rebindable command, carrying its key and sending its command', () => {
    for (const platform of PLATFORMS) {
      const items = flatten(buildMenuTemplate(platform, [], actions));
      for (const c of COMMANDS) {
        const matching = items.filter((i) => i.id === c.id);
        expect(matching, `${platform} ${c.id}`).toHaveLength(1);
        const item = matching[0];
        expect(item.label).toBe(KEYMAP_MENU_LABELS[c.id]);
        expect(item.accelerator, `${platform} ${c.id}`).toBe(toAccelerator(c.defaultKey, platform));
        expect(item.registerAccelerator).toBeUndefined();
        sent.length = 0;
        (item.click as () => void)();
        expect(sent).toEqual([{ command: c.id }]);
      }
    }
  });

  it('puts the side panel, panes and heat map in the View menu and the shortcuts in Help', () => {
    const template = buildMenuTemplate('linux', [], actions);
    const menu = (label: string) =>
      flatten(template.find((t) => t.label === label)!.submenu as MenuItemConstructorOptions[]).map((i) => i.id);
    expect(menu('&View')).toEqual(
      expect.arrayContaining([
        'panel.toggle',
        'panel.focus',
        'pane.continue',
        'pane.sampling',
        'pane.run',
        'heatmap.toggle',
        'tokens.inspect',
      ]),
    );
    expect(menu('&Help')).toEqual(['help.shortcuts', 'help.keyboardSettings']);
    expect(menu('&File')).toEqual(
      expect.arrayContaining(['file.new', 'file.open', 'file.save', 'file.saveAs', 'file.close', 'view.models']),
    );
  });

  it('moves a key when the writer rebinds it, and shows none when the writer removes it', () => {
    const items = flatten(
      buildMenuTemplate('linux', [], actions, { shortcuts: { 'panel.toggle': 'Mod+Alt+K', 'file.new': '' } }),
    );
    const byId = new Map(items.filter((i) => i.id).map((i) => [i.id!, i]));
    expect(byId.get('panel.toggle')!.accelerator).toBe('CmdOrCtrl+Alt+K');
    expect(byId.get('file.new')!.accelerator).toBeUndefined();
    expect(items.some((i) => i.accelerator === 'CmdOrCtrl+Shift+P')).toBe(false); // the old key is free
  });

  it("the menu's fixed keys give way to the writer's bindings, so no key names two items", () => {
    const shortcuts = { 'panel.toggle': 'Mod+Shift+L', 'heatmap.toggle': 'Mod+Shift+N', 'pane.run': 'Mod+=' };
    for (const platform of PLATFORMS) {
      const items = flatten(buildMenuTemplate(platform, [], actions, { shortcuts }));
      const byId = new Map(items.filter((i) => i.id).map((i) => [i.id!, i]));
      expect(byId.get('panel.toggle')!.accelerator).toBe('CmdOrCtrl+Shift+L');
      expect(byId.get('view.toggleTheme')!.accelerator).toBeUndefined();
      expect(byId.get('window.new')!.accelerator).toBeUndefined();
      expect(byId.get('view.fontBigger')!.accelerator).toBeUndefined();
      expect(byId.get('view.fontSmaller')!.accelerator).toBe('CmdOrCtrl+-');
      for (const bindings of [{}, shortcuts]) {
        const registered = flatten(buildMenuTemplate(platform, [], actions, { shortcuts: bindings }))
          .filter((i) => i.accelerator && i.registerAccelerator !== false)
          .map((i) => i.accelerator);
        expect(registered.length, platform).toBeGreaterThanOrEqual(COMMANDS.length);
        expect(new Set(registered).size, `${platform}: ${registered.join(' ')}`).toBe(registered.length);
      }
    }
  });

  it('Close Document has Ctrl/Cmd+W; Close Window does not use it, and no built-in Close item claims it', () => {
    for (const platform of PLATFORMS) {
      const template = buildMenuTemplate(platform, [], actions);
      const items = flatten(template);
      expect(items.find((i) => i.id === 'file.close')!.accelerator).toBe('CmdOrCtrl+W');
      expect(items.find((i) => i.id === 'window.close')!.accelerator).toBe('CmdOrCtrl+Shift+W');
      expect(items.some((i) => i.role === 'close')).toBe(false);
      const windowMenu = template.find((t) => t.role === 'windowMenu')!;
      expect(Array.isArray(windowMenu.submenu), platform).toBe(true); // not Electron's default (it has Close on Ctrl+W)
    }
  });
});
