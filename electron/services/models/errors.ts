/**
 * Errors of the model library. Every message is meant to be shown to a writer as is: it names the
 * file or model, what was expected and what was found. `code` lets the UI pick an icon or action
 * (e.g. "free some space", "retry") without parsing the message.
 */
export type ModelErrorCode =
  | 'ABORTED' // the caller cancelled; partial files are kept for resume
  | 'HTTP' // the server answered with an error status that retrying will not fix
  | 'NETWORK' // connection failures / 5xx that outlived the retries
  | 'OFFLINE' // no network at all (name lookup failed, connection refused, no route): not retried
  | 'VERIFY' // size or sha256 mismatch; the partial file was deleted
  | 'DISK_SPACE' // not enough free space for the download (checked before starting)
  | 'BUSY' // another process is pulling / deleting the same model
  | 'INVALID' // a folder or manifest that does not hold what it should
  | 'NOT_FOUND'; // no such model in the library

export class ModelLibraryError extends Error {
  readonly code: ModelErrorCode;
  /** The HTTP status behind an 'HTTP' error (404 lets callers skip optional files). */
  readonly status?: number;
  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options);
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
    // AbortError is the name callers (and fetch-style code) already test for.
    this.name = code === 'ABORTED' ? 'AbortError' : 'ModelLibraryError';
  }
}

/** A failure worth retrying (connection reset, timeout, 5xx). Internal to the downloader. */
export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/** Connection errors that mean "no network to that server" rather than a hiccup worth retrying. */
export const OFFLINE_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);

/** What a writer can do without a network, appended to every offline error. */
export const OFFLINE_WAYS =
  'Downloading a model needs an internet connection. Without one: import a model folder that is already on this computer ' +
  '("Import from disk" on the Models page), or run `npx inkling pull <model>` on a computer that is online, copy the folder ' +
  'it reports to this one, and import it the same way.';

/** The error for a request that found no network: said in plain words, with the ways that work offline. */
export function offlineError(label: string, host: string, code: string, cause?: unknown): ModelLibraryError {
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `this computer could not look up the address of ${host}, so it seems to be offline (or a network filter blocks it)`
      : code === 'ECONNREFUSED'
        ? `nothing answered at ${host} (the connection was refused)`
        : `this computer has no network route to ${host}, so it seems to be offline`;
  return new ModelLibraryError('OFFLINE', `Cannot download ${label}: ${why}. ${OFFLINE_WAYS}`, { cause });
}

export function abortedError(what: string): ModelLibraryError {
  return new ModelLibraryError('ABORTED', `${what}: cancelled`);
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Human-readable byte count (binary units, as file managers on all three OSes show near enough). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
