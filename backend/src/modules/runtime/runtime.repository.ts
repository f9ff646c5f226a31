import type { ModelStatus, OnnxVariant, OnnxVariantFile, RunPipeline, RuntimeReasonCode, TextPreparation } from '@sokhan/common';
import type { Queryable } from '../../platform/db/pool.js';

/** A model_runtime row as to_jsonb gives it (timestamps as ISO strings). */
export interface RuntimeRow {
  model_id: string;
  inspector_version: number;
  runnable: boolean;
  pipelines: RunPipeline[];
  variants: OnnxVariantFile[];
  default_variant: OnnxVariant | null;
  details: RuntimeDetails;
  reason_code: RuntimeReasonCode | null;
  reason: string | null;
  checked_at: string;
}

/** What a runnable model's inspection keeps besides its pipelines and files. */
export interface RuntimeDetails {
  text?: TextPreparation;
  maskToken?: string | null;
  hiddenSize?: number | null;
  samplingRate?: number | null;
  /** Weights in `onnx/model*.onnx_data` beside the graph. */
  externalData?: boolean;
}

export interface HubModelForRun {
  id: string;
  repo_id: string;
  revision: string | null;
  status: ModelStatus;
  file_path: string | null;
  metadata: Record<string, unknown>;
  runtime: RuntimeRow | null;
}

export type InspectionResult =
  | { runnable: true; pipelines: RunPipeline[]; variants: OnnxVariantFile[]; defaultVariant: OnnxVariant; details: RuntimeDetails }
  | { runnable: false; reasonCode: RuntimeReasonCode; reason: string };

const RUNTIME_JSON = `(SELECT to_jsonb(r) FROM model_runtime r WHERE r.model_id = m.id) AS runtime`;

/** The SQL of model inspections (model_runtime) and the installed Hub models they describe. */
export class RuntimeRepository {
  constructor(private readonly db: Queryable) {}

  async findHubModel(id: string): Promise<HubModelForRun | null> {
    const r = await this.db.query<HubModelForRun>(
      `SELECT m.id, m.repo_id, m.revision, m.status, m.file_path, m.metadata, ${RUNTIME_JSON}
         FROM models m WHERE m.id = $1 AND m.source = 'hub'`,
      [id],
    );
    return r.rows[0] ?? null;
  }

  /** Ready installs of one repository at one revision, newest first. */
  async installedIdsOf(repoId: string, revision: string | null): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      `SELECT id FROM models WHERE source = 'hub' AND status = 'ready' AND repo_id = $1 AND revision IS NOT DISTINCT FROM $2 ORDER BY created_at DESC, id`,
      [repoId, revision],
    );
    return r.rows.map((x) => x.id);
  }

  async runtimesOf(modelIds: string[]): Promise<RuntimeRow[]> {
    if (modelIds.length === 0) return [];
    const r = await this.db.query<{ row: RuntimeRow }>(`SELECT to_jsonb(r) AS row FROM model_runtime r WHERE r.model_id = ANY($1::uuid[])`, [modelIds]);
    return r.rows.map((x) => x.row);
  }

  /** Ready Hub models this inspector version has not inspected (never, or by an older version). */
  async uninspected(version: number): Promise<HubModelForRun[]> {
    const r = await this.db.query<HubModelForRun>(
      `SELECT m.id, m.repo_id, m.revision, m.status, m.file_path, m.metadata, NULL::jsonb AS runtime
         FROM models m LEFT JOIN model_runtime r ON r.model_id = m.id
        WHERE m.source = 'hub' AND m.status = 'ready' AND m.file_path IS NOT NULL AND (r.model_id IS NULL OR r.inspector_version < $1)
        ORDER BY m.created_at, m.id`,
      [version],
    );
    return r.rows;
  }

  /** Keeps an inspection (nothing when the model row is gone meanwhile: deleted, or its install cancelled). */
  async save(modelId: string, version: number, result: InspectionResult): Promise<void> {
    const v = result.runnable
      ? [true, result.pipelines, JSON.stringify(result.variants), result.defaultVariant, JSON.stringify(result.details), null, null]
      : [false, [], '[]', null, '{}', result.reasonCode, result.reason];
    await this.db.query(
      `INSERT INTO model_runtime (model_id, inspector_version, runnable, pipelines, variants, default_variant, details, reason_code, reason, checked_at)
       SELECT m.id, $2, $3, $4::text[], $5::jsonb, $6, $7::jsonb, $8, $9, now() FROM models m WHERE m.id = $1
       ON CONFLICT (model_id) DO UPDATE SET inspector_version = EXCLUDED.inspector_version, runnable = EXCLUDED.runnable,
         pipelines = EXCLUDED.pipelines, variants = EXCLUDED.variants, default_variant = EXCLUDED.default_variant,
         details = EXCLUDED.details, reason_code = EXCLUDED.reason_code, reason = EXCLUDED.reason, checked_at = EXCLUDED.checked_at`,
      [modelId, version, ...v],
    );
  }
}
