/** Library errors → API errors, keeping the library's message (it already names the file and problem). */
import { InklingError } from '../../api/errors';
import { ModelLibraryError } from '../models';

export function toApiError(err: unknown): InklingError {
  if (err instanceof InklingError) return err;
  if (err instanceof ModelLibraryError) {
    switch (err.code) {
      case 'NOT_FOUND':
        return new InklingError('not_found', err.message);
      case 'INVALID':
        return new InklingError('model_invalid', err.message);
      case 'BUSY':
        return new InklingError('not_allowed', err.message);
      case 'ABORTED':
        return new InklingError('cancelled', err.message);
      default: // DISK_SPACE, HTTP, NETWORK, OFFLINE, VERIFY
        return new InklingError('io_error', err.message);
    }
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') return new InklingError('io_error', e.message);
  return new InklingError('internal', (err as Error)?.message ?? String(err));
}

/** The code a failed job reports: the library's (NETWORK, VERIFY, DISK_SPACE...) or INTERNAL. */
export function jobErrorCode(err: unknown): string {
  if (err instanceof ModelLibraryError) return err.code;
  if (err instanceof InklingError) return err.code.toUpperCase();
  const code = (err as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}
