/**
 * The app's shortcut listener: one keydown listener (capture phase, so an app shortcut wins over
 * the editor's default for the same keys, e.g. Ctrl+/ in Markdown) that turns the writer's keys
 * into command ids, reading the bindings at every key press (a rebinding applies at once). What an
 * id does, when it may run, and the double-press filter belong to the command dispatcher
 * (app/dispatch.ts), which the application menu uses too.
 */
import { keyMap } from './bindings';
import { eventCombo, type KeyLike } from './keys';

/** The part of the command dispatcher the keys need. */
export interface KeyCommands {
  runnable(id: string): boolean;
  run(id: string, arrival: 'key'): boolean;
}

export interface KeyboardOptions {
  bindings(): Record<string, string>;
  commands: KeyCommands;
  mac?: boolean;
}

export interface Keyboard {
  /** Runs the command bound to the event's keys; true when the key was taken. */
  handle(
    e: KeyLike & { preventDefault(): void; stopPropagation(): void; defaultPrevented?: boolean; repeat?: boolean },
  ): boolean;
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
      if (e.defaultPrevented) return false;
      const combo = eventCombo(e, opts.mac);
      const id = combo && lookup(combo);
      if (!id || !opts.commands.runnable(id)) return false;
      e.preventDefault();
      e.stopPropagation();
      if (!e.repeat) opts.commands.run(id, 'key');
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
