import type { ClassificationReport, EpochMetrics, ErrorCode, TrainingConfig, TrainingMetrics, TrainingProgressState, TrainingStatus } from '@sokhan/common';
import type { Queryable } from '../../platform/db/pool.js';
import { liveOwnerSql } from '../../platform/queue/queue.repository.js';
import type { ModelRow } from '../models/model-row.js';

export interface JobRow {
  id: string;
  user_id: string;
  model_id: string | null;
  dataset_id: string | null;
  base_model_id: string | null;
  status: TrainingStatus;
  progress: number;
  config: TrainingConfig;
  metrics: TrainingMetrics;
  error: string | null;
  error_code: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** The worker instance that claimed it (null while queued). */
  worker_id: string | null;
}

export interface CheckpointRow {
  id: string;
  training_job_id: string;
  epoch: number;
  step: number;
  loss: number | null;
  accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  is_best: boolean;
  file_path: string;
  metadata: { partial: boolean; sizeBytes: number; metrics: EpochMetrics };
  created_at: Date;
}

export interface EvaluationRow {
  id: string;
  model_id: string;
  training_job_id: string | null;
  dataset_id: string | null;
  split: 'validation' | 'training' | 'dataset';
  report: ClassificationReport;
  created_at: Date;
}

/** A trained model: training never reads the Hub columns (repo_id, revision). */
export type TrainedModelRow = Omit<ModelRow, 'repo_id' | 'revision'> & {
  /** Set when the model came in from an exported archive. */
  imported_at: Date | null;
  /** A model on an encoder: the installed model that is its encoder now (the one it trained on, else an install of the same repository and revision); null when none is. */
  encoder_installed_id: string | null;
};

/** A stored evaluation with the name of the dataset it ran on (for an export). */
export type ExportedEvaluationRow = EvaluationRow & { dataset_name: string | null };

const JOB = `id, user_id, model_id, dataset_id, base_model_id, status, progress, config, metrics, error, error_code,
  started_at, finished_at, created_at, updated_at, worker_id`;
/** A write reporting a worker's run lands only while that worker (the text parameter; null: anyone) holds the job. */
const OWNED_BY = (param: string) => `(${param}::text IS NULL OR worker_id = ${param}::text)`;
const CHECKPOINT = 'id, training_job_id, epoch, step, loss, accuracy, val_loss, val_accuracy, is_best, file_path, metadata, created_at';
const EVALUATION = 'id, model_id, training_job_id, dataset_id, split, report, created_at';
const ENCODER_INSTALLED = `(SELECT h.id FROM models h
    WHERE h.source = 'hub' AND h.status = 'ready' AND models.metadata ? 'encoder'
      AND (h.id::text = models.metadata->'encoder'->>'installedId'
        OR (h.repo_id = models.metadata->'encoder'->>'repoId' AND h.revision IS NOT DISTINCT FROM models.metadata->'encoder'->>'revision'))
    ORDER BY (h.id::text = models.metadata->'encoder'->>'installedId') DESC, h.created_at DESC LIMIT 1) AS encoder_installed_id`;
const MODEL = `id, name, type, status, source, owner_id, file_path, size_mb, metadata, created_at, updated_at, imported_at, ${ENCODER_INSTALLED}`;

export const emptyMetrics = (): TrainingMetrics => ({
  backend: null,
  history: [],
  current: null,
  final: null,
  best: null,
  samples: null,
  featureDim: null,
  parameters: null,
  classes: null,
  stoppedEarly: false,
});

/** The SQL of training jobs, their checkpoints and the models they produce. */
export class TrainingRepository {
  constructor(private readonly db: Queryable) {}

  async insertModel(m: { id: string; name: string; task: string; ownerId: string; filePath: string; metadata: object }): Promise<void> {
    await this.db.query(
      `INSERT INTO models (id, name, type, status, source, owner_id, file_path, metadata)
       VALUES ($1, $2, $3, 'pending', 'trained', $4, $5, $6::jsonb)`,
      [m.id, m.name, m.task, m.ownerId, m.filePath, JSON.stringify(m.metadata)],
    );
  }

  async insertJob(j: { id: string; userId: string; modelId: string; datasetId: string; baseModelId: string | null; config: TrainingConfig }): Promise<JobRow> {
    const r = await this.db.query<JobRow>(
      `INSERT INTO training_jobs (id, user_id, model_id, dataset_id, base_model_id, status, config, metrics)
       VALUES ($1, $2, $3, $4, $5, 'queued', $6::jsonb, $7::jsonb) RETURNING ${JOB}`,
      [j.id, j.userId, j.modelId, j.datasetId, j.baseModelId, JSON.stringify(j.config), JSON.stringify(emptyMetrics())],
    );
    return r.rows[0]!;
  }

  /**
   * The fence of a worker's writes: locks the job row until the transaction ends, and only while `workerId` still
   * holds it. False once another worker has claimed it (this one stalled past its lease) or it went back to the
   * queue: then nothing this worker's run reports may be written.
   */
  async lockOwned(id: string, workerId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM training_jobs WHERE id = $1 AND worker_id = $2 FOR UPDATE', [id, workerId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Locks the user's dataset against deletion until the transaction ends; false when it is gone. */
  async lockDataset(id: string, userId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM datasets WHERE id = $1 AND user_id = $2 FOR SHARE', [id, userId]);
    return r.rowCount === 1;
  }

  /** Locks the owner's trained model against deletion until the transaction ends; false when it is gone. */
  async lockTrainedModel(id: string, ownerId: string): Promise<boolean> {
    const r = await this.db.query(`SELECT 1 FROM models WHERE id = $1 AND source = 'trained' AND owner_id = $2 FOR SHARE`, [id, ownerId]);
    return r.rowCount === 1;
  }

  /** The job, or null; with userId, only that user's job (another user's is the same as a missing one). */
  async getJob(id: string, userId?: string): Promise<JobRow | null> {
    const r = await this.db.query<JobRow>(`SELECT ${JOB} FROM training_jobs WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)`, [id, userId ?? null]);
    return r.rows[0] ?? null;
  }

  async listJobs(userId: string, statuses: TrainingStatus[] | null, limit: number, offset: number): Promise<{ rows: JobRow[]; total: number }> {
    const where = 'user_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))';
    const [rows, total] = await Promise.all([
      this.db.query<JobRow>(`SELECT ${JOB} FROM training_jobs WHERE ${where} ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`, [userId, statuses, limit, offset]),
      this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM training_jobs WHERE ${where}`, [userId, statuses]),
    ]);
    return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
  }

  /**
   * Moves a job from one of `from` to `to`; null when it was in another state (someone else moved it first) or, with
   * `owner`, when another worker holds it now (the move reports a run of `owner`'s).
   */
  async transition(id: string, from: readonly TrainingStatus[], to: TrainingStatus, owner?: string): Promise<JobRow | null> {
    const finished = ['completed', 'failed', 'cancelled'].includes(to);
    const r = await this.db.query<JobRow>(
      `UPDATE training_jobs SET status = $3,
         worker_id = CASE WHEN $3 = 'queued' THEN NULL ELSE worker_id END,
         finished_at = CASE WHEN $4 THEN now() ELSE finished_at END,
         metrics = CASE WHEN $3 IN ('running', 'pausing') THEN metrics ELSE jsonb_set(metrics, '{current}', 'null') END
       WHERE id = $1 AND status = ANY($2::text[]) AND ${OWNED_BY('$5')} RETURNING ${JOB}`,
      [id, from, to, finished, owner ?? null],
    );
    return r.rows[0] ?? null;
  }

  /**
   * Marks the job running on this worker: a queued one, or a running one whose worker is dead (its lease ran out),
   * which then continues from its latest checkpoint. Null when it is not this worker's to run.
   */
  async claim(id: string, workerId: string, leaseMs: number): Promise<JobRow | null> {
    const r = await this.db.query<JobRow>(
      `UPDATE training_jobs SET status = 'running', worker_id = $2, started_at = COALESCE(started_at, now()), error = NULL, error_code = NULL
       WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND NOT ${liveOwnerSql('training_jobs', '$3::int')}))
       RETURNING ${JOB}`,
      [id, workerId, leaseMs],
    );
    return r.rows[0] ?? null;
  }

  /**
   * Jobs left running (or pausing) by a worker that is gone come back paused, to resume from their last checkpoint
   * (one process after a restart); with an id, only that job and only when it was pausing (its pause is honoured).
   */
  async pauseInterrupted(leaseMs: number, pausingId?: string): Promise<JobRow[]> {
    const r = await this.db.query<JobRow>(
      `UPDATE training_jobs SET status = 'paused', metrics = jsonb_set(metrics, '{current}', 'null')
       WHERE (($2::uuid IS NULL AND status IN ('running', 'pausing')) OR (id = $2 AND status = 'pausing'))
         AND NOT ${liveOwnerSql('training_jobs', '$1::int')} RETURNING ${JOB}`,
      [leaseMs, pausingId ?? null],
    );
    return r.rows;
  }

  /** The statuses of these jobs now (a worker re-reads those it runs). */
  async statusesOf(ids: string[]): Promise<Map<string, TrainingStatus>> {
    const r = await this.db.query<{ id: string; status: TrainingStatus }>(`SELECT id, status FROM training_jobs WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(r.rows.map((x) => [x.id, x.status]));
  }

  /** False when nothing was written: with `owner`, another worker holds the job now. */
  async mergeMetrics(id: string, patch: Partial<TrainingMetrics>, owner?: string): Promise<boolean> {
    const r = await this.db.query(`UPDATE training_jobs SET metrics = metrics || $2::jsonb WHERE id = $1 AND ${OWNED_BY('$3')}`, [id, JSON.stringify(patch), owner ?? null]);
    return (r.rowCount ?? 0) > 0;
  }

  /** False when another worker than `owner` holds the job now (nothing is written). */
  async saveProgress(id: string, current: TrainingProgressState, owner: string): Promise<boolean> {
    const r = await this.db.query(`UPDATE training_jobs SET progress = $2, metrics = jsonb_set(metrics, '{current}', $3::jsonb) WHERE id = $1 AND ${OWNED_BY('$4')}`, [
      id,
      current.progress,
      JSON.stringify(current),
      owner,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Appends an epoch to the metric history (replacing a row of the same epoch, from a re-run after a crash). */
  async appendEpoch(id: string, progress: number, epoch: EpochMetrics): Promise<void> {
    await this.db.query(
      `UPDATE training_jobs SET progress = $2, metrics = jsonb_set(metrics, '{history}',
         COALESCE((SELECT jsonb_agg(h ORDER BY (h->>'epoch')::int) FROM jsonb_array_elements(metrics->'history') h
                   WHERE (h->>'epoch')::int < ($3::jsonb->>'epoch')::int), '[]'::jsonb) || jsonb_build_array($3::jsonb))
       WHERE id = $1`,
      [id, progress, JSON.stringify(epoch)],
    );
  }

  /** Keeps the history up to `epoch` (what the checkpoint being resumed from has seen). */
  async truncateHistory(id: string, epoch: number, progress: number): Promise<void> {
    await this.db.query(
      `UPDATE training_jobs SET progress = $3, metrics = jsonb_set(metrics, '{history}',
         COALESCE((SELECT jsonb_agg(h ORDER BY (h->>'epoch')::int) FROM jsonb_array_elements(metrics->'history') h
                   WHERE (h->>'epoch')::int <= $2), '[]'::jsonb))
       WHERE id = $1`,
      [id, epoch, progress],
    );
  }

  /** Null when the job already ended, or (with `owner`) another worker holds it now. */
  async fail(id: string, code: ErrorCode, message: string, owner?: string): Promise<JobRow | null> {
    const r = await this.db.query<JobRow>(
      `UPDATE training_jobs SET status = 'failed', error = $2, error_code = $3, finished_at = now(), metrics = jsonb_set(metrics, '{current}', 'null')
       WHERE id = $1 AND status NOT IN ('completed', 'cancelled') AND ${OWNED_BY('$4')} RETURNING ${JOB}`,
      [id, message, code, owner ?? null],
    );
    return r.rows[0] ?? null;
  }

  async complete(id: string, patch: Partial<TrainingMetrics>): Promise<JobRow | null> {
    const r = await this.db.query<JobRow>(
      `UPDATE training_jobs SET status = 'completed', progress = 100, finished_at = now(),
         metrics = jsonb_set(metrics || $2::jsonb, '{current}', 'null')
       WHERE id = $1 AND status IN ('running', 'pausing') RETURNING ${JOB}`,
      [id, JSON.stringify(patch)],
    );
    return r.rows[0] ?? null;
  }

  /** Records a checkpoint (one per epoch) and re-marks the best: lowest validation loss, else lowest loss. */
  async upsertCheckpoint(c: { jobId: string; epoch: number; step: number; metrics: EpochMetrics; filePath: string; sizeBytes: number }): Promise<CheckpointRow> {
    const m = c.metrics;
    await this.db.query(
      `INSERT INTO checkpoints (training_job_id, epoch, step, loss, accuracy, val_loss, val_accuracy, file_path, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
       ON CONFLICT (training_job_id, epoch) DO UPDATE SET step = EXCLUDED.step, loss = EXCLUDED.loss, accuracy = EXCLUDED.accuracy,
         val_loss = EXCLUDED.val_loss, val_accuracy = EXCLUDED.val_accuracy, file_path = EXCLUDED.file_path,
         metadata = EXCLUDED.metadata, created_at = now()`,
      [c.jobId, c.epoch, c.step, m.loss, m.accuracy, m.valLoss, m.valAccuracy, c.filePath, JSON.stringify({ partial: m.partial, sizeBytes: c.sizeBytes, metrics: m })],
    );
    const r = await this.db.query<CheckpointRow>(
      `UPDATE checkpoints SET is_best = (id = (
         SELECT id FROM checkpoints WHERE training_job_id = $1
         ORDER BY (val_loss IS NULL), COALESCE(val_loss, loss) ASC NULLS LAST, epoch LIMIT 1))
       WHERE training_job_id = $1 RETURNING ${CHECKPOINT}`,
      [c.jobId],
    );
    return r.rows.find((row) => row.epoch === c.epoch)!;
  }

  async listCheckpoints(jobId: string): Promise<CheckpointRow[]> {
    const r = await this.db.query<CheckpointRow>(`SELECT ${CHECKPOINT} FROM checkpoints WHERE training_job_id = $1 ORDER BY epoch`, [jobId]);
    return r.rows;
  }

  async latestCheckpoint(jobId: string): Promise<CheckpointRow | null> {
    const r = await this.db.query<CheckpointRow>(`SELECT ${CHECKPOINT} FROM checkpoints WHERE training_job_id = $1 ORDER BY epoch DESC LIMIT 1`, [jobId]);
    return r.rows[0] ?? null;
  }

  /** A trained model of this owner (hub models and other users' models are not found). */
  async getTrainedModel(id: string, ownerId: string): Promise<TrainedModelRow | null> {
    const r = await this.db.query<TrainedModelRow>(`SELECT ${MODEL} FROM models WHERE id = $1 AND source = 'trained' AND owner_id = $2`, [id, ownerId]);
    return r.rows[0] ?? null;
  }

  /** The owner's ready trained models (imported ones too), newest first. */
  async listReadyTrainedModels(ownerId: string): Promise<TrainedModelRow[]> {
    const r = await this.db.query<TrainedModelRow>(
      `SELECT ${MODEL} FROM models WHERE source = 'trained' AND owner_id = $1 AND status = 'ready' ORDER BY created_at DESC, id`,
      [ownerId],
    );
    return r.rows;
  }

  /** A model from an exported archive: ready at once, with the archive's manifest kept as it came. */
  async insertImportedModel(m: { id: string; name: string; task: string; ownerId: string; filePath: string; sizeBytes: number; metadata: object; manifest: object }): Promise<TrainedModelRow> {
    const r = await this.db.query<TrainedModelRow>(
      `INSERT INTO models (id, name, type, status, source, owner_id, file_path, size_mb, metadata, imported_at, import_manifest)
       VALUES ($1, $2, $3, 'ready', 'trained', $4, $5, $6, $7::jsonb, now(), $8::jsonb) RETURNING ${MODEL}`,
      [m.id, m.name, m.task, m.ownerId, m.filePath, m.sizeBytes / (1024 * 1024), JSON.stringify(m.metadata), JSON.stringify(m.manifest)],
    );
    return r.rows[0]!;
  }

  async getModel(id: string): Promise<TrainedModelRow | null> {
    const r = await this.db.query<TrainedModelRow>(`SELECT ${MODEL} FROM models WHERE id = $1 AND source = 'trained'`, [id]);
    return r.rows[0] ?? null;
  }

  async setModelStatus(id: string, status: TrainedModelRow['status'], metadataPatch: object = {}): Promise<void> {
    await this.db.query(`UPDATE models SET status = $2, metadata = metadata || $3::jsonb WHERE id = $1 AND source = 'trained'`, [id, status, JSON.stringify(metadataPatch)]);
  }

  async modelReady(id: string, sizeBytes: number, metadataPatch: object): Promise<void> {
    await this.db.query(
      `UPDATE models SET status = 'ready', size_mb = $2, metadata = metadata || $3::jsonb WHERE id = $1 AND source = 'trained'`,
      [id, sizeBytes / (1024 * 1024), JSON.stringify(metadataPatch)],
    );
  }

  async deleteModel(id: string): Promise<void> {
    await this.db.query(`DELETE FROM models WHERE id = $1 AND source = 'trained'`, [id]);
  }

  /** The job's evaluation of the model it saved (a re-run replaces it). */
  async saveJobEvaluation(e: { modelId: string; jobId: string; datasetId: string | null; split: 'validation' | 'training'; report: ClassificationReport }): Promise<void> {
    await this.db.query(
      `INSERT INTO model_evaluations (model_id, training_job_id, dataset_id, split, rows, accuracy, macro_f1, report)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (training_job_id) WHERE training_job_id IS NOT NULL DO UPDATE SET model_id = EXCLUDED.model_id,
         dataset_id = EXCLUDED.dataset_id, split = EXCLUDED.split, rows = EXCLUDED.rows, accuracy = EXCLUDED.accuracy,
         macro_f1 = EXCLUDED.macro_f1, report = EXCLUDED.report, created_at = now()`,
      [e.modelId, e.jobId, e.datasetId, e.split, e.report.rows, e.report.accuracy, e.report.macroF1, JSON.stringify(e.report)],
    );
  }

  /** An evaluation of a model on a dataset (kept with the model; each run adds one). */
  async saveDatasetEvaluation(e: { modelId: string; datasetId: string; report: ClassificationReport }): Promise<EvaluationRow> {
    const r = await this.db.query<EvaluationRow>(
      `INSERT INTO model_evaluations (model_id, dataset_id, split, rows, accuracy, macro_f1, report)
       VALUES ($1, $2, 'dataset', $3, $4, $5, $6::jsonb) RETURNING ${EVALUATION}`,
      [e.modelId, e.datasetId, e.report.rows, e.report.accuracy, e.report.macroF1, JSON.stringify(e.report)],
    );
    return r.rows[0]!;
  }

  /** An evaluation that came with an imported model: its split and date as the archive recorded them, no job or dataset here. */
  async insertImportedEvaluation(e: { modelId: string; split: EvaluationRow['split']; datasetName: string | null; report: ClassificationReport; createdAt: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO model_evaluations (model_id, split, dataset_name, rows, accuracy, macro_f1, report, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [e.modelId, e.split, e.datasetName, e.report.rows, e.report.accuracy, e.report.macroF1, JSON.stringify(e.report), e.createdAt],
    );
  }

  /** The model's evaluations, oldest first, with the name of each one's dataset (the archive's for an imported one; null when gone). */
  async exportEvaluations(modelId: string): Promise<ExportedEvaluationRow[]> {
    const r = await this.db.query<ExportedEvaluationRow>(
      `SELECT e.id, e.model_id, e.training_job_id, e.dataset_id, e.split, e.report, e.created_at, COALESCE(d.name, e.dataset_name) AS dataset_name
       FROM model_evaluations e LEFT JOIN datasets d ON d.id = e.dataset_id
       WHERE e.model_id = $1 ORDER BY e.created_at, e.id`,
      [modelId],
    );
    return r.rows;
  }

  async modelEvaluations(modelId: string): Promise<EvaluationRow[]> {
    const r = await this.db.query<EvaluationRow>(`SELECT ${EVALUATION} FROM model_evaluations WHERE model_id = $1 ORDER BY created_at DESC, id`, [modelId]);
    return r.rows;
  }

  async jobEvaluation(jobId: string): Promise<EvaluationRow | null> {
    const r = await this.db.query<EvaluationRow>(`SELECT ${EVALUATION} FROM model_evaluations WHERE training_job_id = $1`, [jobId]);
    return r.rows[0] ?? null;
  }
}
