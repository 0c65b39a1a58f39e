/** Shortcut labels in the writer's platform's words (⌘ on macOS, Ctrl elsewhere). */
const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function mod(): string {
  return isMac ? '⌘' : 'Ctrl';
}

export function alt(): string {
  return isMac ? '⌥' : 'Alt';
}

/** "Ctrl+S" / "⌘S". */
export function shortcut(...parts: string[]): string {
  return isMac ? parts.join('') : parts.join('+');
}
