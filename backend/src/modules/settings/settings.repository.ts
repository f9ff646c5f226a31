import type { Queryable } from '../../platform/db/pool.js';

export interface SettingsRow {
  user_id: string;
  huggingface_token: string | null;
  huggingface_username: string | null;
  settings_json: Record<string, unknown>;
}

const COLUMNS = 'user_id, huggingface_token, huggingface_username, settings_json';

export class SettingsRepository {
  constructor(private readonly db: Queryable) {}

  async get(userId: string): Promise<SettingsRow | null> {
    const r = await this.db.query<SettingsRow>(`SELECT ${COLUMNS} FROM user_settings WHERE user_id = $1`, [userId]);
    return r.rows[0] ?? null;
  }

  /** Shallow-merges `prefs` into settings_json (jsonb `||`), creating the row on first use. */
  async mergePreferences(userId: string, prefs: Record<string, unknown>): Promise<SettingsRow> {
    const r = await this.db.query<SettingsRow>(
      `INSERT INTO user_settings (user_id, settings_json) VALUES ($1, $2::jsonb)
       ON CONFLICT (user_id) DO UPDATE SET settings_json = user_settings.settings_json || EXCLUDED.settings_json
       RETURNING ${COLUMNS}`,
      [userId, JSON.stringify(prefs)],
    );
    return r.rows[0]!;
  }

  /** Stores (or with nulls clears) the sealed Hub token and the username it belongs to. */
  async setHubToken(userId: string, sealedToken: string | null, username: string | null): Promise<SettingsRow> {
    const r = await this.db.query<SettingsRow>(
      `INSERT INTO user_settings (user_id, huggingface_token, huggingface_username) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET huggingface_token = $2, huggingface_username = $3
       RETURNING ${COLUMNS}`,
      [userId, sealedToken, username],
    );
    return r.rows[0]!;
  }
}
