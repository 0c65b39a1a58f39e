/**
 * Errors of the model library. They are `InklingError`s with the one code set of
 * `electron/common/errors` (`cancelled`, `http_error`, `network`, `offline`, `verify_failed`,
 * `disk_space`, `busy`, `model_invalid`, `not_found`), so a failed download reports the same code to
 * the API, to a job's `error` and to the CLI. Every message is meant to be shown to a writer as is:
 * it names the file or model, what was expected and what was found.
 */
import { InklingError, toInklingError } from '../../common/errors';

/** A server answered with an error status that retrying will not fix; `status` lets callers skip an optional file's 404. */
export class HttpStatusError extends InklingError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super('http_error', message);
    this.name = 'HttpStatusError';
  }
}

/**
 * A failure worth retrying (connection reset, timeout, 5xx). Internal to the downloader: `withRetry`
 * and `downloadFile` retry it and, once the attempts are used up, throw an InklingError `network`
 * in its place, so it never escapes the library (hence not an InklingError itself).
 */
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
export function offlineError(label: string, host: string, code: string, cause?: unknown): InklingError {
  const why =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? `this computer could not look up the address of ${host}, so it seems to be offline (or a network filter blocks it)`
      : code === 'ECONNREFUSED'
        ? `nothing answered at ${host} (the connection was refused)`
        : `this computer has no network route to ${host}, so it seems to be offline`;
  return new InklingError('offline', `Cannot download ${label}: ${why}. ${OFFLINE_WAYS}`, { cause });
}

export function abortedError(what: string): InklingError {
  return new InklingError('cancelled', `${what}: cancelled`);
}

/** Whether `err` is a cancellation: the library's own (`cancelled`) or a platform AbortError. */
export function isAbortError(err: unknown): boolean {
  return toInklingError(err).code === 'cancelled';
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
