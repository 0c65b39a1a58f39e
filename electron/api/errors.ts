/**
 * Errors that cross the API boundary. Every rejected API promise carries an `InklingError` whose
 * `message` is written for the writer (what happened, which file, what to do) and whose `code` lets
 * the UI pick a reaction (e.g. `path_required` → ask for a path; `engine_crashed` → show a banner).
 */

export type ApiErrorCode =
  /** An argument failed validation (the message names the argument). */
  | 'bad_request'
  /** The method name is not part of the contract. */
  | 'unknown_method'
  /** A file, backup or document id does not exist. */
  | 'not_found'
  /** Not a .txt / .md file. */
  | 'unsupported_file'
  /** File larger than the limit (20 MB). */
  | 'too_large'
  /** The file looks binary (NUL bytes or invalid UTF-8). */
  | 'binary_file'
  /** The operating system refused a read or write (permissions, disk full, ...). */
  | 'io_error'
  /** Saving an untitled document in web mode needs a path from the writer. */
  | 'path_required'
  /** A save would replace another existing file; ask the writer, then save again with `overwrite`. */
  | 'file_exists'
  /** The caller may not do this (unknown sender, path not chosen by the writer, test hook disabled). */
  | 'not_allowed'
  /** No model is loaded. */
  | 'no_model'
  /** The model folder could not be loaded. */
  | 'model_invalid'
  /** The engine process died while the request was in flight (it restarts by itself). */
  | 'engine_crashed'
  /** A remote engine (an OpenAI-compatible server) failed: down, key refused, busy, stream cut… (the message says which). */
  | 'remote_failed'
  /** The engine in use cannot do this (e.g. the heat map on a server without prompt log-probabilities). */
  | 'unavailable'
  /** Plain http:// to another computer: ask the writer, then call again with `allowInsecure`. */
  | 'insecure_url'
  | 'cancelled'
  | 'internal';

export interface ApiErrorPayload {
  code: ApiErrorCode;
  message: string;
}

const CODES: ReadonlySet<string> = new Set<ApiErrorCode>([
  'bad_request',
  'unknown_method',
  'not_found',
  'unsupported_file',
  'too_large',
  'binary_file',
  'io_error',
  'path_required',
  'file_exists',
  'not_allowed',
  'no_model',
  'model_invalid',
  'engine_crashed',
  'remote_failed',
  'unavailable',
  'insecure_url',
  'cancelled',
  'internal',
]);

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

export class InklingError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'InklingError';
    this.code = code;
  }
  toPayload(): ApiErrorPayload {
    return { code: this.code, message: this.message };
  }
}

/** Rebuilds an error received over IPC / WebSocket. Unknown codes become 'internal'. */
export function errorFromPayload(payload: unknown): InklingError {
  if (payload && typeof payload === 'object') {
    const p = payload as { code?: unknown; message?: unknown };
    const code = isApiErrorCode(p.code) ? p.code : 'internal';
    const message = typeof p.message === 'string' && p.message ? p.message : 'Unknown error.';
    return new InklingError(code, message);
  }
  return new InklingError('internal', 'Unknown error.');
}
