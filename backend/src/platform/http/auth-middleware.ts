import type { RequestHandler } from 'express';
import type { AuthService, AuthUser } from '../../modules/auth/auth.service.js';
import { forbidden, unauthenticated } from './errors.js';

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
  }
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
  return m ? m[1]! : null;
}

export function requireAuth(auth: AuthService): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) return next(unauthenticated());
    auth
      .authenticate(token)
      .then((user) => {
        req.user = user;
        next();
      })
      .catch(next);
  };
}

export const requireAdmin: RequestHandler = (req, _res, next) => {
  next(req.user?.role === 'admin' ? undefined : forbidden('admin only'));
};

/** The signed-in user; only call behind requireAuth. */
export function currentUser(req: { user?: AuthUser }): AuthUser {
  if (!req.user) throw unauthenticated();
  return req.user;
}
