import type { TFunction } from 'i18next';
import { ApiError, NetworkError, isKnownErrorCode } from './api';

export interface DescribedError {
  message: string;
  code: string | null;
  requestId: string | null;
}

/** Every error the UI shows goes through here: a Persian (or English) sentence, never a bare code or stack. */
export function describeError(t: TFunction, error: unknown): DescribedError {
  if (error instanceof ApiError) {
    const message = isKnownErrorCode(error.code) ? t(`errors.codes.${error.code}`) : t('errors.unexpected');
    // The request id helps support with server faults; for a refused request it is only noise.
    return { message, code: error.code, requestId: error.status >= 500 ? (error.requestId ?? null) : null };
  }
  if (error instanceof NetworkError) return { message: t('errors.network'), code: null, requestId: null };
  if (error instanceof DOMException && error.name === 'AbortError') {
    return { message: t('errors.aborted'), code: null, requestId: null };
  }
  return { message: t('errors.unexpected'), code: null, requestId: null };
}

/** Error codes carried by socket events (download:error, training:error) use the same table. */
export function describeCode(t: TFunction, code: string | null | undefined): string {
  if (code && isKnownErrorCode(code)) return t(`errors.codes.${code}`);
  return t('errors.unexpected');
}
