import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import type { Store } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import type { Config } from './config.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { datasetsRoutes } from './modules/datasets/datasets.routes.js';
import { runtimeRoutes } from './modules/runtime/runtime.routes.js';
import { settingsRoutes } from './modules/settings/settings.routes.js';
import { hubTokenRoutes, sourcesRoutes } from './modules/sources/sources.routes.js';
import { healthRoutes, systemRoutes } from './modules/system/system.routes.js';
import { trainedModelRoutes } from './modules/training/trained-models.routes.js';
import { trainingRoutes } from './modules/training/training.routes.js';
import { ttsRoutes } from './modules/tts/tts.routes.js';
import { requireAuth } from './platform/http/auth-middleware.js';
import { AppError, errorHandler, notFoundHandler } from './platform/http/errors.js';
import { corsPolicy, limiter, requireJsonBody, securityHeaders } from './platform/http/security.js';
import type { Logger } from './platform/logger.js';
import type { Services } from './services.js';

export interface Lifecycle {
  draining: boolean;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  services: Services;
  lifecycle?: Lifecycle;
  /** Rate-limit counters shared by every API instance, one store per limiter name; default, in memory. */
  rateLimitStore?: (name: 'api' | 'auth') => Store;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The express app without listen(): main.ts serves it, tests drive it with supertest. */
export function buildApp(deps: AppDeps): Express {
  const { config, logger, services } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Express's own last-resort handler prints stacks outside production; nothing internal leaves, whatever NODE_ENV says.
  app.set('env', 'production');
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/api/health' },
      // One line per request at info (method, path, status, time, id); the headers only when debugging.
      ...(logger.isLevelEnabled('debug') ? {} : { serializers: { req: briefRequest, res: briefResponse } }),
    }),
  );
  const lifecycle = deps.lifecycle;
  if (lifecycle) {
    app.use((_req, res, next) => {
      if (!lifecycle.draining) return next();
      res.setHeader('Connection', 'close');
      next(new AppError(503, 'SERVICE_UNAVAILABLE', 'server is shutting down', undefined, { 'Retry-After': '5' }));
    });
  }
  app.use(securityHeaders());
  app.use('/api', corsPolicy(config.CORS_ORIGINS));
  app.use('/api', requireJsonBody, express.json({ limit: config.JSON_BODY_LIMIT }));
  // Health probes (load balancers, monitors) must keep answering while a client floods the API.
  app.use('/api/health', healthRoutes(services.system));
  app.use('/api', limiter(config.RATE_LIMIT_WINDOW_MS, config.RATE_LIMIT_MAX, 'api', deps.rateLimitStore?.('api')));
  const authLimiter = limiter(config.RATE_LIMIT_WINDOW_MS, config.AUTH_RATE_LIMIT_MAX, 'auth', deps.rateLimitStore?.('auth'));
  const auth: RequestHandler = requireAuth(services.auth);

  app.use('/api/auth', authRoutes(services.auth, auth, authLimiter));
  app.use('/api/system', systemRoutes(services.system, auth));
  app.use('/api/sources', auth, sourcesRoutes(services.sources));
  app.use('/api/settings/huggingface', auth, hubTokenRoutes(services.sources));
  app.use('/api/settings', auth, settingsRoutes(services.settings));
  app.use('/api/datasets', auth, datasetsRoutes(services.datasets));
  app.use('/api/training', auth, trainingRoutes(services.training));
  // One mount (one auth check): the trained-model routes, then `run` for installed Hub models (same id space).
  app.use('/api/models', auth, trainedModelRoutes(services.trainedModels, services.modelArchives), runtimeRoutes(services.runtime));
  app.use('/api/tts', auth, ttsRoutes(services.tts));

  app.use('/api', notFoundHandler);
  serveSpa(app, config.paths.frontendDist);
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}

function briefRequest(req: { id?: unknown; method?: string; url?: string }) {
  return { id: req.id, method: req.method, url: req.url };
}
function briefResponse(res: { statusCode?: number }) {
  return { statusCode: res.statusCode };
}

/** The built SPA: hashed assets cached for a year, every other GET answered with index.html. */
function serveSpa(app: Express, dist: string): void {
  const index = path.join(dist, 'index.html');
  if (!existsSync(index)) return;
  app.use('/assets', express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  app.use(express.static(dist, { index: false, maxAge: '1h' }));
  app.get(/^(?!\/api\/|\/socket\.io\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
