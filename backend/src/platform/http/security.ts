import cors from 'cors';
import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { AppError } from './errors.js';

/** CSP that lets the SPA, Socket.IO (same-origin websocket), TensorFlow.js WASM and audio blobs work. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'", "'wasm-unsafe-eval'"],
        'connect-src': ["'self'", 'ws:', 'wss:', 'blob:', 'data:'],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:', 'data:'],
        'worker-src': ["'self'", 'blob:'],
        'font-src': ["'self'", 'data:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        // Would send a plain-HTTP LAN install's own assets to https:// and break it; HTTPS deployments use HSTS.
        'upgrade-insecure-requests': null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
}

/** Allowlisted origins get CORS headers; others get none (same-origin requests never need them). */
export function corsPolicy(allowlist: string[]): RequestHandler {
  const allowed = new Set(allowlist);
  return cors({
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
    maxAge: 600,
  });
}

/** `store`: counters every API instance shares (PostgresRateLimitStore); default, this process's memory. */
export function limiter(windowMs: number, limit: number, name: string, store?: Store): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    identifier: name,
    ...(store ? { store } : {}),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, _res, next, options) => {
      // The same moment the RateLimit header's `t=` names: when this client's window resets.
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : Math.ceil(options.windowMs / 1000);
      next(new AppError(429, 'RATE_LIMITED', 'too many requests, slow down', undefined, { 'Retry-After': String(seconds) }));
    },
  });
}

/** Bodies must be JSON, except multipart uploads which their own routes stream. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is(['application/json', 'multipart/form-data'])) return next();
  next(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'));
};
