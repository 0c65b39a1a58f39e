/**
 * The real Electron main process (electron/main/index.ts) under the recording fake of `electron`
 * (test/security/fakeElectron.ts; Electron's binary cannot run here). Checks the wiring of two
 * features end to end through Inkling's own backend and files on disk:
 *  - files from the operating system (launch argv, macOS 'open-file' before ready, a second launch,
 *    a file arriving with no window) reach a window as the typed `menuCommand` 'file.openPath' once
 *    its page has loaded, and the page may then open them through the normal openDocument path;
 *  - the application menu's accelerators follow the writer's key bindings (settings.shortcuts) and
 *    its new items reach the renderer on the same typed channel.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, ipcMethodChannel, type MenuCommand, type ReplyEnvelope } from '../../electron/api';
import { FakeEvent, until, type FakeBrowserWindow, type Recorder } from '../security/fakeElectron';

const holder = vi.hoisted(() => ({ root: '', recorder: null as Recorder | null }));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../security/fakeElectron');
  const { module, recorder } = createFakeElectron(holder.root);
  holder.recorder = recorder;
  return module;
});
// Never load the real updater (it requires Electron's binary); the updater has its own tests.
vi.mock('electron-updater', () => {
  const autoUpdater = { on: () => autoUpdater, checkForUpdates: async () => null, setFeedURL: () => undefined };
  return { autoUpdater, default: { autoUpdater } };
});

let tmp: string;
let docs: string;
let rec: Recorder;
let win: FakeBrowserWindow;
const savedArgv = process.argv;
let openFileEvent: FakeEvent;
let main: typeof import('../../electron/main/index');

/** The menuCommand events a window's page received. */
function menuCommands(w: FakeBrowserWindow): MenuCommand[] {
  return w.webContents.sent
    .filter((m) => m.channel === IPC_EVENT_CHANNEL && (m.payload as { channel: string }).channel === 'menuCommand')
    .map((m) => (m.payload as { payload: MenuCommand }).payload);
}
const opened = (w: FakeBrowserWindow) =>
  menuCommands(w)
    .filter((c) => c.command === 'file.openPath')
    .map((c) => c.path);

const trusted = () => ({ sender: win.webContents, senderFrame: { parent: null, url: 'app://inkling/index.html' } });
async function call(method: Parameters<typeof ipcMethodChannel>[0], ...args: unknown[]): Promise<ReplyEnvelope> {
  return (await rec.ipcHandlers.get(ipcMethodChannel(method))!(trusted(), ...args)) as ReplyEnvelope;
}

function menuItems(): MenuItemConstructorOptions[] {
  const flatten = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
    items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
  return flatten(rec.menus.at(-1) as MenuItemConstructorOptions[]);
}
const menuItem = (id: string) => menuItems().find((i) => i.id === id)!;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-main-wiring-'));
  holder.root = path.join(tmp, 'app');
  const renderer = path.join(holder.root, 'dist', 'renderer');
  fs.mkdirSync(renderer, { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Inkling</title>');
  docs = path.join(tmp, 'docs');
  fs.mkdirSync(docs);
  for (const name of ['first.md', 'second.txt', 'third.md', 'late.md', 'never-named.md'])
    fs.writeFileSync(path.join(docs, name), `text of ${name}`);
  fs.writeFileSync(path.join(docs, 'picture.pdf'), '%PDF');

  // First launch (Windows / Linux): Electron's argv with Chromium switches, Inkling's options and files.
  process.argv = [
    process.execPath,
    holder.root,
    '--data-dir',
    path.join(tmp, 'profile'),
    '--no-sandbox',
    path.join(docs, 'first.md'),
    path.join(docs, 'picture.pdf'),
  ];
  main = await import('../../electron/main/index');
  rec = holder.recorder!;
  // macOS may announce a file before the app is ready.
  openFileEvent = new FakeEvent();
  rec.app.emit('open-file', openFileEvent, path.join(docs, 'second.txt'));
  expect(rec.windows).toHaveLength(0);
  rec.app.becomeReady();
  await until(() => rec.windows.length === 1 && rec.windows[0].loadedUrl !== null, 'the first window to load');
  win = rec.windows[0];
});

afterAll(async () => {
  process.argv = savedArgv;
  if (rec) {
    rec.app.emit('will-quit', { preventDefault: () => undefined });
    await until(() => rec.app.exitCode !== null, 'the app to exit');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('files from the operating system', () => {
  it('files sent before ready and named on the command line open in the first window once it has loaded', async () => {
    expect(openFileEvent.defaultPrevented).toBe(true); // macOS: "handled", no error beep
    await until(() => opened(win).length === 2, 'both files to be sent');
    expect(opened(win)).toEqual([path.join(docs, 'second.txt'), path.join(docs, 'first.md')]);
    expect(rec.errors).toEqual([]);
  });

  it('tells the writer, once, about a file it cannot open', async () => {
    await until(() => rec.messageBoxes.length > 0, 'the message box');
    expect(rec.messageBoxes).toHaveLength(1);
    expect(rec.messageBoxes[0]).toMatchObject({ type: 'warning', message: 'Inkling could not open a file.' });
    expect(rec.messageBoxes[0].detail).toContain('picture.pdf: ".pdf" files are not text or Markdown documents.');
  });

  it("the page opens them through the normal openDocument path (the OS choice counts as the writer's)", async () => {
    const reply = await call('openDocument', path.join(docs, 'first.md'));
    expect(reply).toMatchObject({ ok: true, value: { path: path.join(docs, 'first.md'), text: 'text of first.md' } });
    // A file nobody chose is still refused.
    expect(await call('openDocument', path.join(docs, 'never-named.md'))).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    });
  });

  it('a second launch hands its files (relative to its own folder) to this one and brings the window forward', async () => {
    const focused = win.focusCount;
    rec.app.emit(
      'second-instance',
      new FakeEvent(),
      ['/opt/Inkling/inkling', '--allow-file-access-from-files', 'third.md', '--original-process-start-time=1'],
      docs,
      {},
    );
    await until(() => opened(win).length === 3, 'the third file');
    expect(opened(win)[2]).toBe(path.join(docs, 'third.md'));
    expect(win.focusCount).toBeGreaterThan(focused);
    // A second launch without files only brings the window forward.
    const sent = win.webContents.sent.length;
    rec.app.emit('second-instance', new FakeEvent(), ['/opt/Inkling/inkling', '--no-sandbox'], docs, {});
    expect(win.focusCount).toBeGreaterThan(focused + 1);
    expect(win.webContents.sent.length).toBe(sent);
    expect(await call('openDocument', path.join(docs, 'third.md'))).toMatchObject({ ok: true });
  });

  it('a file arriving while no window is open (macOS) opens a window for it', async () => {
    win.close();
    rec.app.emit('open-file', new FakeEvent(), path.join(docs, 'late.md'));
    await until(() => rec.windows.length === 2 && rec.windows[1].loadedUrl !== null, 'a new window');
    await until(() => opened(rec.windows[1]).length === 1, 'the file in the new window');
    expect(opened(rec.windows[1])).toEqual([path.join(docs, 'late.md')]);
    expect(opened(win)).toHaveLength(3); // nothing went to the closed window
    win = rec.windows[1];
  });

  it('a file already open in another window goes to that window, not into a second copy', async () => {
    // A second window (File › New Window) opens third.md; the first window stays the focused one.
    (menuItem('window.new').click as () => void)();
    await until(() => rec.windows.length === 3 && rec.windows[2].loadedUrl !== null, 'the second window');
    const other = rec.windows[2];
    const fromOther = { sender: other.webContents, senderFrame: { parent: null, url: 'app://inkling/index.html' } };
    const third = path.join(docs, 'third.md');
    const reply = (await rec.ipcHandlers.get(ipcMethodChannel('openDocument'))!(fromOther, third)) as ReplyEnvelope;
    expect(reply).toMatchObject({ ok: true });
    const focusedBefore = other.focusCount;
    // Double-clicked in the file manager again: it goes to the window that has it, which comes forward.
    rec.app.emit('second-instance', new FakeEvent(), ['/opt/Inkling/inkling', third], docs, {});
    await until(() => opened(other).includes(third), 'the file in the window that has it');
    expect(opened(win)).toEqual([path.join(docs, 'late.md')]); // the focused window got nothing new
    expect(other.focusCount).toBeGreaterThan(focusedBefore);
    // A file no window has goes to the focused window, as before.
    rec.app.emit('second-instance', new FakeEvent(), ['/opt/Inkling/inkling', path.join(docs, 'first.md')], docs, {});
    await until(() => opened(win).includes(path.join(docs, 'first.md')), 'first.md in the focused window');
    expect(opened(other)).toEqual([third]);
  });
});

describe('the application menu follows the keymap', () => {
  it('starts with the default keys and an item for each keymap command', () => {
    expect(menuItem('panel.toggle').accelerator).toBe('CmdOrCtrl+Shift+P');
    expect(menuItem('heatmap.toggle').accelerator).toBe('CmdOrCtrl+Shift+H');
    expect(menuItem('help.keyboardSettings').accelerator).toBe('CmdOrCtrl+,');
  });

  it('is rebuilt when the writer changes a key (and not for other settings)', async () => {
    // Rebuilds asked for by earlier tests (opening files changes the recent list) end first.
    await main.menuSettled();
    const before = rec.menus.length;
    expect(await call('updateSettings', { theme: 'dark' })).toMatchObject({ ok: true });
    expect(
      await call('updateSettings', { shortcuts: { 'panel.toggle': 'Mod+Alt+K', 'view.models': '' } }),
    ).toMatchObject({ ok: true });
    await until(() => menuItem('panel.toggle').accelerator === 'CmdOrCtrl+Alt+K', 'the menu to show the new key');
    await main.menuSettled();
    expect(rec.menus.length).toBe(before + 1);
    expect(menuItem('view.models').accelerator).toBeUndefined();
    expect(menuItems().some((i) => i.accelerator === 'CmdOrCtrl+Shift+P')).toBe(false);
  });

  it('its new items reach the focused window as typed menuCommand events', () => {
    const before = menuCommands(win).length;
    (menuItem('panel.toggle').click as () => void)();
    (menuItem('heatmap.toggle').click as () => void)();
    (menuItem('help.shortcuts').click as () => void)();
    expect(menuCommands(win).slice(before)).toEqual([
      { command: 'panel.toggle' },
      { command: 'heatmap.toggle' },
      { command: 'help.shortcuts' },
    ]);
  });
});
