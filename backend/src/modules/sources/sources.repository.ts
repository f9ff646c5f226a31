import type { DownloadStatus, ModelStatus } from '@sokhan/common';
import type { Queryable } from '../../platform/db/pool.js';
import { liveOwnerSql } from '../../platform/queue/queue.repository.js';
import type { ChunkMap } from '../hub/chunk-plan.js';
import type { ModelRow } from '../models/model-row.js';

export type { ModelRow };

/** What a download keeps in `download_queue.options`. */
export interface DownloadOptionsJson {
  include?: string[];
  exclude?: string[];
  /** The commit pinned when the download was created, so a resume never mixes revisions. */
  commit?: string;
  /** The model was ready before this download began (an update, not a first install). */
  replacesReady?: boolean;
}

export interface DownloadRow {
  id: string;
  model_id: string | null;
  user_id: string;
  repo_id: string;
  revision: string;
  status: DownloadStatus;
  progress: number;
  bytes_downloaded: number;
  bytes_total: number;
  current_file: string | null;
  options: DownloadOptionsJson;
  error_code: string | null;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const D = `id, model_id, user_id, repo_id, revision, status, progress, bytes_downloaded, bytes_total, current_file, options,
  error_code, error, started_at, finished_at, created_at, updated_at`;
const M = 'id, name, type, repo_id, revision, size_mb, status, source, owner_id, file_path, metadata, created_at, updated_at';

/** The SQL of Hub downloads and installed Hub models; nothing else. */
export class SourcesRepository {
  constructor(private readonly db: Queryable) {}

  // ---- downloads ----

  /** Inserts a queued download, or returns null when the same user already has this repo+revision active. */
  async insertDownload(userId: string, repoId: string, revision: string, modelId: string | null, options: DownloadOptionsJson): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(
      `INSERT INTO download_queue (user_id, repo_id, revision, model_id, options) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (user_id, repo_id, revision) WHERE status IN ('queued', 'running') DO NOTHING
       RETURNING ${D}`,
      [userId, repoId, revision, modelId, JSON.stringify(options)],
    );
    return r.rows[0] ?? null;
  }

  async findActiveDownload(userId: string, repoId: string, revision: string): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(
      `SELECT ${D} FROM download_queue WHERE user_id = $1 AND repo_id = $2 AND revision = $3 AND status IN ('queued', 'running')`,
      [userId, repoId, revision],
    );
    return r.rows[0] ?? null;
  }

  async getDownload(id: string): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(`SELECT ${D} FROM download_queue WHERE id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  async getDownloadForUser(id: string, userId: string): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(`SELECT ${D} FROM download_queue WHERE id = $1 AND user_id = $2`, [id, userId]);
    return r.rows[0] ?? null;
  }

  async listDownloads(userId: string, status: DownloadStatus | undefined, limit: number, offset: number): Promise<{ rows: DownloadRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.db.query<DownloadRow>(
        `SELECT ${D} FROM download_queue WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
        [userId, status ?? null, limit, offset],
      ),
      this.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM download_queue WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)`,
        [userId, status ?? null],
      ),
    ]);
    return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
  }

  /** Rows left running by a worker that is gone go back to the queue (they resume from their `.part` files). */
  async requeueOrphans(leaseMs: number): Promise<DownloadRow[]> {
    const r = await this.db.query<DownloadRow>(
      `UPDATE download_queue SET status = 'queued', worker_id = NULL
       WHERE status = 'running' AND NOT ${liveOwnerSql('download_queue', '$1::int')} RETURNING ${D}`,
      [leaseMs],
    );
    return r.rows;
  }

  /**
   * Marks the download running on this worker: a queued one, or a running one whose worker is dead (its lease ran
   * out), which then resumes from its `.part` files. Null when it is not this worker's to run.
   */
  async claim(id: string, workerId: string, leaseMs: number): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(
      `UPDATE download_queue SET status = 'running', worker_id = $2, started_at = COALESCE(started_at, now()), error_code = NULL, error = NULL
       WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND NOT ${liveOwnerSql('download_queue', '$3::int')}))
       RETURNING ${D}`,
      [id, workerId, leaseMs],
    );
    return r.rows[0] ?? null;
  }

  /** The statuses of these downloads now (a worker re-reads those it runs). */
  async statusesOf(ids: string[]): Promise<Map<string, DownloadStatus>> {
    const r = await this.db.query<{ id: string; status: DownloadStatus }>(`SELECT id, status FROM download_queue WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(r.rows.map((x) => [x.id, x.status]));
  }

  /** Records the plan: the pinned commit and the total size. */
  async setPlan(id: string, commit: string, bytesTotal: number): Promise<void> {
    await this.db.query(
      `UPDATE download_queue SET options = options || jsonb_build_object('commit', $2::text), bytes_total = $3
       WHERE id = $1 AND status = 'running'`,
      [id, commit, bytesTotal],
    );
  }

  async updateProgress(id: string, p: { bytesDownloaded: number; bytesTotal: number; progress: number; currentFile: string | null }): Promise<void> {
    await this.db.query(
      `UPDATE download_queue SET bytes_downloaded = $2, bytes_total = $3, progress = $4, current_file = $5
       WHERE id = $1 AND status = 'running'`,
      [id, p.bytesDownloaded, p.bytesTotal, p.progress, p.currentFile],
    );
  }

  async completeDownload(id: string, bytesTotal: number): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(
      `UPDATE download_queue SET status = 'completed', progress = 100, bytes_downloaded = $2, bytes_total = $2,
         current_file = NULL, finished_at = now()
       WHERE id = $1 AND status = 'running' RETURNING ${D}`,
      [id, bytesTotal],
    );
    return r.rows[0] ?? null;
  }

  async failDownload(id: string, code: string, message: string): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(
      `UPDATE download_queue SET status = 'failed', error_code = $2, error = $3, current_file = NULL, finished_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${D}`,
      [id, code, message.slice(0, 2000)],
    );
    return r.rows[0] ?? null;
  }

  async cancelDownload(id: string): Promise<DownloadRow | null> {
    const r = await this.db.query<DownloadRow>(
      `UPDATE download_queue SET status = 'cancelled', error_code = 'DOWNLOAD_CANCELLED', error = 'cancelled by the user',
         current_file = NULL, finished_at = now()
       WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${D}`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  /** Active downloads of a repo+revision, any user, other than `exceptId`. */
  async countActiveFor(repoId: string, revision: string, exceptId: string | null): Promise<number> {
    const r = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM download_queue
       WHERE repo_id = $1 AND revision = $2 AND status IN ('queued', 'running') AND ($3::uuid IS NULL OR id <> $3)`,
      [repoId, revision, exceptId],
    );
    return r.rows[0]?.n ?? 0;
  }

  async activeDownloadsFor(repoId: string, revision: string): Promise<DownloadRow[]> {
    const r = await this.db.query<DownloadRow>(
      `SELECT ${D} FROM download_queue WHERE repo_id = $1 AND revision = $2 AND status IN ('queued', 'running')`,
      [repoId, revision],
    );
    return r.rows;
  }

  // ---- chunk maps (files fetched as parallel ranges) ----

  async getChunkMap(partPath: string): Promise<ChunkMap | null> {
    const r = await this.db.query<ChunkMap>(
      `SELECT size, sha256, etag, chunk_size AS "chunkSize", to_jsonb(done) AS done FROM download_chunks WHERE part_path = $1`,
      [partPath],
    );
    return r.rows[0] ?? null;
  }

  /** Stores the map of a `.part` for this download (the last writer owns it). */
  async saveChunkMap(downloadId: string, partPath: string, m: ChunkMap): Promise<void> {
    await this.db.query(
      `INSERT INTO download_chunks (part_path, download_id, size, sha256, etag, chunk_size, done)
       VALUES ($1, $2, $3, $4, $5, $6, $7::bigint[])
       ON CONFLICT (part_path) DO UPDATE SET download_id = EXCLUDED.download_id, size = EXCLUDED.size, sha256 = EXCLUDED.sha256,
         etag = EXCLUDED.etag, chunk_size = EXCLUDED.chunk_size, done = EXCLUDED.done, updated_at = now()`,
      [partPath, downloadId, m.size, m.sha256, m.etag, m.chunkSize, m.done],
    );
  }

  async deleteChunkMap(partPath: string): Promise<void> {
    await this.db.query(`DELETE FROM download_chunks WHERE part_path = $1`, [partPath]);
  }

  /** Forgets every map a download wrote (it finished, failed or was cancelled: its `.part` files are gone). */
  async deleteChunkMapsOf(downloadId: string): Promise<void> {
    await this.db.query(`DELETE FROM download_chunks WHERE download_id = $1`, [downloadId]);
  }

  // ---- models ----

  async getModel(id: string): Promise<ModelRow | null> {
    const r = await this.db.query<ModelRow>(`SELECT ${M} FROM models WHERE id = $1 AND source = 'hub'`, [id]);
    return r.rows[0] ?? null;
  }

  async getHubModel(repoId: string, revision: string): Promise<ModelRow | null> {
    const r = await this.db.query<ModelRow>(`SELECT ${M} FROM models WHERE source = 'hub' AND repo_id = $1 AND revision = $2`, [
      repoId,
      revision,
    ]);
    return r.rows[0] ?? null;
  }

  /**
   * Creates the models row of a Hub repo+revision, or sets an existing one to `downloading`.
   * Answers the row and the status it had before (null when new).
   */
  async upsertDownloadingModel(m: { repoId: string; revision: string; type: string; ownerId: string; filePath: string; metadata: Record<string, unknown> }): Promise<{ row: ModelRow; previousStatus: ModelStatus | null }> {
    const before = await this.db.query<{ status: ModelStatus }>(
      `SELECT status FROM models WHERE source = 'hub' AND repo_id = $1 AND revision = $2`,
      [m.repoId, m.revision],
    );
    const r = await this.db.query<ModelRow>(
      `INSERT INTO models (name, type, repo_id, revision, status, source, owner_id, file_path, metadata)
       VALUES ($1, $2, $1, $3, 'downloading', 'hub', $4, $5, $6::jsonb)
       ON CONFLICT (repo_id, revision) WHERE source = 'hub'
       DO UPDATE SET status = 'downloading', file_path = EXCLUDED.file_path, owner_id = COALESCE(models.owner_id, EXCLUDED.owner_id),
         metadata = models.metadata || EXCLUDED.metadata
       RETURNING ${M}`,
      [m.repoId, m.type, m.revision, m.ownerId, m.filePath, JSON.stringify(m.metadata)],
    );
    return { row: r.rows[0]!, previousStatus: before.rows[0]?.status ?? null };
  }

  /**
   * upsertDownloadingModel for a claimed download, in one statement: only while the download row is still
   * `running` (locked, so a cancel waits for it and then sees the link), and it links the row to the model.
   * Null when the row has left `running` (cancelled): nothing is written.
   */
  async upsertModelForRunning(downloadId: string, m: { repoId: string; revision: string; type: string; ownerId: string; filePath: string; metadata: Record<string, unknown> }): Promise<ModelRow | null> {
    const r = await this.db.query<ModelRow>(
      `WITH live AS (
         SELECT id FROM download_queue WHERE id = $7::uuid AND status = 'running' FOR UPDATE
       ), model AS (
         INSERT INTO models (name, type, repo_id, revision, status, source, owner_id, file_path, metadata)
         SELECT $1::text, $2::text, $1::text, $3::text, 'downloading', 'hub', $4::uuid, $5::text, $6::jsonb FROM live
         ON CONFLICT (repo_id, revision) WHERE source = 'hub'
         DO UPDATE SET status = 'downloading', file_path = EXCLUDED.file_path, owner_id = COALESCE(models.owner_id, EXCLUDED.owner_id),
           metadata = models.metadata || EXCLUDED.metadata
         RETURNING ${M}
       ), linked AS (
         UPDATE download_queue d SET model_id = model.id FROM model WHERE d.id = $7::uuid
       )
       SELECT ${M} FROM model`,
      [m.repoId, m.type, m.revision, m.ownerId, m.filePath, JSON.stringify(m.metadata), downloadId],
    );
    return r.rows[0] ?? null;
  }

  async markModelReady(id: string, m: { type: string; sizeMb: number; filePath: string; metadata: Record<string, unknown> }): Promise<ModelRow | null> {
    const r = await this.db.query<ModelRow>(
      `UPDATE models SET status = 'ready', type = $2, size_mb = $3, file_path = $4, metadata = $5::jsonb
       WHERE id = $1 RETURNING ${M}`,
      [id, m.type, m.sizeMb, m.filePath, JSON.stringify(m.metadata)],
    );
    return r.rows[0] ?? null;
  }

  async setModelStatus(id: string, status: ModelStatus): Promise<void> {
    await this.db.query(`UPDATE models SET status = $2 WHERE id = $1`, [id, status]);
  }

  async deleteModel(id: string): Promise<void> {
    await this.db.query(`DELETE FROM models WHERE id = $1 AND source = 'hub'`, [id]);
  }

  async listHubModels(): Promise<ModelRow[]> {
    const r = await this.db.query<ModelRow>(`SELECT ${M} FROM models WHERE source = 'hub' ORDER BY updated_at DESC, id`);
    return r.rows;
  }

  /** How many of the owner's trained models (ready, or still training) read their text through each of these installed models (same repository and revision). */
  async trainedOn(modelIds: string[], ownerId: string): Promise<Map<string, number>> {
    if (modelIds.length === 0) return new Map();
    const r = await this.db.query<{ id: string; n: number }>(
      `SELECT h.id, count(*)::int AS n FROM models h
         JOIN models t ON t.source = 'trained' AND t.owner_id = $2 AND t.status <> 'failed' AND t.metadata->'encoder'->>'repoId' = h.repo_id
          AND (t.metadata->'encoder'->>'revision') IS NOT DISTINCT FROM h.revision
        WHERE h.id = ANY($1::uuid[]) AND h.source = 'hub' GROUP BY h.id`,
      [modelIds, ownerId],
    );
    return new Map(r.rows.map((x) => [x.id, x.n]));
  }

  /** Which of these repos have a ready local copy (any revision). */
  async readyRepoIds(repoIds: string[]): Promise<Set<string>> {
    if (repoIds.length === 0) return new Set();
    const r = await this.db.query<{ repo_id: string }>(
      `SELECT DISTINCT repo_id FROM models WHERE source = 'hub' AND status = 'ready' AND repo_id = ANY($1::text[])`,
      [repoIds],
    );
    return new Set(r.rows.map((x) => x.repo_id));
  }

  /** Offline search: ready Hub models matching the text, task and author. */
  /** Installed models for an offline search; `runsHere`: only those their inspection found runnable (model_runtime). */
  async searchReady(f: { q?: string; task?: string; author?: string; language?: string; runsHere: boolean; limit: number; offset: number }): Promise<ModelRow[]> {
    const r = await this.db.query<ModelRow>(
      `SELECT ${M} FROM models
       WHERE source = 'hub' AND status = 'ready'
         AND ($1::text IS NULL OR repo_id ILIKE '%' || $1 || '%')
         AND ($2::text IS NULL OR metadata->>'pipelineTag' = $2)
         AND ($3::text IS NULL OR lower(split_part(repo_id, '/', 1)) = lower($3))
         AND ($4::text IS NULL OR metadata->'languages' ? $4)
         AND (NOT $7::boolean OR EXISTS (SELECT 1 FROM model_runtime r WHERE r.model_id = models.id AND r.runnable))
       ORDER BY repo_id, revision LIMIT $5 OFFSET $6`,
      [f.q ? escapeLike(f.q) : null, f.task ?? null, f.author ?? null, f.language ?? null, f.limit, f.offset, f.runsHere],
    );
    return r.rows;
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
