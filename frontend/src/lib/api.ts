import { ERROR_CODES, type ErrorCode, type FieldIssue } from '@sokhan/common';
import type { TokenStore } from './token-store';

/** An answer from the API in the shared error shape `{error:{code,message,details?,requestId?}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown[] | undefined;
  readonly requestId: string | undefined;

  constructor(status: number, code: string, message: string, details?: unknown[], requestId?: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }

  /** Field problems of a VALIDATION_FAILED answer, as the server lists them. */
  get fieldIssues(): FieldIssue[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.filter(isFieldIssue);
  }
}

/** The request never got an HTTP answer (server down, offline, aborted by the network). */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

function isFieldIssue(value: unknown): value is FieldIssue {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.path === 'string' && typeof v.code === 'string';
}

export function isKnownErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface UploadOptions {
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  tokens: TokenStore;
  baseUrl?: string;
  /** Called once when an authenticated request comes back 401: the session is over. */
  onUnauthorized?: () => void;
  fetchImpl?: typeof fetch;
  xhrFactory?: () => XMLHttpRequest;
}

export interface ApiClient {
  get<T>(path: string, opts?: Omit<RequestOptions, 'body'>): Promise<T>;
  post<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  put<T>(path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  delete<T>(path: string, opts?: RequestOptions): Promise<T>;
  /** A binary answer (audio, model files): the raw Response after the error check. */
  raw(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  /** multipart upload through XMLHttpRequest, whose upload events give real byte progress. */
  upload<T>(path: string, form: FormData, opts?: UploadOptions): Promise<T>;
  authHeaders(): Record<string, string>;
  url(path: string, query?: Query): string;
}

export function buildUrl(baseUrl: string, path: string, query?: Query): string {
  let url = `${baseUrl}${path}`;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      params.set(key, String(value));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  return url;
}

async function parseError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy page, an empty 502): fall through to a code from the status.
  }
  return errorFromBody(res.status, body, res.headers.get('x-request-id'));
}

export function errorFromBody(status: number, body: unknown, requestIdHeader: string | null = null): ApiError {
  const err = (body as { error?: Record<string, unknown> } | null)?.error;
  if (err && typeof err.code === 'string') {
    return new ApiError(
      status,
      err.code,
      typeof err.message === 'string' ? err.message : err.code,
      Array.isArray(err.details) ? err.details : undefined,
      typeof err.requestId === 'string' ? err.requestId : (requestIdHeader ?? undefined),
    );
  }
  return new ApiError(status, codeForStatus(status), `HTTP ${status}`, undefined, requestIdHeader ?? undefined);
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'VALIDATION_FAILED';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'PAYLOAD_TOO_LARGE';
    case 415:
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'SERVICE_UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

/** A 401 on a request that carried a token ends the session; a wrong password does not. */
function endsSession(error: ApiError, hadToken: boolean): boolean {
  return hadToken && error.status === 401 && error.code !== 'INVALID_CREDENTIALS';
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const makeXhr = options.xhrFactory ?? (() => new XMLHttpRequest());

  const authHeaders = (): Record<string, string> => {
    const token = options.tokens.get();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };

  const fail = (error: ApiError, hadToken: boolean): never => {
    if (endsSession(error, hadToken)) {
      options.tokens.set(null);
      options.onUnauthorized?.();
    }
    throw error;
  };

  async function raw(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const auth = authHeaders();
    const headers: Record<string, string> = { Accept: 'application/json', ...auth, ...opts.headers };
    let body: BodyInit | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await doFetch(buildUrl(baseUrl, path, opts.query), { method, headers, body, signal: opts.signal });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
      throw new NetworkError(cause instanceof Error ? cause.message : String(cause));
    }
    if (!res.ok) return fail(await parseError(res), 'Authorization' in auth);
    return res;
  }

  async function json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await raw(method, path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  function upload<T>(path: string, form: FormData, opts: UploadOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const xhr = makeXhr();
      const auth = authHeaders();
      xhr.open('POST', buildUrl(baseUrl, path));
      for (const [k, v] of Object.entries({ Accept: 'application/json', ...auth })) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) opts.onProgress?.(e.loaded, e.total);
      };
      xhr.onload = () => {
        let body: unknown;
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
        } catch {
          body = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(body as T);
          return;
        }
        const error = errorFromBody(xhr.status, body, xhr.getResponseHeader('x-request-id'));
        try {
          fail(error, 'Authorization' in auth);
        } catch (e) {
          reject(e as Error);
        }
      };
      xhr.onerror = () => reject(new NetworkError('upload failed'));
      xhr.onabort = () => reject(new DOMException('Upload aborted', 'AbortError'));
      if (opts.signal) {
        if (opts.signal.aborted) {
          reject(new DOMException('Upload aborted', 'AbortError'));
          return;
        }
        opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
      }
      xhr.send(form);
    });
  }

  return {
    get: (path, opts) => json('GET', path, opts),
    post: (path, body, opts) => json('POST', path, { ...opts, body }),
    put: (path, body, opts) => json('PUT', path, { ...opts, body }),
    delete: (path, opts) => json('DELETE', path, opts),
    raw,
    upload,
    authHeaders,
    url: (path, query) => buildUrl(baseUrl, path, query),
  };
}
