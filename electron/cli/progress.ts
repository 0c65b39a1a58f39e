/** A one-line progress bar on stderr (only when stderr is a terminal; otherwise stage lines). */
/** "1 min 05 s" / "42 s": an estimate of the time left, from the time so far and the fraction done. */
export function timeLeft(elapsedMs: number, fraction: number): string {
  if (!(fraction > 0.02) || fraction >= 1 || !(elapsedMs > 0)) return '';
  const s = Math.round((elapsedMs * (1 - fraction)) / fraction / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left` : `${s} s left`;
}

export function progressBar(
  label: string,
  now: () => number = () => performance.now(),
): { update: (fraction: number, stage: string) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastStage = '';
  const t0 = now();
  return {
    update(fraction, stage) {
      const pct = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const width = 30;
        const filled = Math.round(pct * width);
        const left = timeLeft(now() - t0, pct);
        process.stderr.write(
          `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(pct * 100).toFixed(0).padStart(3)}% ${(left ? `${stage}, ${left}` : stage).padEnd(48)}`,
        );
      } else if (stage !== lastStage) {
        process.stderr.write(`${label}: ${stage} (${(pct * 100).toFixed(0)}%)\n`);
      }
      lastStage = stage;
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}
