import { AppError } from '../../platform/http/errors.js';

/**
 * The Hub failures the UI translates, as AppErrors. INVALID_TOKEN is 422, not 401: a 401 from our API means
 * "your Sokhan session is over" to the web app, and a bad Hub token must not sign the user out.
 */
const HINT =
  'check HF_ENDPOINT (a mirror URL works), HTTPS_PROXY/HTTP_PROXY/NO_PROXY, or set HF_HUB_OFFLINE=1 to use installed models only';

export function hubUnreachable(endpoint: string, reason: string): AppError {
  return new AppError(502, 'HUB_UNREACHABLE', `the Hub at ${endpoint} could not be reached: ${reason}`, [
    { endpoint, reason, hint: HINT },
  ]);
}

export function hubBadResponse(endpoint: string, what: string): AppError {
  return new AppError(502, 'HUB_BAD_RESPONSE', `unexpected answer from the Hub at ${endpoint}: ${what}`, [{ endpoint }]);
}

export function hubRateLimited(retryAfterSeconds: number | null): AppError {
  const seconds = retryAfterSeconds ?? 60;
  return new AppError(
    429,
    'HUB_RATE_LIMITED',
    `the Hub is rate limiting requests; try again in ${seconds} s`,
    [{ retryAfterSeconds: seconds }],
    { 'Retry-After': String(Math.max(1, Math.ceil(seconds))) },
  );
}

export function repoNotFound(repoId: string, detail?: string): AppError {
  return new AppError(404, 'REPO_NOT_FOUND', detail ?? `repository ${repoId} was not found on the Hub (or is private)`, [
    { repoId },
  ]);
}

export function gatedRepo(repoId: string, hasToken: boolean): AppError {
  return new AppError(
    403,
    'GATED_REPO',
    hasToken
      ? `your Hub token has no access to ${repoId}; request access on its Hub page`
      : `${repoId} is gated: save a Hub token that has been granted access`,
    [{ repoId, hasToken }],
  );
}

export function invalidToken(message = 'the Hub refused this token'): AppError {
  return new AppError(422, 'INVALID_TOKEN', message);
}

export function fileCheckFailed(file: string, what: string): AppError {
  return new AppError(422, 'FILE_CHECK_FAILED', `${file}: ${what}`, [{ file }]);
}

export function unsafePath(what: string): AppError {
  return new AppError(422, 'UNSAFE_PATH', `refused an unsafe path from the Hub: ${JSON.stringify(what.slice(0, 200))}`);
}

export function hubOffline(): AppError {
  return new AppError(503, 'HUB_OFFLINE', 'the Hub is switched off on this server (HF_HUB_OFFLINE=1)');
}
