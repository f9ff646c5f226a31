import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import {
  FEATURE_DEFAULTS,
  TRAINING_DEFAULTS,
  defaultTextBuckets,
  TRAINING_LIMITS,
  trainingConfigSchema,
  type CheckpointListResponse,
  type DatasetColumn,
  type ErrorCode,
  type FieldIssue,
  type LabelNames,
  type TrainingConfig,
  type TrainingConfigInput,
  type TrainingJobDetail,
  type TrainingListQuery,
  type TrainingListResponse,
  type TrainingStatus,
  type ValueCount,
} from '@sokhan/common';
import { withTransaction, type Pool } from '../../platform/db/pool.js';
import { AppError, conflict, notFound } from '../../platform/http/errors.js';
import { parse } from '../../platform/http/validate.js';
import type { Logger } from '../../platform/logger.js';
import { QueueStoppingError, type JobQueue } from '../../platform/queue/job-queue.js';
import type { JobControlMessage } from '../../platform/queue/jobs.js';
import { QueueRepository } from '../../platform/queue/queue.repository.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import type { DatasetsService } from '../datasets/datasets.service.js';
import { removeTempFolders } from './model-io.js';
import { countParameters, outputUnits } from './network.js';
import type { TfPreference } from './tf-backend.js';
import { checkpointDirName, type TrainerEvent } from './trainer.js';
import type { RuntimeService } from '../runtime/runtime.service.js';
import { removePartialEmbeddings } from './embedding-cache.js';
import type { EncoderJob } from './embedding-phase.js';
import { toCheckpoint, toEvaluation, toJob, toMetrics, toTrainedModel, type ModelEncoderMetadata, type TrainedModelMetadata } from './training.presenter.js';
import { TrainingRepository, type JobRow } from './training.repository.js';
import { TrainingRunner, type StopRequest } from './training.runner.js';
import type { WorkerInput, WorkerMessage } from './worker-protocol.js';

export interface TrainingDeps {
  pool: Pool;
  datasets: DatasetsService;
  notifier: Notifier;
  logger: Logger;
  paths: { models: string; checkpoints: string };
  /** Jobs this process trains at once (TRAINING_CONCURRENCY). */
  concurrency: number;
  tfPreference: TfPreference;
  /** The job queue: decides which worker runs each job, and carries pause and cancel to it. */
  queue: JobQueue;
  /**
   * A worker among several (role worker): a stop hands its running jobs back to the queue for another worker to
   * continue from their checkpoints. One process (role all): a stop pauses them and a start pauses jobs it finds
   * orphaned, as a restart of the one process always did.
   */
  handover?: boolean;
  /** Memory a job may hold encoded rows in (its shuffle buffer); also bounds one dense batch. */
  maxFeatureBytes?: number;
  /** Starts a job's worker thread (default: the runner's spawnWorker). */
  spawnWorker?: (input: WorkerInput) => Worker;
  /** Installed encoders a job may read its text through (the runtime's); without it, jobs on an encoder are refused. */
  encoders?: Pick<RuntimeService, 'encoder' | 'encoderFiles'>;
  /** MODELS_DIR, where installed encoders live. */
  modelsRoot?: string;
  /** onnxruntime threads a job's encoder gets while it embeds. */
  encoderThreads?: number;
}

/** A dataset's embedding caches live beside its file, so they go when it goes. */
const embeddingsDir = (datasetFile: string) => path.join(path.dirname(datasetFile), 'embeddings');

/** Parameters are counted with this embedding length when an encoder's config does not say its hidden size. */
const DEFAULT_EMBEDDING_DIM = 768;

/** 64 MB shuffles ~50,000 SentiPers-sized sparse rows at once; bigger files stream through it. */
const DEFAULT_MAX_FEATURE_BYTES = 64 * 2 ** 20;

const invalid = (issues: FieldIssue[]) => new AppError(400, 'VALIDATION_FAILED', 'request is not valid', issues);
const issue = (p: string, message: string): FieldIssue => ({ path: p, message, code: 'custom' });

/**
 * Class names must name classes of the label column: its values are known from the dataset's class counts (its
 * own label column) or the column's most frequent values when those are all of them; otherwise only their count.
 */
function labelNameProblems(names: LabelNames, label: DatasetColumn, dataset: { labelColumn: string | null; classCounts: ValueCount[] | null }): FieldIssue[] {
  const keys = Object.keys(names);
  const counted = dataset.labelColumn === label.name ? dataset.classCounts : null;
  const listed = !label.distinctCapped && label.topValues && label.topValues.length >= label.distinct ? label.topValues : null;
  const values = (counted ?? listed)?.map((v) => v.value);
  if (values) {
    const known = new Set(values);
    const unknown = keys.filter((k) => !known.has(k));
    if (unknown.length) return [issue('labelNames', `${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length === 1 ? 'is not a class' : 'are not classes'} of "${label.name}" (classes: ${values.slice(0, 20).join(', ')})`)];
  }
  if (!label.distinctCapped && keys.length > label.distinct) return [issue('labelNames', `${keys.length} names for ${label.distinct} classes`)];
  return [];
}

/**
 * Training jobs: creation with checks against the dataset, the queue and its worker threads, pause / resume /
 * cancel, checkpoints and the trained model. The row is the state; every change is saved, then sent to the
 * owner's room.
 */
export class TrainingService {
  private readonly repo: TrainingRepository;
  private readonly runner: TrainingRunner;

  constructor(private readonly deps: TrainingDeps) {
    this.repo = new TrainingRepository(deps.pool);
    this.runner = new TrainingRunner({
      tfPreference: deps.tfPreference,
      logger: deps.logger,
      spawn: deps.spawnWorker,
      hooks: {
        onMessage: (jobId, msg) => this.onWorkerMessage(jobId, msg),
        onLost: (jobId, info) => this.onWorkerLost(jobId, info),
      },
    });
    deps.queue.register('training', {
      concurrency: deps.concurrency,
      run: (jobId) => this.runQueued(jobId),
      control: (msg) => this.onControl(msg),
      check: () => this.checkRunning(),
      rows: { table: 'training_jobs', active: ['queued', 'running'] },
    });
  }

  /** models/trained/<modelId>: where a job's final model goes and where its files are served from. */
  modelDir(modelId: string): string {
    return path.join(this.deps.paths.models, 'trained', modelId);
  }

  private jobCheckpointsDir(jobId: string): string {
    return path.join(this.deps.paths.checkpoints, jobId);
  }

  // ---- the service methods the specification names ----

  /**
   * Validates the config against the dataset (and, for fine-tuning, the base model), then records the job
   * (queued) and the model row it will produce. 400 for a bad config, 404 for another user's dataset or model.
   */
  async createTrainingJob(userId: string, modelId: string | null, input: TrainingConfigInput | TrainingConfig): Promise<TrainingJobDetail> {
    const config = parse(trainingConfigSchema, input);
    const { record } = await this.deps.datasets.forTraining(userId, config.datasetId);
    const columns = new Map(record.metadata.columns.map((c) => [c.name, c]));
    const problems: FieldIssue[] = [];
    const known = (name: string, p: string) => columns.has(name) || problems.push(issue(p, `the dataset has no column "${name}"`));
    if (config.textColumn) known(config.textColumn, 'textColumn');
    config.featureColumns.forEach((c, i) => known(c.name, `featureColumns.${i}.name`));
    known(config.labelColumn, 'labelColumn');
    if (problems.length) throw invalid(problems);

    const label = columns.get(config.labelColumn)!;
    if (config.task === 'tabular-regression') {
      if (label.type !== 'number') problems.push(issue('labelColumn', `regression needs a number column; "${label.name}" is ${label.type}`));
    } else if (!label.distinctCapped && label.distinct < 2) {
      problems.push(issue('labelColumn', `"${label.name}" has ${label.distinct} class; classification needs at least two`));
    }
    const featureColumns = config.featureColumns.map((c) => ({ name: c.name, kind: c.kind ?? (columns.get(c.name)!.type === 'number' ? ('number' as const) : ('category' as const)) }));
    const base = modelId ? await this.baseModel(userId, modelId, config) : null;
    const encoder = await this.jobEncoder(config, base);
    const layers = base?.layers ?? config.layers;
    const modelInput = encoder ? 'dense' : (base?.input ?? config.input ?? (config.task === 'text-classification' ? 'sparse' : 'dense'));
    const defaultBuckets = defaultTextBuckets(modelInput, layers);
    const textDim = encoder ? (encoder.dim ?? DEFAULT_EMBEDDING_DIM) : (config.textFeatures?.buckets ?? defaultBuckets);
    const inputDim =
      (config.textColumn ? textDim : 0) +
      featureColumns.reduce((n, c) => n + (c.kind === 'number' ? 1 : Math.min(columns.get(c.name)!.distinct, FEATURE_DEFAULTS.maxCategories) + 1), 0);
    const classes = config.task === 'tabular-regression' ? 1 : Math.max(2, label.distinct);
    if (config.labelNames) problems.push(...labelNameProblems(config.labelNames, label, record.metadata));
    const parameters = countParameters(layers, inputDim, outputUnits(config.task, classes));
    if (parameters > TRAINING_LIMITS.maxParameters) {
      problems.push(issue('layers', `the network would have about ${parameters} weights (at most ${TRAINING_LIMITS.maxParameters}); use fewer units or text buckets`));
    }
    if (problems.length) throw invalid(problems);

    const stored: TrainingConfig = {
      ...config,
      name: config.name ?? `${record.name} · ${new Date().toISOString().slice(0, 10)}`,
      seed: config.seed ?? randomInt(0, TRAINING_LIMITS.maxSeed),
      featureColumns,
      layers,
      input: modelInput,
      ...(encoder ? { encoder: { modelId: encoder.installedId, pooling: encoder.pooling } } : {}),
      // A fine-tuned model keeps its base model's class names unless new ones are given.
      ...(config.labelNames ?? base?.labelNames ? { labelNames: config.labelNames ?? base?.labelNames } : {}),
      // On by default, on validation loss, whenever rows are held out to watch it on.
      earlyStopping: config.earlyStopping !== undefined ? config.earlyStopping : config.validationSplit > 0 ? { ...TRAINING_DEFAULTS.earlyStopping } : null,
    };
    const jobId = randomUUID();
    const newModelId = randomUUID();
    const metadata: TrainedModelMetadata = {
      task: config.task,
      datasetId: record.id,
      trainingJobId: jobId,
      baseModelId: modelId,
      textColumn: config.textColumn ?? null,
      featureColumns: featureColumns.map((c) => c.name),
      labelColumn: config.labelColumn,
      layers,
      input: modelInput,
      ...(stored.labelNames ? { labelNames: stored.labelNames } : {}),
      ...(encoder ? { encoder } : {}),
    };
    await withTransaction(this.deps.pool, async (client) => {
      const repo = new TrainingRepository(client);
      // Checked above, but either may have been deleted since: hold them until the job row references them.
      if (!(await repo.lockDataset(record.id, userId))) throw notFound('dataset');
      if (modelId && !(await repo.lockTrainedModel(modelId, userId))) throw notFound('model');
      await repo.insertModel({ id: newModelId, name: stored.name!, task: config.task, ownerId: userId, filePath: this.modelDir(newModelId), metadata });
      await repo.insertJob({ id: jobId, userId, modelId: newModelId, datasetId: record.id, baseModelId: modelId, config: stored });
      await new QueueRepository(client).enqueue({ kind: 'training', id: jobId });
    });
    this.deps.logger.info({ jobId, userId, datasetId: record.id, baseModelId: modelId }, 'training job created');
    return this.getTrainingStatus(jobId);
  }

  /**
   * Lets the queue pick the job up (it runs when a slot is free). A job the queue already picked up (running)
   * counts as started; 409 for any other state.
   */
  async startTraining(jobId: string, userId?: string): Promise<TrainingJobDetail> {
    const job = await this.requireJob(jobId, userId);
    if (job.status === 'running') return this.getTrainingStatus(jobId);
    if (job.status !== 'queued') throw conflict(`the job is ${job.status}, not queued`, 'INVALID_STATE');
    // It has been in the queue since it was created; the next free worker picks it up.
    await this.emitStatus(job);
    return this.getTrainingStatus(jobId);
  }

  /** Running: stops after the current batch, saves a checkpoint, then paused. Queued: paused at once. */
  async pauseTraining(jobId: string, userId?: string): Promise<TrainingJobDetail> {
    const job = await this.requireJob(jobId, userId);
    if (job.status === 'pausing' || job.status === 'paused') return this.getTrainingStatus(jobId);
    const queued = await this.repo.transition(jobId, ['queued'], 'paused');
    if (queued) {
      await new QueueRepository(this.deps.pool).dequeue('training', jobId);
      await this.emitStatus(queued);
      return this.getTrainingStatus(jobId);
    }
    const running = await this.repo.transition(jobId, ['running'], 'pausing');
    if (!running) throw conflict(`a ${job.status} job cannot be paused`, 'INVALID_STATE');
    await this.emitStatus(running);
    if (await this.signalWorker(jobId, 'pause')) return this.getTrainingStatus(jobId);
    // Another worker runs it: it pauses at its next batch and saves the row; a dead one's row is settled here.
    if (await this.runsElsewhere(jobId)) await this.deps.queue.send({ kind: 'training', id: jobId, action: 'pause' });
    else await this.settleUntracked(jobId, 'paused');
    return this.getTrainingStatus(jobId);
  }

  /** Paused: queued again; it continues from its latest checkpoint at the next epoch, optimizer state included. */
  async resumeTraining(jobId: string, userId?: string): Promise<TrainingJobDetail> {
    const job = await this.requireJob(jobId, userId);
    if (job.status === 'queued' || job.status === 'running') return this.getTrainingStatus(jobId);
    const resumed = await withTransaction(this.deps.pool, async (client) => {
      const row = await new TrainingRepository(client).transition(jobId, ['paused'], 'queued');
      if (row) await new QueueRepository(client).enqueue({ kind: 'training', id: jobId });
      return row;
    });
    if (!resumed) throw conflict(`a ${job.status} job cannot be resumed`, 'INVALID_STATE');
    await this.emitStatus(resumed);
    return this.getTrainingStatus(jobId);
  }

  /** Stops the job for good (completed checkpoints stay); the model it would have produced is removed. */
  async cancelTraining(jobId: string, userId?: string): Promise<TrainingJobDetail> {
    const job = await this.requireJob(jobId, userId);
    if (job.status === 'cancelled') return this.getTrainingStatus(jobId);
    if (job.status === 'completed' || job.status === 'failed') throw conflict(`the job already ${job.status === 'completed' ? 'completed' : 'failed'}`, 'INVALID_STATE');
    const idle = await this.repo.transition(jobId, ['queued', 'paused'], 'cancelled');
    if (idle) {
      await new QueueRepository(this.deps.pool).dequeue('training', jobId);
      await this.finishCancelled(idle);
    } else if (await this.signalWorker(jobId, 'cancel')) {
      await this.runner.settle(jobId);
    } else {
      // Another worker's job is cancelled here at once (its model goes now); that worker stops at its next batch.
      const elsewhere = await this.runsElsewhere(jobId);
      await this.settleUntracked(jobId, 'cancelled');
      if (elsewhere) await this.deps.queue.send({ kind: 'training', id: jobId, action: 'cancel' });
    }
    return this.getTrainingStatus(jobId);
  }

  /** Status, progress, config, metric history, checkpoints and the model. */
  async getTrainingStatus(jobId: string, userId?: string): Promise<TrainingJobDetail> {
    const job = await this.requireJob(jobId, userId);
    const [checkpoints, model, evaluation] = await Promise.all([
      this.repo.listCheckpoints(jobId),
      job.model_id ? this.repo.getModel(job.model_id) : null,
      this.repo.jobEvaluation(jobId),
    ]);
    return {
      ...toJob(job),
      metrics: toMetrics(job),
      checkpoints: checkpoints.map(toCheckpoint),
      model: model ? toTrainedModel(model) : null,
      evaluation: evaluation ? toEvaluation(evaluation) : null,
    };
  }

  /** Records the checkpoint the worker wrote (one per epoch; the best by validation loss is marked) and the epoch's metrics. */
  // ---- listing ----

  async listJobs(userId: string, q: TrainingListQuery): Promise<TrainingListResponse> {
    const { rows, total } = await this.repo.listJobs(userId, q.status ?? null, q.limit, q.offset);
    return { items: rows.map(toJob), total, limit: q.limit, offset: q.offset };
  }

  async listCheckpoints(jobId: string, userId: string): Promise<CheckpointListResponse> {
    await this.requireJob(jobId, userId);
    return { items: (await this.repo.listCheckpoints(jobId)).map(toCheckpoint) };
  }

  // ---- lifecycle ----

  /**
   * One process (not handover): after a restart no job is left to a worker that is gone; those are paused at their
   * last checkpoint. Among several workers they are the queue's to hand to the next worker instead.
   */
  async start(): Promise<void> {
    if (this.deps.handover) return;
    for (const job of await this.repo.pauseInterrupted(this.deps.queue.lease.leaseMs)) {
      await removeTempFolders(this.jobCheckpointsDir(job.id));
      this.deps.logger.info({ jobId: job.id }, 'training job interrupted by a restart; paused at its last checkpoint');
      await this.emitStatus(job);
    }
  }

  /** Running jobs pause at their next batch with a checkpoint, so the next start can resume them. */
  async stop(): Promise<void> {
    await this.runner.stop();
  }

  // ---- the runner's side ----

  /**
   * The queue handed this process a job: claim its row (queued, or running on a dead worker: then it continues
   * from its latest checkpoint), train, and return once the worker thread has exited. A row that is not ours to
   * run is left as it is; a pausing one whose worker died is paused.
   */
  private async runQueued(jobId: string): Promise<void> {
    if (this.runner.stopping) throw new QueueStoppingError();
    const { instanceId, leaseMs } = this.deps.queue.lease;
    const row = await this.repo.claim(jobId, instanceId, leaseMs);
    if (!row) {
      for (const paused of await this.repo.pauseInterrupted(leaseMs, jobId)) await this.emitStatus(paused);
      return;
    }
    await this.runner.run(jobId, async () => {
      try {
        const job = await this.workerJob(row);
        await this.emitStatus(row);
        return job;
      } catch (err) {
        const e = err instanceof AppError ? err : null;
        await this.failJob(row.id, e?.code === 'NOT_FOUND' ? 'INVALID_DATASET' : e?.code === 'ENCODER_MISSING' ? e.code : 'TRAINING_FAILED', e?.message ?? 'the job could not be prepared', this.me);
        if (!e) this.deps.logger.error({ err, jobId: row.id }, 'training job could not be prepared');
        return null;
      }
    });
  }

  /** Pause or cancel from another instance, for a job this process may run (the row already says which). */
  private onControl(msg: JobControlMessage): void {
    this.runner.request(msg.id, msg.action);
  }

  /** A stop asked of a job running here whose message was lost still lands: its row says pausing or cancelled. */
  private async checkRunning(): Promise<void> {
    const ids = this.runner.activeIds();
    if (!ids.length) return;
    for (const [id, status] of await this.repo.statusesOf(ids)) {
      if (status === 'cancelled') this.runner.request(id, 'cancel');
      else if (status !== 'running') this.runner.request(id, 'pause');
    }
  }

  /** Whether a live worker other than this process runs the job. */
  private runsElsewhere(jobId: string): Promise<boolean> {
    const { instanceId, leaseMs } = this.deps.queue.lease;
    return new QueueRepository(this.deps.pool).runsElsewhere('training_jobs', jobId, instanceId, leaseMs);
  }

  /** The worker's input: dataset file, latest checkpoint to continue from, and the history up to it. */
  private async workerJob(row: JobRow): Promise<WorkerInput['job']> {
    if (!row.dataset_id || !row.model_id) throw notFound('dataset');
    const { record, filePath } = await this.deps.datasets.forTraining(row.user_id, row.dataset_id);
    const checkpointsDir = this.jobCheckpointsDir(row.id);
    await removeTempFolders(checkpointsDir);
    const latest = await this.repo.latestCheckpoint(row.id);
    const epoch = latest?.epoch ?? 0;
    await this.repo.truncateHistory(row.id, epoch, (epoch / row.config.epochs) * 100);
    return {
      jobId: row.id,
      config: row.config,
      dataset: { filePath, format: record.format },
      checkpointsDir,
      modelDir: this.modelDir(row.model_id),
      resume: latest ? { dir: path.join(checkpointsDir, checkpointDirName(latest.epoch)), epoch: latest.epoch, step: latest.step } : null,
      baseModelDir: row.base_model_id ? this.modelDir(row.base_model_id) : null,
      history: (row.metrics.history ?? []).filter((h) => h.epoch <= epoch),
      maxFeatureBytes: this.deps.maxFeatureBytes ?? DEFAULT_MAX_FEATURE_BYTES,
      encoder: await this.workerEncoder(row, embeddingsDir(filePath)),
    };
  }

  /**
   * A job on an encoder gets the installed model as it was at creation: the same repository and revision (the
   * embeddings would differ otherwise); a job whose encoder has been removed meanwhile fails, saying so.
   */
  private async workerEncoder(row: JobRow, cacheDir: string): Promise<EncoderJob | null> {
    const model = row.model_id ? await this.repo.getModel(row.model_id) : null;
    const meta = (model?.metadata as unknown as TrainedModelMetadata | undefined)?.encoder;
    if (!meta) return null;
    const installedId = model?.encoder_installed_id ?? null;
    const found = installedId && this.deps.encoders ? await this.deps.encoders.encoder(installedId, meta.variant).catch(() => null) : null;
    if (!found || !this.deps.modelsRoot) throw new AppError(409, 'ENCODER_MISSING', `the encoder ${meta.repoId} is no longer installed; install it again (revision ${meta.revision ?? 'unknown'}) and train again`);
    const { installedId: _, dim: __, files: ___, ...ref } = meta;
    return { ref, installedId: found.installedId, load: found.load, modelsRoot: this.deps.modelsRoot, cacheDir, threads: this.deps.encoderThreads ?? 1 };
  }

  /**
   * The encoder of a new job: the one the config names (an installed model that runs feature-extraction here), or
   * the base model's when fine-tuning one trained on an encoder (it must be that one). Null for n-gram jobs.
   */
  private async jobEncoder(config: TrainingConfig, base: Pick<TrainedModelMetadata, 'encoder'> | null): Promise<ModelEncoderMetadata | null> {
    const inherited = base?.encoder ?? null;
    if (!config.encoder) return inherited;
    if (base && !inherited) throw invalid([issue('encoder', 'the model to continue from reads n-grams, not an encoder')]);
    if (!this.deps.encoders) throw invalid([issue('encoder.modelId', 'this server runs no encoders')]);
    const found = await this.deps.encoders.encoder(config.encoder.modelId).catch((err: unknown) => {
      const reason = err instanceof AppError ? err.message : 'it cannot be loaded';
      throw invalid([issue('encoder.modelId', err instanceof AppError && err.status === 404 ? 'no installed model has this id' : `this model cannot be an encoder: ${reason}`)]);
    });
    if (inherited && (inherited.repoId !== found.repoId || inherited.revision !== found.revision || inherited.pooling !== config.encoder.pooling)) {
      throw invalid([issue('encoder', `the model to continue from reads ${inherited.repoId} with ${inherited.pooling} pooling`)]);
    }
    return {
      installedId: found.installedId,
      repoId: found.repoId,
      revision: found.revision,
      variant: found.load.variant,
      pooling: config.encoder.pooling,
      normalize: true,
      text: found.text,
      dim: found.hiddenSize,
      files: await this.deps.encoders.encoderFiles(found),
    };
  }

  private async onWorkerMessage(jobId: string, msg: WorkerMessage): Promise<void> {
    switch (msg.type) {
      case 'backend':
        if (!(await this.repo.mergeMetrics(jobId, { backend: msg.backend }, this.me))) this.abandon(jobId);
        return;
      case 'event':
        return this.onTrainerEvent(jobId, msg.event);
      case 'failed':
        if (msg.detail) this.deps.logger.error({ jobId, detail: msg.detail }, 'training failed');
        await this.failJob(jobId, msg.code, msg.message, this.me);
        return;
      case 'done': {
        if (msg.outcome === 'completed') return;
        if (msg.outcome === 'paused' && (await this.handOver(jobId))) return;
        const to: TrainingStatus = msg.outcome === 'paused' ? 'paused' : 'cancelled';
        const row = await this.repo.transition(jobId, ['running', 'pausing'], to, this.me);
        if (row && to === 'cancelled') await this.finishCancelled(row);
        else if (row) await this.emitStatus(row);
        return;
      }
    }
  }

  /** This process's worker instance: the owner every write reporting one of its runs is fenced by. */
  private get me(): string {
    return this.deps.queue.lease.instanceId;
  }

  /**
   * A write of this process's run found the job held by another worker: this one stalled past its lease and the job
   * was claimed and continued elsewhere. Its run stops here, and nothing more it reports is written.
   */
  private abandon(jobId: string): void {
    if (!this.runner.abandon(jobId)) return;
    this.deps.logger.warn({ jobId }, 'training job taken over by another worker; its stale run here is stopped');
  }

  private async onTrainerEvent(jobId: string, e: TrainerEvent): Promise<void> {
    const job = await this.repo.getJob(jobId);
    if (!job) return;
    const notify = this.deps.notifier;
    switch (e.type) {
      case 'embedding':
        if (!(await this.repo.mergeMetrics(jobId, { embedding: e.progress }, this.me))) return this.abandon(jobId);
        notify.notifyUser(job.user_id, 'training:embedding', { jobId, ...e.progress });
        return;
      case 'started':
        if (!(await this.repo.mergeMetrics(jobId, { backend: e.backend, samples: e.samples, featureDim: e.featureDim, parameters: e.parameters, classes: e.classes }, this.me))) {
          return this.abandon(jobId);
        }
        if (job.model_id) await this.repo.setModelStatus(job.model_id, 'training');
        return;
      case 'progress':
        if (!(await this.repo.saveProgress(jobId, e.state, this.me))) return this.abandon(jobId);
        notify.notifyUser(job.user_id, 'training:progress', { jobId, ...e.state, valLoss: e.valLoss, valAccuracy: e.valAccuracy, phase: e.phase });
        return;
      case 'checkpoint': {
        // The checkpoint and the epoch it closes land together: no reader sees one without the other.
        const cp = await withTransaction(this.deps.pool, async (client) => {
          const repo = new TrainingRepository(client);
          if (!(await repo.lockOwned(jobId, this.me))) return null;
          const row = await repo.upsertCheckpoint({ jobId, epoch: e.epoch, step: e.step, metrics: e.metrics, filePath: e.dir, sizeBytes: e.sizeBytes });
          await repo.appendEpoch(jobId, Math.min(100, (e.epoch / job.config.epochs) * 100), e.metrics);
          return toCheckpoint(row);
        });
        if (!cp) return this.abandon(jobId);
        notify.notifyUser(job.user_id, 'training:checkpoint', {
          jobId,
          checkpointId: cp.id,
          epoch: cp.epoch,
          step: cp.step,
          loss: cp.loss,
          accuracy: cp.accuracy,
          valLoss: cp.valLoss,
          valAccuracy: cp.valAccuracy,
          best: cp.best,
          partial: cp.partial,
        });
        return;
      }
      case 'completed': {
        const modelId = job.model_id;
        const patch = { final: e.metrics, stoppedEarly: e.stoppedEarly, featureDim: e.featureDim, parameters: e.parameters };
        const done = await withTransaction(this.deps.pool, async (client) => {
          const repo = new TrainingRepository(client);
          if (!(await repo.lockOwned(jobId, this.me))) return 'stale' as const;
          const row = await repo.complete(jobId, patch);
          if (row && modelId) {
            const encoder = (await repo.getModel(modelId))?.metadata.encoder as ModelEncoderMetadata | undefined;
            const meta: Partial<TrainedModelMetadata> = {
              inputs: e.inputs,
              labels: e.labels,
              files: e.files,
              metrics: e.metrics,
              featureDim: e.featureDim,
              parameters: e.parameters,
              backend: job.metrics.backend ?? undefined,
              ...(encoder ? { encoder: { ...encoder, dim: e.embeddingDim } } : {}),
            };
            await repo.modelReady(modelId, e.files.reduce((s, f) => s + f.sizeBytes, 0), meta);
            if (e.evaluation) await repo.saveJobEvaluation({ modelId, jobId, datasetId: row.dataset_id, split: e.evaluation.split, report: e.evaluation.report });
          }
          return row;
        });
        if (done === 'stale') return this.abandon(jobId);
        if (!done || !modelId) return;
        this.deps.logger.info({ jobId, modelId, metrics: e.metrics }, 'training completed');
        await this.emitStatus(done);
        notify.notifyUser(job.user_id, 'training:complete', { jobId, modelId, metrics: { ...e.metrics } });
        return;
      }
    }
  }

  private async onWorkerLost(jobId: string, info: { requested: StopRequest | null; shuttingDown: boolean; startError?: unknown }): Promise<void> {
    if (info.startError !== undefined) {
      await this.failJob(jobId, 'TRAINING_FAILED', 'the training worker thread could not be started', this.me);
    } else if (info.requested === 'cancel') {
      const row = await this.repo.transition(jobId, ['running', 'pausing'], 'cancelled', this.me);
      if (row) await this.finishCancelled(row);
    } else if (info.shuttingDown || info.requested === 'pause') {
      if (await this.handOver(jobId)) return;
      const row = await this.repo.transition(jobId, ['running', 'pausing'], 'paused', this.me);
      if (row) await this.emitStatus(row);
    } else {
      await this.failJob(jobId, 'TRAINING_FAILED', 'the training worker stopped unexpectedly', this.me);
    }
  }

  /**
   * A worker stopping among several (handover) gives a job it paused for the stop, not for a user, back to the
   * queue: another worker continues it from the checkpoint just saved. True when it did.
   */
  private async handOver(jobId: string): Promise<boolean> {
    if (!this.deps.handover || !this.runner.stopping) return false;
    const row = await withTransaction(this.deps.pool, async (client) => {
      const r = await new TrainingRepository(client).transition(jobId, ['running'], 'queued', this.me);
      if (r) await new QueueRepository(client).enqueue({ kind: 'training', id: jobId });
      return r;
    });
    if (row) await this.emitStatus(row);
    return row !== null;
  }

  /**
   * Passes a stop request to the job's worker; false when this process has none. A job claimed here is running
   * before its worker exists, so with no worker found its launch is awaited and the request tried again: otherwise
   * the row would be settled and the worker launched anyway.
   */
  private async signalWorker(jobId: string, what: StopRequest): Promise<boolean> {
    if (this.runner.request(jobId, what)) return true;
    await this.runner.launched(jobId);
    return this.runner.request(jobId, what);
  }

  /** A job marked running or pausing whose worker is not ours (another process, or gone): settle its row now. */
  private async settleUntracked(jobId: string, to: 'paused' | 'cancelled'): Promise<void> {
    const row = await this.repo.transition(jobId, ['running', 'pausing'], to);
    if (row && to === 'cancelled') await this.finishCancelled(row);
    else if (row) await this.emitStatus(row);
  }

  private async finishCancelled(row: JobRow): Promise<void> {
    await this.removePartialEmbeddings(row);
    if (row.model_id) {
      await this.repo.deleteModel(row.model_id);
      await fs.rm(this.modelDir(row.model_id), { recursive: true, force: true });
    }
    await this.emitStatus({ ...row, model_id: null });
  }

  /** With `owner`, only while that worker holds the job (a failure its run reports). */
  private async failJob(jobId: string, code: ErrorCode, message: string, owner?: string): Promise<void> {
    const row = await this.repo.fail(jobId, code, message, owner);
    if (!row) return;
    await this.removePartialEmbeddings(row);
    if (row.model_id) await this.repo.setModelStatus(row.model_id, 'failed', { error: message });
    this.deps.logger.warn({ jobId, code, message }, 'training job failed');
    this.deps.notifier.notifyUser(row.user_id, 'training:error', { jobId, code, message });
    await this.emitStatus(row);
  }

  /** A job that ends without finishing its embeddings leaves no partial file behind (a paused one keeps it). */
  private async removePartialEmbeddings(row: JobRow): Promise<void> {
    if (!row.config.encoder || !row.dataset_id) return;
    const dataset = await this.deps.datasets.forTraining(row.user_id, row.dataset_id).catch(() => null);
    if (dataset) await removePartialEmbeddings(embeddingsDir(dataset.filePath), row.id);
  }

  private async emitStatus(row: JobRow): Promise<void> {
    this.deps.notifier.notifyUser(row.user_id, 'training:status', { jobId: row.id, status: row.status, epochsCompleted: row.metrics.history?.at(-1)?.epoch ?? 0 });
  }

  private async requireJob(jobId: string, userId?: string): Promise<JobRow> {
    const job = await this.repo.getJob(jobId, userId);
    if (!job) throw notFound('training job');
    return job;
  }

  private async baseModel(userId: string, modelId: string, config: TrainingConfig): Promise<Pick<TrainedModelMetadata, 'layers' | 'input' | 'labelNames' | 'encoder'>> {
    const model = await this.repo.getTrainedModel(modelId, userId);
    if (!model) throw notFound('model');
    if (model.status !== 'ready') throw conflict('the model to continue from is not ready', 'MODEL_NOT_READY');
    const m = model.metadata as unknown as TrainedModelMetadata;
    const problems: FieldIssue[] = [];
    if (m.task !== config.task) problems.push(issue('task', `the model was trained for ${m.task}`));
    if ((m.textColumn ?? undefined) !== config.textColumn) problems.push(issue('textColumn', `the model reads the text column "${m.textColumn ?? ''}"`));
    if (m.labelColumn !== config.labelColumn) problems.push(issue('labelColumn', `the model predicts "${m.labelColumn}"`));
    if (m.featureColumns.join('\u0000') !== config.featureColumns.map((c) => c.name).join('\u0000')) {
      problems.push(issue('featureColumns', `the model reads the columns ${m.featureColumns.join(', ') || '(none)'}`));
    }
    if (problems.length) throw invalid(problems);
    // Models from before the sparse input were dense.
    return { layers: m.layers, input: m.input ?? 'dense', labelNames: m.labelNames, encoder: m.encoder };
  }
}
