/**
 * Runs commands by id, whichever way they arrive: a key press (keyboard/dispatcher.ts maps the
 * writer's keys to ids) or the application menu (`menuCommand`, the item's id). One table holds
 * what every id does (app/commands.ts, panes/commands.ts); nothing else decides.
 *
 * The Electron menu shows the same bindings as accelerators, so one key press can arrive twice: as
 * the keydown and as the menu item's accelerator. A command that arrives again within
 * DOUBLE_PRESS_MS is dropped (a toggle must not undo itself), unless both arrivals are key presses:
 * two keydowns are two presses (held keys repeat, and repeats never run). Commands with a path
 * (recent files, files from the operating system) count per path: several files at once all open.
 */
import { isKeymapCommandId, type MenuCommand } from '../../../electron/api';

export interface CommandAction {
  /** `path`: the file of 'file.openRecent' and 'file.openPath'. */
  run(path?: string): unknown;
  /** When false the command does not run, and its key is left alone (e.g. "run the pane" with the panel hidden). */
  enabled?(): boolean;
}

export type Arrival = 'key' | 'menu';

export interface DispatcherOptions {
  commands: Readonly<Record<string, CommandAction>>;
  /**
   * True while the writer's commands must not run (a key is being recorded). Like the dialog rule,
   * it holds for the rebindable commands (electron/api/keymap), by key or by menu; the menu's own
   * items (editing, theme, text size, recent files) always run.
   */
  paused(): boolean;
  /** A dialog is open: only the `inDialog` commands run until it closes. */
  dialogOpen(): boolean;
  inDialog?: readonly string[];
  /** The clock (tests pass their own). */
  now?(): number;
}

export interface Dispatcher {
  /** True when `id` would run now (the keyboard claims a key only then). */
  runnable(id: string): boolean;
  /** Runs `id` unless a rule holds it or it is the second arrival of one press. True when it was taken. */
  run(id: string, arrival: Arrival, path?: string): boolean;
  /** A menu item's click. */
  menu(command: MenuCommand): boolean;
}

/** A keydown and the menu accelerator of the same key arrive within this many ms of each other. */
export const DOUBLE_PRESS_MS = 300;

export function createDispatcher(opts: DispatcherOptions): Dispatcher {
  const now = opts.now ?? Date.now;
  let last: { key: string; arrival: Arrival; at: number } | null = null;

  const runnable = (id: string): boolean => {
    if (isKeymapCommandId(id)) {
      if (opts.paused()) return false;
      if (opts.dialogOpen() && !(opts.inDialog ?? []).includes(id)) return false;
    }
    const action = opts.commands[id];
    return Boolean(action) && action.enabled?.() !== false;
  };

  const dispatcher: Dispatcher = {
    runnable,
    run(id, arrival, path) {
      if (!runnable(id)) return false;
      const t = now();
      const key = `${id}\n${path ?? ''}`;
      const twice = last !== null && last.key === key && t - last.at < DOUBLE_PRESS_MS;
      if (twice && !(arrival === 'key' && last!.arrival === 'key')) return true;
      last = { key, arrival, at: t };
      void opts.commands[id].run(path);
      return true;
    },
    menu: ({ command, path }) => dispatcher.run(command, 'menu', path),
  };
  return dispatcher;
}
