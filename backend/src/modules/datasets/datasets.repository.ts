import { ACTIVE_TRAINING_STATUSES, type DatasetFormat, type DatasetHeaderRow, type DatasetType } from '@sokhan/common';
import type { Queryable } from '../../platform/db/pool.js';
import type { DatasetProfile, RowIndexEntry } from './dataset-profile.js';

/** What metadata jsonb holds (the row index is stored there too, but only rowIndex() reads it). */
export type DatasetMetadata = Omit<DatasetProfile, 'recordCount' | 'type' | 'rowIndex'> & {
  sizeBytes: number;
  headerRow?: DatasetHeaderRow | null;
  workbook?: { sheet: string; sheets: string[] } | null;
  /** The shipped sample it was added from. */
  sample?: string;
};

export interface DatasetRecord {
  id: string;
  user_id: string;
  name: string;
  description: string | null;
  type: DatasetType;
  format: DatasetFormat;
  original_name: string | null;
  file_path: string;
  size_mb: number;
  record_count: number;
  metadata: DatasetMetadata;
  in_use: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface NewDataset {
  id: string;
  userId: string;
  name: string;
  description: string | null;
  type: DatasetType;
  format: DatasetFormat;
  originalName: string | null;
  filePath: string;
  sizeBytes: number;
  recordCount: number;
  metadata: DatasetMetadata;
  rowIndex: RowIndexEntry[];
}

const ACTIVE = [...ACTIVE_TRAINING_STATUSES];
const COLUMNS = `d.id, d.user_id, d.name, d.description, d.type, d.format, d.original_name, d.file_path, d.size_mb,
  d.record_count, d.metadata - 'rowIndex' AS metadata, d.created_at, d.updated_at,
  EXISTS (SELECT 1 FROM training_jobs j WHERE j.dataset_id = d.id AND j.status = ANY($2::text[])) AS in_use`;

export class DatasetsRepository {
  constructor(private readonly db: Queryable) {}

  async insert(d: NewDataset): Promise<void> {
    await this.db.query(
      `INSERT INTO datasets (id, user_id, name, description, type, format, original_name, file_path, size_mb, record_count, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
      [
        d.id,
        d.userId,
        d.name,
        d.description,
        d.type,
        d.format,
        d.originalName,
        d.filePath,
        d.sizeBytes / (1024 * 1024),
        d.recordCount,
        JSON.stringify({ ...d.metadata, rowIndex: d.rowIndex }),
      ],
    );
  }

  async list(userId: string, limit: number, offset: number): Promise<{ rows: DatasetRecord[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.db.query<DatasetRecord>(
        `SELECT ${COLUMNS} FROM datasets d WHERE d.user_id = $1 ORDER BY d.created_at DESC, d.id LIMIT $3 OFFSET $4`,
        [userId, ACTIVE, limit, offset],
      ),
      this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM datasets WHERE user_id = $1', [userId]),
    ]);
    return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
  }

  /** The user's most recent dataset added from each sample: sample id → dataset id. */
  async latestFromSamples(userId: string): Promise<Map<string, string>> {
    const r = await this.db.query<{ sample: string; id: string }>(
      `SELECT DISTINCT ON (metadata ->> 'sample') metadata ->> 'sample' AS sample, id FROM datasets
        WHERE user_id = $1 AND metadata ->> 'sample' IS NOT NULL
        ORDER BY metadata ->> 'sample', created_at DESC, id`,
      [userId],
    );
    return new Map(r.rows.map((row) => [row.sample, row.id]));
  }

  /** The user's dataset, or null (another user's dataset is the same as a missing one). */
  async get(id: string, userId: string): Promise<DatasetRecord | null> {
    const r = await this.db.query<DatasetRecord>(`SELECT ${COLUMNS} FROM datasets d WHERE d.id = $1 AND d.user_id = $3`, [id, ACTIVE, userId]);
    return r.rows[0] ?? null;
  }

  async rowIndex(id: string): Promise<RowIndexEntry[]> {
    const r = await this.db.query<{ idx: RowIndexEntry[] | null }>(`SELECT metadata -> 'rowIndex' AS idx FROM datasets WHERE id = $1`, [id]);
    return r.rows[0]?.idx ?? [];
  }

  /**
   * Deletes the user's dataset unless an active job uses it. 'deleted' with the stored path, 'in-use', or
   * 'missing'.
   */
  async deleteUnlessInUse(id: string, userId: string): Promise<{ result: 'deleted'; filePath: string } | { result: 'in-use' | 'missing' }> {
    const r = await this.db.query<{ file_path: string }>(
      `DELETE FROM datasets d WHERE d.id = $1 AND d.user_id = $2
         AND NOT EXISTS (SELECT 1 FROM training_jobs j WHERE j.dataset_id = d.id AND j.status = ANY($3::text[]))
       RETURNING d.file_path`,
      [id, userId, ACTIVE],
    );
    if (r.rows[0]) return { result: 'deleted', filePath: r.rows[0].file_path };
    const exists = await this.db.query('SELECT 1 FROM datasets WHERE id = $1 AND user_id = $2', [id, userId]);
    return { result: exists.rowCount ? 'in-use' : 'missing' };
  }
}
