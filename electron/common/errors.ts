/**
 * The one error Inkling throws across its layers, and the one set of codes it carries.
 *
 * An `InklingError`'s `message` is written for the writer (what happened, which file, what to do);
 * its `code` lets a caller pick a reaction without reading the message (`path_required` → ask for a
 * path; `offline` → offer "Import from disk"; `engine_crashed` → show a banner). The code crosses
 * every boundary unchanged: engine → engine host protocol → services → API → renderer. Layers may
 * subclass it to carry data of their own (an HTTP status, a file name), never to change its code set.
 *
 * Pure (no Node, no DOM): the renderer's API contract re-exports it.
 */

/** Every code, with what it means. Lowercase, one spelling, in every layer. */
export const ERROR_CODES = {
  bad_request: 'An argument or parameter failed validation (the message names it).',
  unknown_method: 'The method name is not part of the contract.',
  not_found: 'A file, backup, document, model or job does not exist.',
  unsupported_file: 'Not a file the app opens (.txt / .md).',
  too_large: 'A file or value is larger than its limit.',
  binary_file: 'The file looks binary (NUL bytes or invalid UTF-8).',
  io_error: 'The operating system refused a read or write (permissions, a folder that is a file, …).',
  disk_space: 'Not enough free disk space.',
  path_required: 'Saving an untitled document in browser mode needs a path from the writer.',
  file_exists: 'A save would replace another existing file; ask, then save again with `overwrite`.',
  file_changed:
    'Another program changed the document’s file since it was opened or last saved; ask, then save with `replaceChanged`, reload it, or save elsewhere.',
  not_allowed: 'The caller may not do this (unknown sender, a path the writer did not choose, a test hook).',
  busy: 'Another Inkling (or another job) holds what this needs; try again when it is done.',
  no_model: 'No model is loaded.',
  model_invalid: 'A model folder or file is damaged, incomplete or not what it claims to be.',
  context_full: 'The prompt (or memory) leaves no room in the model’s context.',
  engine_crashed: 'The engine process died while the request was in flight (it restarts by itself).',
  offline: 'No network at all: a name lookup failed, a connection was refused, no route.',
  network: 'A connection failed, or a server kept failing, after the retries.',
  http_error: 'A server answered with an error status that retrying will not fix.',
  verify_failed: 'A downloaded file is not what was published (size, sha256 or git hash); it was discarded.',
  remote_failed: 'A remote engine (an OpenAI-compatible server) failed; the message says how.',
  unavailable: 'The engine in use cannot do this (e.g. the heat map on a server without log-probabilities).',
  insecure_url: 'Plain http:// to another computer: ask, then call again with `allowInsecure`.',
  cancelled: 'The caller (or the writer) cancelled it.',
  internal: 'A bug: something the code did not expect.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** What an error is on the wire (IPC, WebSocket, the engine host's pipe). */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

export class InklingError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InklingError';
    this.code = code;
  }
  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}

export function isInklingError(err: unknown): err is InklingError {
  return err instanceof InklingError;
}

/** Rebuilds an error received over a wire. Unknown codes become `internal`; the message is kept. */
export function errorFromPayload(payload: unknown): InklingError {
  if (payload && typeof payload === 'object') {
    const p = payload as { code?: unknown; message?: unknown };
    const code = isErrorCode(p.code) ? p.code : 'internal';
    const message = typeof p.message === 'string' && p.message ? p.message : 'Unknown error.';
    return new InklingError(code, message);
  }
  return new InklingError('internal', 'Unknown error.');
}

/** Node's errno codes that mean the disk is full or over quota. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Any thrown value as an `InklingError`: itself if it is one; an operating-system error (errno code)
 * as `io_error` (`disk_space` when the disk is full) keeping its message; anything else `internal`.
 * The one translator at every boundary; the original is kept as `cause`.
 */
export function toInklingError(err: unknown): InklingError {
  if (err instanceof InklingError) return err;
  const e = err as { code?: unknown; message?: unknown; name?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (e?.name === 'AbortError') return new InklingError('cancelled', message, { cause: err });
  if (typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code))
    return new InklingError(DISK_FULL.has(e.code) ? 'disk_space' : 'io_error', message, { cause: err });
  return new InklingError('internal', message, { cause: err });
}
