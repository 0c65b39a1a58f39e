/**
 * The application menu: the platform's standard roles plus Inkling's commands. Inkling's items only
 * send a MenuCommand to the focused window's renderer, which owns the editor. Keys the editor handles
 * itself (Tab, Alt+], Alt+[, Ctrl/Cmd+→, Esc) are shown but not registered, so the menu never steals
 * them from typing.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, MenuCommandName, RecentFile } from '../api/types';

export interface MenuActions {
  send(command: MenuCommand): void;
  clearRecent(): void;
  newWindow(): void;
}

export function buildMenuTemplate(platform: NodeJS.Platform, recent: RecentFile[], actions: MenuActions, options: { dev?: boolean } = {}): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  // '&' marks the Alt-key mnemonic on Windows and Linux; macOS menus have none.
  const top = (label: string) => (mac ? label : `&${label}`);
  const cmd = (label: string, command: MenuCommandName, accelerator?: string, editorKey = false): MenuItemConstructorOptions => {
    const item: MenuItemConstructorOptions = { label, id: command, click: () => actions.send({ command }) };
    // macOS cannot show an unregistered accelerator; there the editor's own keymap handles the key.
    if (accelerator && !(editorKey && mac)) item.accelerator = accelerator;
    if (editorKey) item.registerAccelerator = false;
    return item;
  };

  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? recent.map((r) => ({ label: r.path, click: () => actions.send({ command: 'file.openRecent', path: r.path }) }))
    : [{ label: 'No Recent Files', enabled: false }];

  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push({
    label: top('File'),
    submenu: [
      cmd('New', 'file.new', 'CmdOrCtrl+N'),
      { label: 'New Window', accelerator: 'CmdOrCtrl+Shift+N', click: () => actions.newWindow() },
      cmd('Open…', 'file.open', 'CmdOrCtrl+O'),
      { label: 'Open Recent', id: 'file.recent', submenu: [...recentItems, { type: 'separator' }, { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() }] },
      { type: 'separator' },
      cmd('Save', 'file.save', 'CmdOrCtrl+S'),
      cmd('Save As…', 'file.saveAs', 'CmdOrCtrl+Shift+S'),
      { type: 'separator' },
      cmd('Models…', 'view.models', 'CmdOrCtrl+Shift+M'),
      cmd('Open Model Folder…', 'model.open'),
      { type: 'separator' },
      { role: 'close', label: 'Close Window' },
      ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  });
  template.push({
    label: top('Edit'),
    submenu: [
      { role: 'undo' }, { role: 'redo' }, { type: 'separator' },
      { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' },
    ],
  });
  template.push({
    label: top('Suggest'),
    submenu: [
      cmd('Suggest a Continuation', 'edit.suggest', 'CmdOrCtrl+Space', true),
      cmd('Accept Suggestion', 'edit.accept', 'Tab', true),
      cmd('Accept Next Word', 'edit.acceptWord', 'CmdOrCtrl+Right', true),
      cmd('Next Alternative', 'edit.nextAlternative', 'Alt+]', true),
      cmd('Previous Alternative', 'edit.previousAlternative', 'Alt+[', true),
      cmd('Stop and Dismiss', 'edit.stop', 'Escape', true),
    ],
  });
  template.push({
    label: top('View'),
    submenu: [
      cmd('Toggle Light/Dark Theme', 'view.toggleTheme', 'CmdOrCtrl+Shift+L'),
      cmd('Bigger Text', 'view.fontBigger', 'CmdOrCtrl+='),
      cmd('Smaller Text', 'view.fontSmaller', 'CmdOrCtrl+-'),
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(options.dev ? [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const] : []),
    ],
  });
  template.push({ role: 'windowMenu' });
  return template;
}
