/**
 * Remembered window bounds (`<dataDir>/window-state.json`). Plain Node: Electron's main passes the
 * displays' work areas in, and gets back bounds that are guaranteed to be visible on one of them
 * (a monitor that was unplugged must not leave the window off-screen).
 */
import * as path from 'node:path';
import { readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1100, height: 780 };
export const MIN_SIZE = { width: 480, height: 360 };

function isRect(v: unknown): v is Rect {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every((k) => typeof r[k] === 'number' && Number.isFinite(r[k] as number));
}

export function parseWindowState(v: unknown): WindowState | null {
  if (!v || typeof v !== 'object') return null;
  const s = v as Record<string, unknown>;
  if (!isRect(s.bounds) || typeof s.maximized !== 'boolean') return null;
  const { x, y, width, height } = s.bounds;
  if (width < MIN_SIZE.width || height < MIN_SIZE.height || width > 100_000 || height > 100_000) return null;
  return {
    bounds: { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) },
    maximized: s.maximized,
  };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Fits saved bounds to the current displays: kept if enough of the window (a 100×50 grip) is on a
 * display, shrunk to the work area if too big, otherwise centred on the primary display.
 */
export function fitToDisplays(state: WindowState | null, workAreas: Rect[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_SIZE.width, height: DEFAULT_SIZE.height };
  const centred = (w: number, h: number): Rect => {
    const width = Math.min(w, primary.width);
    const height = Math.min(h, primary.height);
    return {
      x: primary.x + Math.round((primary.width - width) / 2),
      y: primary.y + Math.round((primary.height - height) / 2),
      width,
      height,
    };
  };
  if (!state) return { bounds: centred(DEFAULT_SIZE.width, DEFAULT_SIZE.height), maximized: false };
  const b = state.bounds;
  const grip: Rect = { x: b.x, y: b.y, width: Math.min(100, b.width), height: Math.min(50, b.height) };
  const area = workAreas.find((a) => overlap(grip, a) >= grip.width * grip.height * 0.5);
  if (!area) return { bounds: centred(b.width, b.height), maximized: state.maximized };
  const width = Math.min(b.width, area.width);
  const height = Math.min(b.height, area.height);
  const x = Math.min(Math.max(b.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(b.y, area.y), area.y + area.height - height);
  return { bounds: { x, y, width, height }, maximized: state.maximized };
}

export class WindowStateStore {
  readonly file: string;
  private readonly queue = new SerialQueue();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'window-state.json');
  }

  /** The saved state, or null when missing or invalid (never throws). */
  async load(): Promise<WindowState | null> {
    const read = await readJsonFile(this.file);
    return read.kind === 'ok' ? parseWindowState(read.value) : null;
  }

  async save(state: WindowState): Promise<void> {
    const valid = parseWindowState(state);
    if (!valid) return;
    await this.queue.run(() => writeJsonFile(this.file, valid));
  }
}
