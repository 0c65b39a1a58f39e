/** A one-line progress bar on stderr (only when stderr is a terminal; otherwise stage lines). */
export function progressBar(label: string): { update: (fraction: number, stage: string) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  let lastStage = '';
  return {
    update(fraction, stage) {
      const pct = Math.max(0, Math.min(1, fraction));
      if (tty) {
        const width = 30;
        const filled = Math.round(pct * width);
        process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(pct * 100).toFixed(0).padStart(3)}% ${stage.padEnd(24)}`);
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
