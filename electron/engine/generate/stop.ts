/**
 * Stop sequences matched on text, not tokens: a stop like "\n\n" or "THE END" may arrive split
 * across any number of tokens. The matcher holds back the shortest tail that could still grow
 * into a stop, emits everything before it, and never emits the stop text itself.
 */

export interface StopPush {
  /** Text that is now safe to show. */
  emit: string;
  /** True once a stop sequence has been seen; later pushes emit nothing. */
  stopped: boolean;
}

export class StopMatcher {
  private readonly stops: readonly string[];
  private pending = '';
  private done = false;
  /** The stop sequence that ended generation, once one has. */
  matched: string | null = null;

  constructor(stops: readonly string[]) {
    stops.forEach((s, i) => {
      if (typeof s !== 'string' || s.length === 0) {
        throw new RangeError(`stop sequence ${i} must be non-empty text, found ${JSON.stringify(s)}`);
      }
    });
    this.stops = [...stops];
  }

  get stopped(): boolean {
    return this.done;
  }

  push(text: string): StopPush {
    if (this.done) return { emit: '', stopped: true };
    const buf = this.pending + text;
    // The earliest occurrence wins; among stops starting at the same place, the shortest.
    let at = -1;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (at < 0 || i < at || (i === at && s.length < (this.matched as string).length))) {
        at = i;
        this.matched = s;
      }
    }
    if (at >= 0) {
      this.done = true;
      this.pending = '';
      return { emit: buf.slice(0, at), stopped: true };
    }
    const hold = this.heldTail(buf);
    this.pending = buf.slice(buf.length - hold);
    return { emit: buf.slice(0, buf.length - hold), stopped: false };
  }

  /** Ends the stream without a stop: returns the held-back text (nothing after a stop). */
  flush(): string {
    const rest = this.done ? '' : this.pending;
    this.pending = '';
    return rest;
  }

  /** Length of the longest tail of buf that is a proper prefix of some stop sequence. */
  private heldTail(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let len = Math.min(s.length - 1, buf.length); len > best; len--) {
        if (buf.endsWith(s.slice(0, len))) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}
