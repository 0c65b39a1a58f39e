/**
 * Download speed and time left, smoothed so the numbers a writer sees do not jump with every
 * packet. Speed is an exponential moving average of the instantaneous rate, weighted by elapsed
 * time: alpha = 1 - exp(-dt / tau), tau = 3 s, so the figure reflects roughly the last few seconds
 * whatever the sampling rate. Samples closer than 100 ms together are merged into the next one.
 */
export interface DownloadProgress {
  /** The file being transferred ("model.safetensors"). */
  file: string;
  /** 'checking' = rehashing an existing partial file; 'downloading'; 'verifying' = final checks. */
  stage: 'checking' | 'downloading' | 'verifying';
  bytesDone: number;
  bytesTotal: number;
  /** Smoothed bytes per second; 0 until there is a measurement. */
  bytesPerSecond: number;
  /** Seconds left at the smoothed speed; null when unknown. */
  etaSeconds: number | null;
}

export class SpeedMeter {
  private lastT: number | null = null;
  private lastBytes = 0;
  private speed = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly tauMs = 3000,
    private readonly minDtMs = 100,
  ) {}

  /** Restart measurement from `bytes` (after a reconnect the pause should not drag the average). */
  reset(bytes: number): void {
    this.lastT = this.now();
    this.lastBytes = bytes;
  }

  /** Feed the running byte count; returns the smoothed speed in bytes/s. */
  sample(bytes: number): number {
    const t = this.now();
    if (this.lastT === null) {
      this.reset(bytes);
      return this.speed;
    }
    const dt = t - this.lastT;
    if (dt < this.minDtMs) return this.speed;
    const rate = ((bytes - this.lastBytes) * 1000) / dt;
    const alpha = this.speed === 0 ? 1 : 1 - Math.exp(-dt / this.tauMs);
    this.speed = this.speed + alpha * (rate - this.speed);
    this.lastT = t;
    this.lastBytes = bytes;
    return this.speed;
  }

  get bytesPerSecond(): number {
    return this.speed;
  }
}

export function etaSeconds(bytesDone: number, bytesTotal: number, bytesPerSecond: number): number | null {
  if (bytesDone >= bytesTotal) return 0;
  if (!(bytesPerSecond > 0)) return null;
  return (bytesTotal - bytesDone) / bytesPerSecond;
}

/** Calls `fn` at most every `intervalMs`, except when `force` is set (start, end, stage changes). */
export function throttle<T>(fn: (v: T) => void, intervalMs = 100, now: () => number = () => performance.now()) {
  let last = -Infinity;
  return (v: T, force = false): void => {
    const t = now();
    if (!force && t - last < intervalMs) return;
    last = t;
    fn(v);
  };
}
