/**
 * One engine, many clients: generations run one at a time, in arrival order.
 *
 * A request is admitted once (refused when `maxRequests` are already in the server: the caller
 * answers 503 with Retry-After) and then queues one unit of work per prompt. After each unit it
 * goes to the back of the line for its next one, so a request with 32 prompts takes turns with a
 * request that has one instead of holding the engine until it is done.
 */
import type { CancelToken } from '../engine/runtime';

export class QueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`The server is busy: ${limit} requests are already queued or running. Try again shortly.`);
    this.name = 'QueueFullError';
  }
}

export class CancelledError extends Error {
  constructor() {
    super('The request was cancelled.');
    this.name = 'CancelledError';
  }
}

interface Waiter {
  start: () => void;
  cancel: CancelToken;
}

export interface Ticket {
  /** Runs `work` when its turn comes; rejects with CancelledError if `cancel` is set while waiting. */
  run<T>(work: () => Promise<T>, cancel: CancelToken): Promise<T>;
  /** The request is finished (successfully or not): frees its place. Idempotent. */
  release(): void;
}

export class FairQueue {
  private readonly waiting: Waiter[] = [];
  private busy = false;
  private admitted = 0;

  constructor(readonly maxRequests: number) {
    if (!Number.isInteger(maxRequests) || maxRequests < 1)
      throw new RangeError('maxRequests must be a whole number of at least 1');
  }

  /** Requests admitted and not yet released (running or waiting). */
  get size(): number {
    return this.admitted;
  }

  /** Units waiting for the engine (not counting the one running). */
  get pending(): number {
    return this.waiting.length;
  }

  admit(): Ticket {
    if (this.admitted >= this.maxRequests) throw new QueueFullError(this.maxRequests);
    this.admitted++;
    let released = false;
    return {
      run: (work, cancel) => this.enqueue(work, cancel),
      release: () => {
        if (released) return;
        released = true;
        this.admitted--;
      },
    };
  }

  /** Wakes waiters whose request was cancelled, so they leave the line at once. */
  sweep(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i].cancel.cancelled) this.waiting.splice(i, 1)[0].start();
    }
  }

  private enqueue<T>(work: () => Promise<T>, cancel: CancelToken): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        if (cancel.cancelled) {
          reject(new CancelledError());
          if (!this.busy) this.next();
          return;
        }
        this.busy = true;
        work()
          .then(resolve, reject)
          .finally(() => {
            this.busy = false;
            this.next();
          });
      };
      this.waiting.push({ start, cancel });
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    const w = this.waiting.shift();
    if (w) w.start();
  }
}
