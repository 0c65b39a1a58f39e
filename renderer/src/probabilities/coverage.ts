/**
 * What the heat map has scored of the document in this pass, and where to score next: from where
 * the writer looks (the first visible line) to the end, then from the start up to there. The parts
 * the host returns start at line starts and tile the document, so the covered ranges meet exactly.
 */
export class Coverage {
  /** Sorted, merged [from, to) character ranges. */
  private ranges: Array<[number, number]> = [];
  private readonly starts = new Set<number>();

  /** A scored part. */
  add(from: number, to: number): void {
    if (to <= from) return;
    this.starts.add(from);
    const out: Array<[number, number]> = [];
    let f = from;
    let t = to;
    let placed = false;
    for (const [a, b] of this.ranges) {
      if (b < f) out.push([a, b]);
      else if (a > t) {
        if (!placed) out.push([f, t]);
        placed = true;
        out.push([a, b]);
      } else {
        f = Math.min(f, a);
        t = Math.max(t, b);
      }
    }
    if (!placed) out.push([f, t]);
    this.ranges = out;
  }

  /** Distinct parts scored. */
  get parts(): number {
    return this.starts.size;
  }

  covers(at: number): boolean {
    return this.ranges.some(([a, b]) => a <= at && at < b);
  }

  /** The first character at or after `at` (and before `length`) not yet scored, or null. */
  uncoveredFrom(at: number, length: number): number | null {
    let pos = Math.max(0, at);
    for (const [a, b] of this.ranges) if (a <= pos && pos < b) pos = b;
    return pos < length ? pos : null;
  }

  /** Where to score next: from `visible` on, then from the start; null when all is scored. */
  next(visible: number, length: number): number | null {
    return this.uncoveredFrom(Math.min(visible, length), length) ?? this.uncoveredFrom(0, length);
  }

  clear(): void {
    this.ranges = [];
    this.starts.clear();
  }
}
