import type { Role } from '@sokhan/common';
import type { Queryable } from '../../platform/db/pool.js';

export interface UserRow {
  id: string;
  email: string;
  username: string;
  password_hash: string;
  role: Role;
  token_version: number;
  created_at: Date;
}

const COLUMNS = 'id, email, username, password_hash, role, token_version, created_at';

export class UserRepository {
  constructor(private readonly db: Queryable) {}

  async create(input: { email: string; username: string; passwordHash: string; role: Role }): Promise<UserRow> {
    const r = await this.db.query<UserRow>(
      `INSERT INTO users (email, username, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [input.email, input.username, input.passwordHash, input.role],
    );
    return r.rows[0]!;
  }

  async findById(id: string): Promise<UserRow | null> {
    const r = await this.db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  /** Email or username, both compared case-insensitively. */
  async findByLogin(login: string): Promise<UserRow | null> {
    const r = await this.db.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1) OR lower(username) = lower($1) LIMIT 1`,
      [login],
    );
    return r.rows[0] ?? null;
  }

  async existing(email: string, username: string): Promise<{ email: boolean; username: boolean }> {
    const r = await this.db.query<{ email: boolean; username: boolean }>(
      `SELECT bool_or(lower(email) = lower($1)) AS email, bool_or(lower(username) = lower($2)) AS username
         FROM users WHERE lower(email) = lower($1) OR lower(username) = lower($2)`,
      [email, username],
    );
    return { email: r.rows[0]?.email ?? false, username: r.rows[0]?.username ?? false };
  }

  async updatePassword(id: string, passwordHash: string): Promise<UserRow> {
    const r = await this.db.query<UserRow>(
      `UPDATE users SET password_hash = $2, token_version = token_version + 1 WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, passwordHash],
    );
    return r.rows[0]!;
  }
}
