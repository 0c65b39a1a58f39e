/** Key combinations, bindings with the writer's changes, conflicts, and the dispatcher. */
import { describe, expect, it } from 'vitest';
import {
  COMMANDS,
  RESERVED,
  comboProblem,
  conflicts,
  createKeyboard,
  effectiveBindings,
  eventCombo,
  formatCombo,
  keyMap,
  normalizeCombo,
  takenBy,
  withBinding,
} from '../../../renderer/src/keyboard';
import { SHORTCUT_RE } from '../../../electron/api';
import { createDispatcher } from '../../../renderer/src/app/dispatch';

const key = (
  k: string,
  mods: Partial<{ ctrl: boolean; meta: boolean; alt: boolean; shift: boolean }> = {},
  code?: string,
) => ({
  key: k,
  code,
  ctrlKey: Boolean(mods.ctrl),
  metaKey: Boolean(mods.meta),
  altKey: Boolean(mods.alt),
  shiftKey: Boolean(mods.shift),
});

describe('key combinations', () => {
  it('reads events the same way on every layout and platform', () => {
    expect(eventCombo(key('p', { ctrl: true, shift: true }), false)).toBe('Mod+Shift+P');
    expect(eventCombo(key('p', { meta: true, shift: true }), true)).toBe('Mod+Shift+P');
    expect(eventCombo(key('!', { ctrl: true, shift: true }, 'Digit1'), false)).toBe('Mod+Shift+1');
    expect(eventCombo(key('?', { ctrl: true, shift: true }, 'Slash'), false)).toBe('Mod+Shift+/');
    expect(eventCombo(key('/', { ctrl: true }, 'Slash'), false)).toBe('Mod+/');
    // ⌥K types "˚" on a Mac: the physical key still names the shortcut.
    expect(eventCombo(key('˚', { alt: true }, 'KeyK'), true)).toBe('Alt+K');
    expect(eventCombo(key('Enter', { alt: true }), false)).toBe('Alt+Enter');
    expect(eventCombo(key(' ', { ctrl: true }), false)).toBe('Mod+Space');
    expect(eventCombo(key('F6'), false)).toBe('F6');
    expect(eventCombo(key('Control', { ctrl: true }), false)).toBeNull();
    expect(eventCombo(key('k', { ctrl: true }), true)).toBe('Ctrl+K'); // the Control key on a Mac is not ⌘
  });

  it('stores one spelling the settings accept, and writes it for people', () => {
    expect(normalizeCombo('Shift+Mod+P')).toBe('Mod+Shift+P');
    for (const c of COMMANDS) expect(SHORTCUT_RE.test(c.defaultKey), c.defaultKey).toBe(true);
    expect(formatCombo('Mod+Shift+P', false)).toBe('Ctrl+Shift+P');
    expect(formatCombo('Mod+Shift+P', true)).toBe('⇧⌘P');
    expect(formatCombo('Alt+ArrowUp', false)).toBe('Alt+↑');
    expect(formatCombo('', false)).toBe('—');
  });

  it('refuses keys that type text or that the editor needs', () => {
    expect(comboProblem('Shift+K', RESERVED)).toMatch(/would type text/);
    expect(comboProblem('K', RESERVED)).toMatch(/would type text/);
    expect(comboProblem('Mod+Z', RESERVED)).toMatch(/editor's key for undo/);
    expect(comboProblem('Alt+]', RESERVED)).toMatch(/next alternative/);
    expect(comboProblem('Mod+M', RESERVED)).toMatch(/window's key for minimizing the window/);
    expect(comboProblem('Ctrl+Mod+F', RESERVED)).toMatch(/full screen/);
    // No default binding takes a window key.
    for (const c of COMMANDS) expect(comboProblem(c.defaultKey, RESERVED), c.id).toBeNull();
    expect(comboProblem('F7', RESERVED)).toBeNull();
    expect(comboProblem('Mod+Alt+K', RESERVED)).toBeNull();
  });
});

describe('bindings', () => {
  it("applies the writer's changes, keeps only differences, and finds conflicts", () => {
    const base = effectiveBindings({});
    expect(base['panel.toggle']).toBe('Mod+Shift+P');
    expect(conflicts(base)).toEqual([]);
    expect(takenBy(base, 'Shift+Mod+S', 'panel.toggle')).toBe('file.saveAs');
    let o = withBinding({}, 'panel.toggle', 'Alt+Mod+K');
    expect(o).toEqual({ 'panel.toggle': 'Mod+Alt+K' });
    o = withBinding(o, 'heatmap.toggle', 'Mod+Alt+K');
    expect(conflicts(effectiveBindings(o))).toEqual([{ key: 'Mod+Alt+K', ids: ['panel.toggle', 'heatmap.toggle'] }]);
    expect(keyMap(effectiveBindings(o)).get('Mod+Alt+K')).toBe('panel.toggle');
    expect(withBinding(o, 'panel.toggle', 'Mod+Shift+P')).toEqual({ 'heatmap.toggle': 'Mod+Alt+K' }); // back to the default
    expect(effectiveBindings(withBinding({}, 'file.save', ''))['file.save']).toBe('');
  });

  it('the dispatcher runs the bound command, follows rebinding at once, and stays quiet when paused', () => {
    let overrides: Record<string, string> = {};
    const ran: string[] = [];
    let paused = false;
    let dialog = false;
    const dispatcher = createDispatcher({
      commands: {
        'panel.toggle': { run: () => ran.push('panel') },
        'help.shortcuts': { run: () => ran.push('help') },
        'pane.run': { run: () => ran.push('run'), enabled: () => false },
      },
      paused: () => paused,
      dialogOpen: () => dialog,
      inDialog: ['help.shortcuts'],
    });
    const kb = createKeyboard({ bindings: () => effectiveBindings(overrides), commands: dispatcher, mac: false });
    const press = (k: string, mods: Parameters<typeof key>[1], code?: string) => {
      let prevented = false;
      const handled = kb.handle({
        ...key(k, mods, code),
        preventDefault: () => (prevented = true),
        stopPropagation: () => undefined,
      });
      return { handled, prevented };
    };
    expect(press('p', { ctrl: true, shift: true })).toEqual({ handled: true, prevented: true });
    expect(press('Enter', { ctrl: true }).handled).toBe(false); // disabled: the editor keeps its key
    overrides = { 'panel.toggle': 'Mod+Alt+K' };
    expect(press('p', { ctrl: true, shift: true }).handled).toBe(false);
    expect(press('k', { ctrl: true, alt: true }).handled).toBe(true);
    dialog = true;
    expect(press('k', { ctrl: true, alt: true }).handled).toBe(false);
    expect(press('/', { ctrl: true }, 'Slash').handled).toBe(true);
    dialog = false;
    paused = true;
    expect(press('k', { ctrl: true, alt: true }).handled).toBe(false);
    expect(ran).toEqual(['panel', 'panel', 'help']);
  });
});
