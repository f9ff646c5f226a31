import { changePasswordBodySchema, loginBodySchema, registerBodySchema } from '@sokhan/common';
import { Router, type RequestHandler } from 'express';
import { currentUser } from '../../platform/http/auth-middleware.js';
import { parseBody } from '../../platform/http/validate.js';
import type { AuthService } from './auth.service.js';

export function authRoutes(auth: AuthService, requireAuth: RequestHandler, authLimiter: RequestHandler): Router {
  const r = Router();
  r.post('/register', authLimiter, async (req, res) => {
    res.status(201).json(await auth.register(parseBody(registerBodySchema, req)));
  });
  r.post('/login', authLimiter, async (req, res) => {
    res.json(await auth.login(parseBody(loginBodySchema, req)));
  });
  r.get('/me', requireAuth, async (req, res) => {
    res.json({ user: await auth.me(currentUser(req).id) });
  });
  r.post('/password', authLimiter, requireAuth, async (req, res) => {
    res.json(await auth.changePassword(currentUser(req).id, parseBody(changePasswordBodySchema, req)));
  });
  return r;
}
