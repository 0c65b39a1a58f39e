/**
 * One way to run a command: by its id, through the dispatcher (renderer/src/app/dispatch.ts), for a
 * key press (the keyboard maps keys to ids) and a menu click alike — with the one double-press
 * filter: a key press that arrives twice (keydown + menu accelerator) or a menu click delivered
 * twice runs once; two presses run twice.
 */
import { describe, expect, it } from 'vitest';
import { createDispatcher, DOUBLE_PRESS_MS, type CommandAction } from '../../renderer/src/app/dispatch';
import { createKeyboard, effectiveBindings } from '../../renderer/src/keyboard';

function setup() {
  let clock = 1000;
  const ran: string[] = [];
  let dialog = false;
  let paused = false;
  const action = (name: string): CommandAction => ({ run: (path) => ran.push(path ? `${name} ${path}` : name) });
  const dispatcher = createDispatcher({
    commands: {
      'panel.toggle': action('panel'),
      'help.shortcuts': action('help'),
      'pane.run': { run: () => ran.push('run'), enabled: () => false },
      'file.openPath': action('open'),
      'view.toggleTheme': action('theme'),
    },
    paused: () => paused,
    dialogOpen: () => dialog,
    inDialog: ['help.shortcuts'],
    now: () => clock,
  });
  const kb = createKeyboard({ bindings: () => effectiveBindings({}), commands: dispatcher, mac: false });
  const press = (repeat = false) =>
    kb.handle({
      key: 'p',
      ctrlKey: true,
      shiftKey: true,
      altKey: false,
      metaKey: false,
      repeat,
      preventDefault: () => undefined,
      stopPropagation: () => undefined,
    });
  return {
    dispatcher,
    ran,
    press,
    click: (command: 'panel.toggle' | 'file.openPath' | 'view.toggleTheme', path?: string) =>
      dispatcher.menu({ command, ...(path ? { path } : {}) }),
    tick: (ms: number) => (clock += ms),
    setDialog: (v: boolean) => (dialog = v),
    setPaused: (v: boolean) => (paused = v),
  };
}

describe('the double-press filter', () => {
  it('a menu click delivered twice within the window runs once; two separate clicks run twice', () => {
    const t = setup();
    t.click('panel.toggle');
    t.tick(DOUBLE_PRESS_MS - 1);
    t.click('panel.toggle');
    expect(t.ran).toEqual(['panel']);
    t.tick(DOUBLE_PRESS_MS);
    t.click('panel.toggle');
    expect(t.ran).toEqual(['panel', 'panel']);
    // The menu's own items (not rebindable) are filtered the same way.
    t.click('view.toggleTheme');
    t.tick(10);
    t.click('view.toggleTheme');
    expect(t.ran).toEqual(['panel', 'panel', 'theme']);
  });

  it('drops the second delivery of one key press from the other path, never a second press', () => {
    const t = setup();
    expect(t.press()).toBe(true);
    t.tick(40);
    t.click('panel.toggle'); // the menu accelerator of the same press
    expect(t.ran).toEqual(['panel']);
    t.tick(400);
    t.click('panel.toggle'); // a real menu click later
    t.tick(40);
    expect(t.press()).toBe(true); // its keydown twin is taken (the editor must not see it) but not run again
    expect(t.ran).toEqual(['panel', 'panel']);
    t.tick(400);
    t.press();
    t.tick(50);
    t.press(); // two key presses are two presses
    expect(t.ran).toEqual(['panel', 'panel', 'panel', 'panel']);
    t.tick(50);
    t.press(true); // a held key's repeat is not a press
    expect(t.ran).toHaveLength(4);
  });

  it('counts commands with a path per path: several files at once all open, the same one once', () => {
    const t = setup();
    t.click('file.openPath', '/docs/a.md');
    t.click('file.openPath', '/docs/b.md');
    t.click('file.openPath', '/docs/b.md');
    expect(t.ran).toEqual(['open /docs/a.md', 'open /docs/b.md']);
  });
});

describe('the rules, the same for a key and a menu click', () => {
  it('dialogs, disabled commands, unknown ids and recording a key hold the rebindable commands', () => {
    const t = setup();
    expect(t.dispatcher.run('pane.run', 'menu')).toBe(false);
    expect(t.dispatcher.run('no.such.command', 'menu')).toBe(false);
    t.setDialog(true);
    expect(t.click('panel.toggle')).toBe(false);
    expect(t.press()).toBe(false); // the key is left to the page
    expect(t.dispatcher.run('help.shortcuts', 'menu')).toBe(true);
    // The menu's own items still run with a dialog open, as they always did.
    expect(t.click('view.toggleTheme')).toBe(true);
    t.setDialog(false);
    t.setPaused(true);
    expect(t.click('panel.toggle')).toBe(false);
    expect(t.press()).toBe(false);
    expect(t.ran).toEqual(['help', 'theme']);
  });
});
