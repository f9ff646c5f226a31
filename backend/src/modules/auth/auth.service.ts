import type { AuthResponse, ChangePasswordBody, LoginBody, PublicUser, RegisterBody, Role } from '@sokhan/common';
import { AppError, unauthenticated } from '../../platform/http/errors.js';
import type { UserRepository, UserRow } from './auth.repository.js';
import type { PasswordHasher } from './passwords.js';
import type { TokenService } from './tokens.js';

export interface AuthUser {
  id: string;
  role: Role;
}

export function presentUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    role: row.role,
    createdAt: row.created_at.toISOString(),
  };
}

export class AuthService {
  /** A real hash to compare against when the login is unknown, so both failures cost the same time. */
  private dummyHash: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly adminEmail: string | undefined,
  ) {
    this.dummyHash = hasher.hash('sokhan-timing-equaliser');
  }

  async register(input: RegisterBody): Promise<AuthResponse> {
    const taken = await this.users.existing(input.email, input.username);
    if (taken.email) throw new AppError(409, 'EMAIL_TAKEN', 'this email is already registered');
    if (taken.username) throw new AppError(409, 'USERNAME_TAKEN', 'this username is taken');
    // The one account whose email matches ADMIN_EMAIL becomes admin; nobody chooses their own role.
    const role: Role = this.adminEmail && this.adminEmail.toLowerCase() === input.email ? 'admin' : 'user';
    const passwordHash = await this.hasher.hash(input.password);
    try {
      const row = await this.users.create({ email: input.email, username: input.username, passwordHash, role });
      return this.issue(row);
    } catch (err) {
      // Two registrations racing past the check above meet the unique index.
      if ((err as { code?: string }).code === '23505') {
        const field = String((err as { constraint?: string }).constraint).includes('email') ? 'EMAIL_TAKEN' : 'USERNAME_TAKEN';
        throw new AppError(409, field, field === 'EMAIL_TAKEN' ? 'this email is already registered' : 'this username is taken');
      }
      throw err;
    }
  }

  async login(input: LoginBody): Promise<AuthResponse> {
    const row = await this.users.findByLogin(input.login);
    const ok = await this.hasher.verify(input.password, row?.password_hash ?? (await this.dummyHash));
    if (!row || !ok) throw new AppError(401, 'INVALID_CREDENTIALS', 'email/username or password is wrong');
    return this.issue(row);
  }

  async me(userId: string): Promise<PublicUser> {
    const row = await this.users.findById(userId);
    if (!row) throw unauthenticated();
    return presentUser(row);
  }

  async changePassword(userId: string, input: ChangePasswordBody): Promise<AuthResponse> {
    const row = await this.users.findById(userId);
    if (!row) throw unauthenticated();
    if (!(await this.hasher.verify(input.currentPassword, row.password_hash))) {
      throw new AppError(400, 'INVALID_CREDENTIALS', 'current password is wrong');
    }
    const updated = await this.users.updatePassword(userId, await this.hasher.hash(input.newPassword));
    return this.issue(updated);
  }

  /** Resolves a bearer token to its user; refuses bad, expired and pre-password-change tokens. */
  async authenticate(token: string): Promise<AuthUser> {
    const v = this.tokens.verify(token);
    if (!v.ok) {
      throw v.reason === 'expired'
        ? unauthenticated('session expired, sign in again', 'TOKEN_EXPIRED')
        : unauthenticated('invalid token');
    }
    const row = await this.users.findById(v.claims.sub);
    if (!row || row.token_version !== v.claims.ver) throw unauthenticated('invalid token');
    return { id: row.id, role: row.role };
  }

  private issue(row: UserRow): AuthResponse {
    return { user: presentUser(row), token: this.tokens.sign({ sub: row.id, role: row.role, ver: row.token_version }) };
  }
}
