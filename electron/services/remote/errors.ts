/**
 * Errors of the remote-engine client. Each carries a code the app can branch on and a message a
 * writer can act on (which server, what happened, what to try).
 */
import { InklingError, type ErrorCode } from '../../common/errors';

export type RemoteErrorCode =
  /** Nothing answered at the address (refused, unknown host, reset before a response). */
  | 'unreachable'
  /** 401 / 403: the API key is missing or wrong. */
  | 'unauthorized'
  /** The server has no model of that name. */
  | 'model_not_found'
  /** 404 on an endpoint: not an OpenAI-compatible server, or a wrong base URL. */
  | 'not_found'
  /** 429 (retryAfterMs when the server said). */
  | 'rate_limited'
  /** 503 (retryAfterMs when the server said). */
  | 'overloaded'
  /** 400 / 422: the server refused the request; its message is quoted. */
  | 'bad_request'
  /** 5xx or an error event inside the stream. */
  | 'server_error'
  /** No response headers, or no data for too long in the middle of a stream. */
  | 'timeout'
  /** The connection ended before the completion did. */
  | 'stream_cut'
  /** The server sent something that is not the OpenAI format (bad SSE, bad JSON). */
  | 'malformed'
  /** The server cannot do this (e.g. scoring without prompt log-probabilities). */
  | 'unavailable'
  /** A parameter the OpenAI API cannot express (banned words, …). */
  | 'unsupported'
  | 'cancelled';

/** What each reason is in the one code set: what the API answered for it before RemoteError was an InklingError. */
function codeFor(reason: RemoteErrorCode): ErrorCode {
  switch (reason) {
    case 'cancelled':
      return 'cancelled';
    case 'unavailable':
      return 'unavailable';
    case 'unsupported':
    case 'bad_request':
      return 'bad_request';
    default:
      return 'remote_failed';
  }
}

/**
 * A remote server's failure: code `remote_failed` (or `cancelled`, `unavailable`, `bad_request` when
 * that is what it is), the finer `reason` for the client's own decisions (retry a rate limit, fall back
 * on a refused echo), and the HTTP status and Retry-After when the server gave them.
 */
export class RemoteError extends InklingError {
  constructor(
    readonly reason: RemoteErrorCode,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(codeFor(reason), message);
    this.name = 'RemoteError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** A server's own words, trimmed so a page of HTML does not become the message. */
export function quote(text: string, max = 300): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
