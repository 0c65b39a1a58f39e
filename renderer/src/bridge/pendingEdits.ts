/**
 * Unsent edits, kept in the browser (IndexedDB) until the web host acknowledges them. Every hot-exit
 * backup the page sends is put here first and deleted only when the host has written it; while the
 * host is away (stopped, restarting) the latest text of each document stays here, survives a reload
 * or a crash of the tab, and is sent again when the connection comes back.
 *
 * Each page holds a Web Lock named `inkling-page:<id>` for its lifetime. Entries of a page whose lock
 * is no longer held (the tab was closed, reloaded or crashed) are orphans: the next page offers them
 * in the recovery dialog next to the host's own backups.
 */
import { createStore, del, entries, promisifyRequest, set, type UseStore } from 'idb-keyval';
import type { BackupRequest } from '../../../electron/api';

export interface PendingEdit extends BackupRequest {
  /** The page that wrote it. */
  page: string;
  /** Increases with every put by this page: an acknowledgement only removes what it acknowledged. */
  seq: number;
  /** When the page stored it (ms since the epoch). */
  at: number;
}

export interface PendingEdits {
  readonly pageId: string;
  /** Stores the backup before it is sent. */
  put(req: BackupRequest): Promise<PendingEdit>;
  /** The host wrote `entry`: forget it, unless a newer edit of the document came meanwhile. */
  ack(entry: PendingEdit): Promise<void>;
  remove(docId: string): Promise<void>;
  /** This page's unacknowledged edits. */
  mine(): Promise<PendingEdit[]>;
  /** Edits left by pages that are gone. */
  orphans(): Promise<PendingEdit[]>;
  /** How many of this page's documents have edits the host has not acknowledged. */
  count(): number;
  onCountChange(cb: (n: number) => void): () => void;
  /** Lets another page adopt this page's edits (this one cannot deliver them: its key was refused). */
  handOver(): void;
  /** Takes this page's edits back (the connection works again). */
  reclaim(): void;
}

const DB_NAME = 'inkling-pending-edits';
const LOCK_PREFIX = 'inkling-page:';

interface LockManagerLike {
  request(name: string, cb: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function locks(): LockManagerLike | null {
  return (navigator as unknown as { locks?: LockManagerLike }).locks ?? null;
}

function newPageId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Null when this browser keeps no IndexedDB (private modes of some browsers): the page then works as before. */
export async function openPendingEdits(): Promise<PendingEdits | null> {
  if (typeof indexedDB === 'undefined') return null;
  let store: UseStore;
  try {
    store = createStore(DB_NAME, 'edits');
    await entries(store); // opens the database; throws where IndexedDB is disabled
  } catch {
    return null;
  }
  const pageId = newPageId();
  let seq = 0;
  const own = new Map<string, number>(); // docId → seq of this page's latest put
  const listeners = new Set<(n: number) => void>();
  const changed = () => {
    for (const cb of [...listeners]) cb(own.size);
  };

  let releaseLock: (() => void) | null = null;
  const holdLock = () => {
    const lm = locks();
    if (!lm || releaseLock) return;
    void lm.request(LOCK_PREFIX + pageId, () => new Promise<void>((resolve) => (releaseLock = resolve)));
  };
  holdLock();

  const all = async (): Promise<PendingEdit[]> =>
    (await entries<string, PendingEdit>(store)).map(([, v]) => v).filter((v) => v && typeof v.docId === 'string');

  return {
    pageId,
    async put(req) {
      const entry: PendingEdit = { ...req, page: pageId, seq: ++seq, at: Date.now() };
      await set(req.docId, entry, store);
      own.set(req.docId, entry.seq);
      changed();
      return entry;
    },
    async ack(entry) {
      // One transaction: read, compare, delete — a put that came in between is kept.
      await store('readwrite', (s) => {
        const read = s.get(entry.docId);
        read.onsuccess = () => {
          const current = read.result as PendingEdit | undefined;
          if (current && current.page === entry.page && current.seq === entry.seq) s.delete(entry.docId);
        };
        return promisifyRequest(s.transaction);
      });
      if (own.get(entry.docId) === entry.seq) {
        own.delete(entry.docId);
        changed();
      }
    },
    async remove(docId) {
      await del(docId, store);
      if (own.delete(docId)) changed();
    },
    async mine() {
      return (await all()).filter((e) => e.page === pageId);
    },
    async orphans() {
      const lm = locks();
      const others = (await all()).filter((e) => e.page !== pageId);
      if (!lm) return others;
      const held = new Set(((await lm.query()).held ?? []).map((l) => l.name));
      return others.filter((e) => !held.has(LOCK_PREFIX + e.page));
    },
    count: () => own.size,
    onCountChange(cb) {
      listeners.add(cb);
      return () => void listeners.delete(cb);
    },
    handOver() {
      releaseLock?.();
      releaseLock = null;
    },
    reclaim() {
      holdLock();
    },
  };
}
