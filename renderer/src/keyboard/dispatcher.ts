/**
 * The app's shortcut dispatcher: one keydown listener (capture phase, so an app shortcut wins over
 * the editor's default for the same keys, e.g. Ctrl+/ in Markdown), the writer's bindings read at
 * every key press (a rebinding applies at once), and nothing while a shortcut field is listening.
 *
 * The Electron menu shows the same bindings as accelerators and sends its clicks here (`run`), so a
 * key press can reach a command twice — as the keydown and as the menu's accelerator. The second
 * arrival from the other path within DEDUPE_MS is dropped (a toggle must not undo itself).
 */
import { keyMap } from './bindings';
import { eventCombo, type KeyLike } from './keys';

export interface KeyAction {
  run(): void;
  /** When false the key is left alone (e.g. "run the pane" with the panel hidden). */
  enabled?(): boolean;
}

export interface KeyboardOptions {
  bindings(): Record<string, string>;
  actions: Readonly<Record<string, KeyAction>>;
  /** True while shortcuts must not fire (a key is being recorded). */
  paused(): boolean;
  /** Commands allowed while a dialog is open (others wait until it closes). */
  dialogOpen(): boolean;
  inDialog?: readonly string[];
  mac?: boolean;
  /** The clock (tests pass their own). */
  now?(): number;
}

export interface Keyboard {
  /** Runs the command bound to the event's keys; true when one ran. */
  handle(
    e: KeyLike & { preventDefault(): void; stopPropagation(): void; defaultPrevented?: boolean; repeat?: boolean },
  ): boolean;
  install(target?: Pick<Window, 'addEventListener' | 'removeEventListener'>): () => void;
  /**
   * Runs a command by id, as the application menu does (same rules as its key: not while paused,
   * only the `inDialog` ones while a dialog is open, not when disabled). True when it ran.
   */
  run(id: string): boolean;
}

/** A keydown and the menu accelerator of the same key arrive within this many ms of each other. */
export const DEDUPE_MS = 300;

export function createKeyboard(opts: KeyboardOptions): Keyboard {
  let cache: { source: string; map: Map<string, string> } | null = null;
  const lookup = (combo: string) => {
    const bindings = opts.bindings();
    const source = JSON.stringify(bindings);
    if (!cache || cache.source !== source) cache = { source, map: keyMap(bindings) };
    return cache.map.get(combo);
  };
  const now = opts.now ?? Date.now;
  let last: { id: string; source: 'key' | 'menu'; at: number } | null = null;
  /** The action for `id` if it may run now. */
  const runnable = (id: string): KeyAction | null => {
    if (opts.dialogOpen() && !(opts.inDialog ?? []).includes(id)) return null;
    const action = opts.actions[id];
    if (!action || action.enabled?.() === false) return null;
    return action;
  };
  /** Runs unless the other path just ran the same command (one key press, two deliveries). */
  const runOnce = (id: string, action: KeyAction, source: 'key' | 'menu') => {
    const t = now();
    if (last && last.id === id && last.source !== source && t - last.at < DEDUPE_MS) return;
    last = { id, source, at: t };
    action.run();
  };
  const keyboard: Keyboard = {
    handle(e) {
      if (e.defaultPrevented || opts.paused()) return false;
      const combo = eventCombo(e, opts.mac);
      if (!combo) return false;
      const id = lookup(combo);
      if (!id) return false;
      const action = runnable(id);
      if (!action) return false;
      e.preventDefault();
      e.stopPropagation();
      if (!e.repeat) runOnce(id, action, 'key');
      return true;
    },
    run(id) {
      if (opts.paused()) return false;
      const action = runnable(id);
      if (!action) return false;
      runOnce(id, action, 'menu');
      return true;
    },
    install(target = window) {
      const listener = (e: Event) => void keyboard.handle(e as KeyboardEvent);
      target.addEventListener('keydown', listener, true);
      return () => target.removeEventListener('keydown', listener, true);
    },
  };
  return keyboard;
}
