import type { Config } from '../../config.js';
import type { Queryable } from '../../platform/db/pool.js';
import { UserRepository } from './auth.repository.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './passwords.js';
import { TokenService } from './tokens.js';

export function createAuthService(config: Config, db: Queryable): AuthService {
  return new AuthService(
    new UserRepository(db),
    new PasswordHasher(config.SECRET_KEY, config.BCRYPT_COST),
    new TokenService({
      secret: config.JWT_SECRET,
      expiresIn: config.JWT_EXPIRES_IN,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    config.ADMIN_EMAIL,
  );
}
