import type { Checkpoint, EncoderRef, FinalTrainingMetrics, InputColumn, LabelNames, LayerConfig, ModelEvaluation, ModelInput, ModelFile, TrainedModel, TrainingJob, TrainingMetrics, TrainingTask } from '@sokhan/common';
import type { CheckpointRow, EvaluationRow, JobRow, TrainedModelRow } from './training.repository.js';

/** What a trained model's metadata holds: set at job creation, completed when the job finishes. */
export interface TrainedModelMetadata {
  task: TrainingTask;
  /** Null for an imported model (it was trained elsewhere). */
  datasetId: string | null;
  trainingJobId: string | null;
  baseModelId: string | null;
  textColumn: string | null;
  featureColumns: string[];
  labelColumn: string;
  layers: LayerConfig[];
  /** How the network reads its features (absent: dense, from before the sparse input). */
  input?: ModelInput;
  inputs?: InputColumn[];
  labels?: string[] | null;
  /** Display names of the classes (the job config's labelNames). */
  labelNames?: LabelNames;
  files?: ModelFile[];
  metrics?: FinalTrainingMetrics;
  featureDim?: number;
  parameters?: number;
  backend?: string;
  /** A model on an encoder: which installed model, how it embeds, and the files a browser loads of it. */
  encoder?: ModelEncoderMetadata;
}

export interface ModelEncoderMetadata extends EncoderRef {
  /** The installed model the job was created on. */
  installedId: string;
  /** The embedding length (config's hidden size at creation; the measured one once trained). */
  dim: number | null;
  files: string[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toJob(r: JobRow): TrainingJob {
  const history = r.metrics.history ?? [];
  return {
    id: r.id,
    status: r.status,
    progress: Number(r.progress),
    name: r.config.name ?? '',
    task: r.config.task,
    datasetId: r.dataset_id,
    modelId: r.model_id,
    baseModelId: r.base_model_id,
    epochsCompleted: history.at(-1)?.epoch ?? 0,
    latest: history.at(-1) ?? null,
    error: r.error ? { code: r.error_code ?? 'TRAINING_FAILED', message: r.error } : null,
    backend: r.metrics.backend ?? null,
    config: r.config,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** The stored metrics with `best` (lowest validation loss in the history) filled in. */
export function toMetrics(r: JobRow): TrainingMetrics {
  let best: TrainingMetrics['best'] = null;
  for (const h of r.metrics.history ?? []) {
    if (h.valLoss !== null && (best === null || h.valLoss < best.valLoss)) best = { epoch: h.epoch, valLoss: h.valLoss };
  }
  return { ...r.metrics, best };
}

export function toCheckpoint(r: CheckpointRow): Checkpoint {
  return {
    id: r.id,
    jobId: r.training_job_id,
    epoch: r.epoch,
    step: r.step,
    loss: r.loss,
    accuracy: r.accuracy,
    valLoss: r.val_loss,
    valAccuracy: r.val_accuracy,
    best: r.is_best,
    partial: r.metadata.partial ?? false,
    sizeBytes: r.metadata.sizeBytes ?? 0,
    createdAt: r.created_at.toISOString(),
  };
}

export function toTrainedModel(r: TrainedModelRow): TrainedModel {
  const m = r.metadata as unknown as TrainedModelMetadata;
  return {
    id: r.id,
    name: r.name,
    status: r.status === 'downloading' ? 'pending' : r.status,
    task: m.task,
    inputs: m.inputs ?? [],
    labels: m.labels ?? null,
    labelNames: m.labelNames ?? null,
    files: m.files ?? [],
    metrics: m.metrics ?? null,
    datasetId: m.datasetId ?? null,
    trainingJobId: m.trainingJobId ?? null,
    createdAt: r.created_at.toISOString(),
    importedAt: iso(r.imported_at),
    // The installed model it reads through now (the one recorded may have been reinstalled, or removed).
    encoder: m.encoder ? { ...m.encoder, installedId: r.encoder_installed_id, dim: m.encoder.dim ?? 0 } : null,
  };
}

export function toEvaluation(r: EvaluationRow): ModelEvaluation {
  return {
    id: r.id,
    modelId: r.model_id,
    trainingJobId: r.training_job_id,
    datasetId: r.dataset_id,
    split: r.split,
    report: r.report,
    createdAt: r.created_at.toISOString(),
  };
}
