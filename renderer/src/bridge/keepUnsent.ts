/**
 * The web bridge's promise about unsent text: a backup is kept in the browser (pendingEdits.ts) from
 * the moment the page sends it until the host acknowledges it. While the host is away the backup
 * counts as kept (it is, on this computer's disk, in the browser's profile) and is sent again as soon
 * as the connection is back. A page opened later offers edits that a closed page never delivered,
 * next to the host's own backups, in the recovery dialog.
 */
import {
  errorCode,
  type BackupInfo,
  type BackupRequest,
  type InklingApi,
  type RestoredDocument,
  type WebSocketApi,
} from '../../../electron/api';
import type { PendingEdit, PendingEdits } from './pendingEdits';

export interface KeepUnsent {
  api: InklingApi;
  /** Documents of this page whose latest text the host has not acknowledged. */
  count(): number;
  onCountChange(cb: (n: number) => void): () => void;
}

function previewOf(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 119)}…` : t;
}

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

function infoOf(e: PendingEdit): BackupInfo {
  return {
    id: e.docId,
    docId: e.docId,
    path: e.path,
    name: e.path ? baseName(e.path) : 'Untitled',
    updatedAt: e.at,
    chars: e.text.length,
    preview: previewOf(e.text),
    dirty: e.savedText === undefined || e.savedText !== e.text,
  };
}

const requestOf = (e: PendingEdit): BackupRequest => ({
  docId: e.docId,
  path: e.path,
  text: e.text,
  ...(e.savedText !== undefined ? { savedText: e.savedText } : {}),
});

export function keepUnsent(
  ws: WebSocketApi,
  opening: Promise<PendingEdits | null>,
  log: (m: string) => void = () => undefined,
): KeepUnsent {
  let store: PendingEdits | null = null;
  const ready = opening.then(
    (s) => (store = s),
    (e: Error) => {
      log(`unsent edits cannot be kept in this browser: ${e.message}`);
      return null;
    },
  );
  const countListeners = new Set<(n: number) => void>();
  void ready.then((s) => s?.onCountChange((n) => countListeners.forEach((cb) => cb(n))));

  /** Backups the page asked to discard while the host was away (the document became clean). */
  const discardLater = new Set<string>();
  /** The file of each document this page has open, to save it again after the host restarted. */
  const knownPaths = new Map<string, string>();
  const remember = (docId: string, p: string | null | undefined): void => {
    if (p) knownPaths.set(docId, p);
  };

  /** Sends this page's kept edits again (after a reconnect); each is forgotten once written. */
  let replaying: Promise<void> | null = null;
  const replay = (): Promise<void> =>
    (replaying ??= (async () => {
      for (const id of [...discardLater]) {
        if (ws.connection.state !== 'open') return;
        try {
          await ws.discardBackup(id);
          discardLater.delete(id);
        } catch (e) {
          log(`could not discard the backup of ${id}: ${(e as Error).message}`);
        }
      }
      const s = await ready;
      if (!s) return;
      for (const entry of await s.mine()) {
        if (ws.connection.state !== 'open') break;
        try {
          await ws.writeBackup(requestOf(entry));
          await s.ack(entry);
        } catch (e) {
          log(`could not resend the backup of ${entry.docId}: ${(e as Error).message}`);
        }
      }
    })().finally(() => (replaying = null)));

  ws.onConnectionChange((state) => {
    if (state.state === 'open') {
      store?.reclaim();
      if (state.reconnected) void replay();
    } else if (state.state === 'unauthorized') {
      // This page cannot deliver them with a refused key: let the page opened with the new address adopt them.
      store?.handOver();
    }
  });

  const api: InklingApi = Object.create(ws) as InklingApi;
  Object.assign(api, {
    async writeBackup(req: BackupRequest): Promise<void> {
      remember(req.docId, req.path);
      discardLater.delete(req.docId);
      const s = await ready;
      const entry = s ? await s.put(req).catch(() => null) : null;
      try {
        await ws.writeBackup(req);
      } catch (e) {
        // Kept in the browser while the host is away; sent again on reconnect.
        if (entry && ws.connection.state !== 'open') return;
        throw e;
      }
      if (entry) await s!.ack(entry).catch(() => undefined);
    },
    async discardBackup(id: string): Promise<void> {
      // The text it held is no longer wanted (saved, or undone): never resend it.
      await store?.remove(id).catch(() => undefined);
      try {
        await ws.discardBackup(id);
      } catch (e) {
        if (ws.connection.state === 'open') throw e;
        discardLater.add(id); // the host still has the old backup: discard it on reconnect
      }
    },
    async closeDocument(docId: string): Promise<void> {
      await ws.closeDocument(docId);
      knownPaths.delete(docId);
      await store?.remove(docId).catch(() => undefined);
    },
    async openDocument(p?: string) {
      const doc = await ws.openDocument(p);
      if (doc) remember(doc.docId, doc.path);
      return doc;
    },
    async listBackups(): Promise<BackupInfo[]> {
      const fromHost = await ws.listBackups();
      const s = await ready;
      if (!s) return fromHost;
      const byId = new Map(fromHost.map((b) => [b.id, b]));
      for (const orphan of await s.orphans()) {
        const onHost = byId.get(orphan.docId);
        if (!onHost || onHost.updatedAt < orphan.at) byId.set(orphan.docId, infoOf(orphan));
      }
      return [...byId.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    },
    async restoreBackup(id: string): Promise<RestoredDocument> {
      const s = await ready;
      const orphan = s ? (await s.orphans()).find((e) => e.docId === id) : undefined;
      if (orphan) {
        // The host gets the browser's newer text first, then restores it like any backup.
        await ws.writeBackup(requestOf(orphan));
        const doc = await ws.restoreBackup(id);
        await s!.remove(id);
        remember(doc.docId, doc.path);
        return doc;
      }
      const doc = await ws.restoreBackup(id);
      remember(doc.docId, doc.path);
      return doc;
    },
  });
  // Saves: an edit the host now holds in the file needs no keeping.
  for (const method of ['saveDocument', 'saveDocumentAs'] as const) {
    (api as unknown as Record<string, unknown>)[method] = async (req: {
      docId: string;
      text: string;
      path?: string;
    }) => {
      let saved;
      try {
        saved = await ws[method](req);
      } catch (e) {
        // A host restarted since the document was opened does not know its file: name it again.
        const known = knownPaths.get(req.docId);
        if (method !== 'saveDocument' || req.path !== undefined || !known || errorCode(e) !== 'path_required') throw e;
        // The document's own file (this page opened or saved it there): not someone else's file to ask about.
        saved = await ws.saveDocument({ ...req, path: known, overwrite: true });
      }
      if (saved) remember(saved.docId, saved.path);
      const s = await ready;
      if (saved && s) {
        const kept = (await s.mine()).find((e) => e.docId === req.docId);
        if (kept && kept.text === req.text) await s.ack(kept).catch(() => undefined);
      }
      return saved;
    };
  }
  return {
    api,
    count: () => store?.count() ?? 0,
    onCountChange(cb) {
      countListeners.add(cb);
      return () => void countListeners.delete(cb);
    },
  };
}
