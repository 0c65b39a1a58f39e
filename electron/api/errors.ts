/**
 * Errors that cross the API boundary: the one `InklingError` and code set of `electron/common/errors`
 * (see there for what each code means). Every rejected API promise carries an `InklingError` whose
 * `message` is written for the writer and whose `code` lets the UI pick a reaction.
 */
export {
  ERROR_CODES,
  InklingError,
  errorFromPayload,
  isErrorCode as isApiErrorCode,
  toInklingError,
  type ErrorCode as ApiErrorCode,
  type ErrorPayload as ApiErrorPayload,
} from '../common/errors';
