import type { ErrorCode, FieldIssue } from '@sokhan/common';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError, type z } from 'zod';

/** An error with a stable code and HTTP status; its message is safe to show to the client. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'resource') => new AppError(404, 'NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'not allowed') => new AppError(403, 'FORBIDDEN', message);
export const conflict = (message: string, code: ErrorCode = 'CONFLICT') => new AppError(409, code, message);
export const unauthenticated = (message = 'sign in required', code: ErrorCode = 'UNAUTHENTICATED') =>
  new AppError(401, code, message);

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));
}

export function validationError(error: z.ZodError): AppError {
  return new AppError(400, 'VALIDATION_FAILED', 'request is not valid', zodIssues(error));
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path.slice(0, 200)}`));
};

/** Postgres SQLSTATEs that mean "the database is not there right now". */
const DB_DOWN_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'ECONNREFUSED']);

/** Turns any thrown value into the JSON error contract; nothing internal (stack, SQL, paths) leaves. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const requestId = String(req.id ?? '');
  const appError = toAppError(err);
  if (appError.status >= 500) {
    req.log?.error({ err }, 'request failed');
  }
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  const body: { error: Record<string, unknown> } = {
    error: { code: appError.code, message: appError.message },
  };
  if (appError.details) body.error.details = appError.details;
  if (appError.status >= 500) body.error.requestId = requestId;
  try {
    for (const [k, v] of Object.entries(appError.headers ?? {})) res.setHeader(k, v);
    // A static-file error may already have set the file's type; the error body is always JSON.
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.status(appError.status).json(body);
  } catch (writeErr) {
    // Something else owns this response; never fall through to Express's own (HTML, stack-bearing) handler.
    req.log?.warn({ err: writeErr }, 'error response could not be written');
    res.destroy();
  }
};

/** Codes for errors thrown by Express and its parts (bad URL encoding, send's errors) that carry a 4xx status. */
const STATUS_CODES: Partial<Record<number, [ErrorCode, string]>> = {
  400: ['VALIDATION_FAILED', 'request is not valid'],
  401: ['UNAUTHENTICATED', 'sign in required'],
  403: ['FORBIDDEN', 'not allowed'],
  404: ['NOT_FOUND', 'not found'],
  409: ['CONFLICT', 'conflict'],
  413: ['PAYLOAD_TOO_LARGE', 'request body is too large'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'unsupported media type'],
  416: ['RANGE_NOT_SATISFIABLE', 'requested range not satisfiable'],
  429: ['RATE_LIMITED', 'too many requests'],
};

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return validationError(err);
  const e = err as { type?: string; status?: number; code?: string; message?: string };
  // body-parser errors carry `type`; never echo the body back.
  if (e?.type === 'entity.parse.failed') return new AppError(400, 'MALFORMED_JSON', 'request body is not valid JSON');
  if (e?.type === 'entity.too.large') return new AppError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported')
    return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported body encoding');
  // Errors from Express and express.static / send (a bad %-encoding, a NUL in a path, a missing asset, a bad Range)
  // carry their HTTP status: a 4xx keeps it.
  const status = (err as { status?: unknown; statusCode?: unknown })?.status ?? (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    const [code, message] = STATUS_CODES[status] ?? ['VALIDATION_FAILED', 'request is not valid'];
    return new AppError(status, code, message);
  }
  if (e?.code === 'POOL_EXHAUSTED')
    return new AppError(503, 'SERVICE_UNAVAILABLE', 'server is busy, try again shortly', undefined, { 'Retry-After': '2' });
  if (typeof e?.code === 'string' && DB_DOWN_CODES.has(e.code))
    return new AppError(503, 'DB_UNAVAILABLE', 'database is unavailable', undefined, { 'Retry-After': '5' });
  if (typeof e?.message === 'string' && /timeout exceeded when trying to connect|Connection terminated/i.test(e.message))
    return new AppError(503, 'SERVICE_UNAVAILABLE', 'server is busy, try again shortly', undefined, { 'Retry-After': '2' });
  return new AppError(500, 'INTERNAL', 'internal error');
}
