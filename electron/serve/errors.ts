/**
 * Errors in OpenAI's JSON shape: `{"error": {"message", "type", "param", "code"}}`, with the HTTP
 * status OpenAI uses for each kind, so OpenAI clients raise their usual exception classes
 * (BadRequestError, AuthenticationError, NotFoundError, RateLimitError, InternalServerError).
 */

export type ApiErrorType =
  'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ApiErrorType,
    readonly param: string | null = null,
    readonly code: string | null = null,
    /** Seconds a client should wait before retrying (sent as Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function badRequest(message: string, param: string | null = null, code: string | null = null): ApiError {
  return new ApiError(400, message, 'invalid_request_error', param, code);
}

/** Anything that is not an ApiError is a bug or an engine failure: 500, with its message. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new ApiError(500, `The engine failed: ${message}`, 'server_error', null, 'engine_error');
}
