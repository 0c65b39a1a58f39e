/**
 * The app's shortcut dispatcher: one keydown listener (capture phase, so an app shortcut wins over
 * the editor's default for the same keys, e.g. Ctrl+/ in Markdown), the writer's bindings read at
 * every key press (a rebinding applies at once), and nothing while a shortcut field is listening.
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
}

export interface Keyboard {
  /** Runs the command bound to the event's keys; true when one ran. */
  handle(e: KeyLike & { preventDefault(): void; stopPropagation(): void; defaultPrevented?: boolean; repeat?: boolean }): boolean;
  install(target?: Pick<Window, 'addEventListener' | 'removeEventListener'>): () => void;
}

export function createKeyboard(opts: KeyboardOptions): Keyboard {
  let cache: { source: string; map: Map<string, string> } | null = null;
  const lookup = (combo: string) => {
    const bindings = opts.bindings();
    const source = JSON.stringify(bindings);
    if (!cache || cache.source !== source) cache = { source, map: keyMap(bindings) };
    return cache.map.get(combo);
  };
  const keyboard: Keyboard = {
    handle(e) {
      if (e.defaultPrevented || opts.paused()) return false;
      const combo = eventCombo(e, opts.mac);
      if (!combo) return false;
      const id = lookup(combo);
      if (!id) return false;
      if (opts.dialogOpen() && !(opts.inDialog ?? []).includes(id)) return false;
      const action = opts.actions[id];
      if (!action || action.enabled?.() === false) return false;
      e.preventDefault();
      e.stopPropagation();
      if (!e.repeat) action.run();
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
