import jwt from 'jsonwebtoken';
import type { Role } from '@sokhan/common';

export interface TokenClaims {
  sub: string;
  role: Role;
  /** The user's token_version when the token was issued. */
  ver: number;
}

export interface TokenOptions {
  secret: string;
  expiresIn: string;
  issuer: string;
  audience: string;
}

export type TokenFailure = 'expired' | 'invalid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class TokenService {
  constructor(private readonly opts: TokenOptions) {}

  sign(claims: TokenClaims): string {
    const expiresIn = /^\d+$/.test(this.opts.expiresIn) ? Number(this.opts.expiresIn) : this.opts.expiresIn;
    return jwt.sign({ role: claims.role, ver: claims.ver }, this.opts.secret, {
      algorithm: 'HS256',
      subject: claims.sub,
      issuer: this.opts.issuer,
      audience: this.opts.audience,
      expiresIn: expiresIn as jwt.SignOptions['expiresIn'],
    });
  }

  /**
   * Verifies signature (HS256 only: `none` and other algorithms are refused), issuer, audience and expiry.
   * A token must carry an expiry (one without would never end) and a user id of the shape users have.
   */
  verify(token: string): { ok: true; claims: TokenClaims } | { ok: false; reason: TokenFailure } {
    try {
      const p = jwt.verify(token, this.opts.secret, {
        algorithms: ['HS256'],
        issuer: this.opts.issuer,
        audience: this.opts.audience,
      });
      if (typeof p !== 'object' || typeof p.exp !== 'number' || typeof p.sub !== 'string' || !UUID.test(p.sub) || !Number.isInteger(p.ver)) {
        return { ok: false, reason: 'invalid' };
      }
      const role = p.role === 'admin' ? 'admin' : 'user';
      return { ok: true, claims: { sub: p.sub, role, ver: p.ver } };
    } catch (err) {
      return { ok: false, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
  }
}
