/** Numbers in a writer's words: sizes, speeds, time left, parameter counts, fit labels. */
import type { FitLabel, ModelJob, ModelPrecision } from '../../../electron/api';

/** Decimal units, as download sizes are usually quoted ("548 MB"). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${v.toFixed(digits)} ${units[i]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '';
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'less than a second left';
  if (seconds < 60) return `${Math.ceil(seconds)} s left`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s left`;
  return `${Math.floor(m / 60)} h ${m % 60} min left`;
}

export function formatParams(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : `${Math.round(n / 1e6)}M`;
}

export const FIT_TEXT: Record<FitLabel, string> = { fits: 'fits', slow: 'slow', 'wont-fit': "won't fit" };

export const FIT_TIP: Record<FitLabel, string> = {
  fits: 'Fits comfortably in this computer\'s memory (under half of it).',
  slow: 'Runs, but needs most of this computer\'s memory: other apps may slow down.',
  'wont-fit': 'Needs more memory than this computer can spare.',
};

export const PRECISION_TIP: Record<ModelPrecision, string> = {
  fp32: 'Full precision: the original weights, largest and most exact.',
  fp16: 'Half precision: half the size, nearly identical output.',
  int8: '8-bit weights: about a quarter of the size, fast on the CPU, very close to full precision.',
  int4: '4-bit weights: smallest and fastest; a little less exact.',
};

const PHASE_TEXT: Record<ModelJob['phase'], string> = {
  queued: 'Starting…',
  resolving: 'Asking the Hub for the files…',
  downloading: 'Downloading',
  copying: 'Copying',
  converting: 'Converting',
  done: 'Done',
};

/** One line under a progress bar: "Downloading model.safetensors · 120 MB of 548 MB · 12 MB/s · 35 s left". */
export function jobLine(j: ModelJob): string {
  if (j.state === 'cancelled') return `Paused at ${formatBytes(j.bytesDone)}${j.bytesTotal ? ` of ${formatBytes(j.bytesTotal)}` : ''}. Resume picks up where it stopped.`;
  if (j.state === 'interrupted') {
    return j.kind === 'pull'
      ? `Stopped when Inkling closed, at ${formatBytes(j.bytesDone)}${j.bytesTotal ? ` of ${formatBytes(j.bytesTotal)}` : ''}. Resume picks up where it stopped.`
      : 'An unfinished import. Discard it to free the space.';
  }
  if (j.state === 'failed') return j.error?.message ?? 'Failed.';
  const parts = [PHASE_TEXT[j.phase] + (j.phase === 'downloading' && j.file ? ` ${j.file}` : '') + (j.phase === 'converting' && j.stage ? `: ${j.stage}` : '')];
  if (j.phase === 'downloading' && j.bytesTotal > 0) parts.push(`${formatBytes(j.bytesDone)} of ${formatBytes(j.bytesTotal)}`);
  if (j.phase === 'downloading') {
    const speed = formatSpeed(j.bytesPerSecond);
    if (speed) parts.push(speed);
    const eta = formatEta(j.etaSeconds);
    if (eta) parts.push(eta);
  }
  if (j.phase === 'copying' && j.file) parts.push(j.file);
  return parts.join(' · ');
}
