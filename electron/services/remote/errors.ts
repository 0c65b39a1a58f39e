/**
 * Errors of the remote-engine client. Each carries a code the app can branch on and a message a
 * writer can act on (which server, what happened, what to try).
 */

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

export class RemoteError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
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
