/**
 * The application menu: the platform's standard roles plus Inkling's commands. Inkling's items only
 * send a MenuCommand to the focused window's renderer, which owns the editor. Keys the editor handles
 * itself (Tab, Alt+], Alt+[, Ctrl/Cmd+→, Esc) are shown but not registered, so the menu never steals
 * them from typing.
 *
 * The rebindable commands (electron/api/keymap) take their keys from the writer's settings
 * (`shortcuts`), converted by ./accelerator; main rebuilds the menu when that setting changes. The
 * menu's few fixed keys (New Window, Close Window, theme, text size) give way when the writer has
 * bound their key to a command, so one key never names two items.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { KeymapCommandId } from '../api/keymap';
import type { MenuCommand, MenuCommandName, RecentFile } from '../api/types';
import { menuKeymap, toAccelerator } from './accelerator';

export interface MenuActions {
  send(command: MenuCommand): void;
  clearRecent(): void;
  newWindow(): void;
  closeWindow(): void;
}

export interface MenuOptions {
  dev?: boolean;
  /** settings.shortcuts: the writer's changes to the default keys (command id → combination, "" = none). */
  shortcuts?: Readonly<Record<string, string>>;
}

/** Menu labels of the rebindable commands: every one of them has a menu item. */
export const KEYMAP_MENU_LABELS: Readonly<Record<KeymapCommandId, string>> = {
  'file.new': 'New',
  'file.open': 'Open…',
  'file.save': 'Save',
  'file.saveAs': 'Save As…',
  'file.close': 'Close Document',
  'file.export': 'Export…',
  'view.models': 'Models…',
  'memory.edit': 'Document Memory…',
  'generation.retry': 'Retry Last Generation',
  'view.focusMode': 'Focus Mode',
  'view.preview': 'Markdown Preview',
  'generation.history': 'Generation History…',
  'panel.toggle': 'Show/Hide Side Panel',
  'panel.focus': 'Switch Between Text and Side Panel',
  'pane.continue': 'Continue Pane',
  'pane.translate': 'Translate Pane',
  'pane.summarize': 'Summarize Pane',
  'pane.answer': 'Ask Pane',
  'pane.sampling': 'Sampling Controls',
  'pane.run': 'Run the Open Pane',
  'heatmap.toggle': 'Heat Map of Surprise',
  'tokens.inspect': 'Alternatives for the Token at the Cursor',
  'help.shortcuts': 'Keyboard Shortcuts',
  'help.keyboardSettings': 'Change Keyboard Shortcuts…',
};

export function buildMenuTemplate(
  platform: NodeJS.Platform,
  recent: RecentFile[],
  actions: MenuActions,
  options: MenuOptions = {},
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const keymap = menuKeymap(options.shortcuts ?? {}, platform);
  // '&' marks the Alt-key mnemonic on Windows and Linux; macOS menus have none.
  const top = (label: string) => (mac ? label : `&${label}`);
  const cmd = (
    label: string,
    command: MenuCommandName,
    accelerator?: string,
    editorKey = false,
  ): MenuItemConstructorOptions => {
    const item: MenuItemConstructorOptions = { label, id: command, click: () => actions.send({ command }) };
    // macOS cannot show an unregistered accelerator; there the editor's own keymap handles the key.
    if (accelerator && !(editorKey && mac)) item.accelerator = accelerator;
    if (editorKey) item.registerAccelerator = false;
    return item;
  };
  /** A rebindable command: its label and the key the writer gave it. */
  const key = (command: KeymapCommandId): MenuItemConstructorOptions =>
    cmd(KEYMAP_MENU_LABELS[command], command, keymap.accelerators.get(command));
  /** A fixed key (stored form), unless one of the writer's bindings already uses it. */
  const fixed = (combo: string): string | undefined =>
    keymap.taken.has(combo) ? undefined : (toAccelerator(combo, platform) ?? undefined);
  const withKey = (item: MenuItemConstructorOptions, combo: string): MenuItemConstructorOptions => {
    const accelerator = fixed(combo);
    return accelerator ? { ...item, accelerator } : item;
  };

  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? recent.map((r) => ({ label: r.path, click: () => actions.send({ command: 'file.openRecent', path: r.path }) }))
    : [{ label: 'No Recent Files', enabled: false }];

  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push({
    label: top('File'),
    submenu: [
      key('file.new'),
      withKey({ label: 'New Window', id: 'window.new', click: () => actions.newWindow() }, 'Mod+Shift+N'),
      key('file.open'),
      {
        label: 'Open Recent',
        id: 'file.recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() },
        ],
      },
      { type: 'separator' },
      key('file.save'),
      key('file.saveAs'),
      key('file.export'),
      { type: 'separator' },
      key('view.models'),
      cmd('Open Model Folder…', 'model.open'),
      { type: 'separator' },
      key('file.close'),
      // Not the 'close' role: its built-in Ctrl/Cmd+W is the key of Close Document.
      withKey({ label: 'Close Window', id: 'window.close', click: () => actions.closeWindow() }, 'Mod+Shift+W'),
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  });
  template.push({
    label: top('Edit'),
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  template.push({
    label: top('Suggest'),
    submenu: [
      cmd('Suggest a Continuation', 'edit.suggest', 'CmdOrCtrl+Space', true),
      cmd('Accept Suggestion', 'edit.accept', 'Tab', true),
      cmd('Accept Next Word', 'edit.acceptWord', 'CmdOrCtrl+Right', true),
      cmd('Accept Next Line', 'edit.acceptLine', 'CmdOrCtrl+Shift+Right', true),
      cmd('Next Alternative', 'edit.nextAlternative', 'Alt+]', true),
      cmd('Previous Alternative', 'edit.previousAlternative', 'Alt+[', true),
      cmd('Stop and Dismiss', 'edit.stop', 'Escape', true),
      { type: 'separator' },
      key('generation.retry'),
      key('generation.history'),
    ],
  });
  template.push({
    label: top('View'),
    submenu: [
      withKey(cmd('Toggle Light/Dark Theme', 'view.toggleTheme'), 'Mod+Shift+L'),
      withKey(cmd('Bigger Text', 'view.fontBigger'), 'Mod+='),
      withKey(cmd('Smaller Text', 'view.fontSmaller'), 'Mod+-'),
      { type: 'separator' },
      key('view.focusMode'),
      key('view.preview'),
      { type: 'separator' },
      key('panel.toggle'),
      key('panel.focus'),
      key('pane.continue'),
      key('pane.translate'),
      key('pane.summarize'),
      key('pane.answer'),
      key('pane.sampling'),
      key('pane.run'),
      { type: 'separator' },
      key('memory.edit'),
      key('heatmap.toggle'),
      key('tokens.inspect'),
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(options.dev
        ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]
        : []),
    ],
  });
  // An explicit submenu: the default one on Windows/Linux has a Close item on Ctrl+W (Close Document's key).
  template.push({
    role: 'windowMenu',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
      : [{ role: 'minimize' }],
  });
  template.push({
    label: top('Help'),
    role: 'help',
    submenu: [key('help.shortcuts'), key('help.keyboardSettings')],
  });
  return template;
}
