import { currentUser } from '../../platform/http/auth-middleware.js';
import { Router, type RequestHandler } from 'express';
import type { SystemService } from './system.service.js';

export function healthRoutes(system: SystemService): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    const h = await system.health();
    res.status(h.db === 'up' ? 200 : 503).json(h);
  });
  return r;
}

export function systemRoutes(system: SystemService, requireAuth: RequestHandler): Router {
  const r = Router();
  r.get('/status', requireAuth, async (req, res) => {
    res.json(await system.status(currentUser(req)));
  });
  return r;
}
