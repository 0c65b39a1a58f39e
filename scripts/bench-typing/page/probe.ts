/**
 * Runs inside both pages (Inkling's and the bare CodeMirror peer's) before their own scripts, as an
 * init script: it times each key press from its keydown event to the next painted frame (a
 * requestAnimationFrame callback, then a setTimeout 0 after that frame), keeps Chrome's "longtask"
 * entries, and finds the page's CodeMirror view to place the cursor. Bundled by ../pages.ts.
 */

/** The few parts of a CodeMirror EditorView the bench uses (the page's own, found through the DOM). */
interface ViewLike {
  state: { doc: { length: number }; selection: { main: { from: number; to: number } } };
  dispatch(spec: { selection: { anchor: number; head?: number }; scrollIntoView?: boolean }): void;
  focus(): void;
}

export interface LongTaskEntry {
  start: number;
  duration: number;
}

export interface TypingProbe {
  /** The page's clock (performance.now()). */
  now(): number;
  /** The last key press's time from keydown to the next painted frame, in ms (waits for that frame). */
  take(): Promise<number>;
  longTasks(): LongTaskEntry[];
  /** Waits until no long task has run for `quietMs` (at most `capMs`); returns the ms waited. */
  settle(quietMs: number, capMs: number): Promise<number>;
  /** The main editor's document length (the view with the longest document in the page). */
  docLength(): number;
  /** Puts the cursor at `pos` (scrolled into view) and focuses the editor. */
  setCursor(pos: number): void;
  focus(): void;
  /** Characters selected in the main editor. */
  selectionSize(): number;
}

export interface ProbeWindow {
  __typingProbe: TypingProbe;
}

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'Meta']);

const longTasks: LongTaskEntry[] = [];
let pending: Promise<number> | null = null;

try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
} catch {
  // A browser without long-task timing: the counts stay at zero and the key figures are unaffected.
}

const nextPaint = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

window.addEventListener(
  'keydown',
  (e) => {
    if (MODIFIERS.has(e.key)) return;
    // The event's own time stamp: any wait in the input queue (a busy main thread) counts too.
    const t0 = Math.min(e.timeStamp, performance.now());
    pending = nextPaint().then(() => performance.now() - t0);
  },
  { capture: true },
);

function mainView(): ViewLike {
  type Tagged = HTMLElement & { cmTile?: { root?: { view?: ViewLike } }; cmView?: { rootView?: { view?: ViewLike } } };
  let best: ViewLike | null = null;
  for (const el of Array.from(document.querySelectorAll<Tagged>('.cm-content'))) {
    // @codemirror/view ≥ 6.39 tags the content element with its tile; older versions with cmView.
    const v = el.cmTile?.root?.view ?? el.cmView?.rootView?.view;
    if (v && (!best || v.state.doc.length > best.state.doc.length)) best = v;
  }
  if (!best) throw new Error('no CodeMirror view found under .cm-content');
  return best;
}

const probe: TypingProbe = {
  now: () => performance.now(),
  take() {
    const p = pending;
    pending = null;
    if (!p) return Promise.reject(new Error('no keydown reached the page'));
    return p;
  },
  longTasks: () => longTasks.slice(),
  async settle(quietMs, capMs) {
    const t0 = performance.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await nextPaint();
      const now = performance.now();
      const lastBusy = longTasks.reduce((a, e) => Math.max(a, e.start + e.duration), t0);
      if (now - lastBusy >= quietMs || now - t0 >= capMs) return now - t0;
    }
  },
  docLength: () => mainView().state.doc.length,
  setCursor(pos) {
    const view = mainView();
    view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    view.focus();
  },
  focus: () => mainView().focus(),
  selectionSize() {
    const { from, to } = mainView().state.selection.main;
    return to - from;
  },
};

(window as unknown as ProbeWindow).__typingProbe = probe;
