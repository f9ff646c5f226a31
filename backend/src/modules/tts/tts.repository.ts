import type { TtsEngine } from '@sokhan/common';
import type { Queryable } from '../../platform/db/pool.js';
import type { ModelRow } from '../models/model-row.js';

export interface TtsHistoryRow {
  id: string;
  user_id: string;
  text: string;
  voice_id: string;
  voice_name: string;
  engine: TtsEngine;
  model_id: string | null;
  parameters: Record<string, unknown>;
  file_path: string;
  size_bytes: number;
  duration_seconds: number;
  sample_rate: number;
  created_at: Date;
}

export type NewTtsHistoryRow = Omit<TtsHistoryRow, 'created_at'>;

/** A ready installed model, as voice discovery needs it (its query keeps only rows with a folder). */
export type ReadyModelRow = Pick<ModelRow, 'id' | 'name' | 'repo_id' | 'metadata' | 'updated_at'> & { file_path: string };

const COLUMNS =
  'id, user_id, text, voice_id, voice_name, engine, model_id, parameters, file_path, size_bytes, duration_seconds, sample_rate, created_at';

export class TtsRepository {
  constructor(private readonly db: Queryable) {}

  /** Installed Hub models (voices live there; users' trained models are private and never hold one). */
  async readyModels(): Promise<ReadyModelRow[]> {
    const r = await this.db.query<ReadyModelRow>(
      `SELECT id, name, repo_id, file_path, metadata, updated_at FROM models
       WHERE status = 'ready' AND source = 'hub' AND file_path IS NOT NULL ORDER BY name, id`,
    );
    return r.rows;
  }

  async insert(row: NewTtsHistoryRow): Promise<TtsHistoryRow> {
    const r = await this.db.query<TtsHistoryRow>(
      `INSERT INTO tts_history (id, user_id, text, voice_id, voice_name, engine, model_id, parameters, file_path,
         size_bytes, duration_seconds, sample_rate)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12)
       RETURNING ${COLUMNS}`,
      [
        row.id,
        row.user_id,
        row.text,
        row.voice_id,
        row.voice_name,
        row.engine,
        row.model_id,
        JSON.stringify(row.parameters),
        row.file_path,
        row.size_bytes,
        row.duration_seconds,
        row.sample_rate,
      ],
    );
    return r.rows[0]!;
  }

  async listByUser(userId: string, limit: number, offset: number): Promise<{ rows: TtsHistoryRow[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db.query<TtsHistoryRow>(
        `SELECT ${COLUMNS} FROM tts_history WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
        [userId, limit, offset],
      ),
      this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tts_history WHERE user_id = $1', [userId]),
    ]);
    return { rows: rows.rows, total: count.rows[0]?.n ?? 0 };
  }

  /** The user's clip, or null (also for another user's clip). */
  async findForUser(userId: string, id: string): Promise<TtsHistoryRow | null> {
    const r = await this.db.query<TtsHistoryRow>(`SELECT ${COLUMNS} FROM tts_history WHERE id = $1 AND user_id = $2`, [id, userId]);
    return r.rows[0] ?? null;
  }

  async deleteForUser(userId: string, id: string): Promise<TtsHistoryRow | null> {
    const r = await this.db.query<TtsHistoryRow>(`DELETE FROM tts_history WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [id, userId]);
    return r.rows[0] ?? null;
  }
}
