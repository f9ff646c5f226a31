import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { inputColumns, MODEL_ARCHIVE_LIMITS, type TrainedModel } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { withTransaction, type Pool } from '../../platform/db/pool.js';
import { AppError, conflict, notFound } from '../../platform/http/errors.js';
import type { Logger } from '../../platform/logger.js';
import { receiveUpload, type UploadSource } from '../datasets/dataset-upload.js';
import { buildModelExport, type ModelExport } from './model-archive-export.js';
import { unpackModelArchive } from './model-archive-import.js';
import { ArchiveProblem } from './model-archive-zip.js';
import { toTrainedModel, type TrainedModelMetadata } from './training.presenter.js';
import { TrainingRepository } from './training.repository.js';

export interface ModelArchiveDeps {
  pool: Pool;
  logger: Logger;
  modelDir: (modelId: string) => string;
  /** Initialises TensorFlow.js in this thread (once): an import loads the model to check it. */
  tfInfo: () => Promise<unknown>;
  sokhanVersion: string;
  limits?: { maxArchiveBytes: number; maxUncompressedBytes: number; maxEntries: number };
}

/** An import folder untouched this long is from a process that died mid-import (uploads take minutes at most). */
const ABANDONED_IMPORT_MS = 60 * 60 * 1000;

/**
 * Trained models in and out as one .zip. Export: the owner's ready model, streamed. Import: the upload lands in
 * a private folder beside the models, is checked in full (model-archive-import), and only then becomes a model
 * row and the folder predict reads; on any failure the folder goes and no row is written.
 */
export class ModelArchiveService {
  private readonly repo: TrainingRepository;
  private readonly limits: NonNullable<ModelArchiveDeps['limits']>;

  constructor(private readonly deps: ModelArchiveDeps) {
    this.repo = new TrainingRepository(deps.pool);
    this.limits = deps.limits ?? MODEL_ARCHIVE_LIMITS;
  }

  /** 404 for another user's model (as a missing one), 409 for one not ready yet. */
  async exportModel(userId: string, modelId: string): Promise<ModelExport> {
    const row = await this.repo.getTrainedModel(modelId, userId);
    if (!row) throw notFound('model');
    if (row.status !== 'ready') throw conflict(`the model is ${row.status}, not ready`, 'MODEL_NOT_READY');
    if ((row.metadata as { encoder?: unknown }).encoder) {
      throw new AppError(422, 'VALIDATION_FAILED', 'a model on an encoder cannot be exported: the archive would not carry the encoder its text goes through', [
        { path: 'id', message: 'the model reads its text through an installed encoder', code: 'custom' },
      ]);
    }
    return buildModelExport({
      row,
      dir: this.deps.modelDir(row.id),
      evaluations: await this.repo.exportEvaluations(row.id),
      sokhanVersion: this.deps.sokhanVersion,
      tfjsVersion: tf.version.tfjs,
    });
  }

  /**
   * Import folders a crash left behind (an import removes its own on every other way out). Only those older than
   * `olderThanMs`: another instance sharing MODELS_DIR may be receiving one now. Returns how many went.
   */
  async removeAbandonedImports(olderThanMs = ABANDONED_IMPORT_MS): Promise<number> {
    const parent = path.dirname(this.deps.modelDir(randomUUID()));
    const names = await fs.readdir(parent).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names.filter((n) => n.startsWith('.import-'))) {
      const dir = path.join(parent, name);
      const st = await fs.stat(dir).catch(() => null);
      if (!st || Date.now() - st.mtimeMs < olderThanMs) continue;
      await fs.rm(dir, { recursive: true, force: true });
      removed++;
    }
    if (removed) this.deps.logger.info({ removed }, 'removed model imports a crash left behind');
    return removed;
  }

  /** 201 with the new model; 422 INVALID_MODEL_ARCHIVE (413 past a size limit) naming what is wrong. */
  async importModel(userId: string, upload: UploadSource): Promise<TrainedModel> {
    const parent = path.dirname(this.deps.modelDir(randomUUID()));
    await fs.mkdir(parent, { recursive: true });
    const work = await fs.mkdtemp(path.join(parent, '.import-'));
    try {
      const { file } = await receiveUpload(upload, { dir: work, storedName: 'archive.zip', maxBytes: this.limits.maxArchiveBytes, what: 'the model archive' });
      if (!file) throw new AppError(400, 'VALIDATION_FAILED', 'request is not valid', [{ path: 'file', message: 'attach the exported .zip as the "file" part', code: 'invalid_type' }]);
      await this.deps.tfInfo();
      const unpacked = await unpackModelArchive(file.path, path.join(work, 'model'), this.limits);
      const m = unpacked.manifest.model;
      const id = randomUUID();
      const target = this.deps.modelDir(id);
      const metadata: TrainedModelMetadata = {
        task: m.task,
        datasetId: null,
        trainingJobId: null,
        baseModelId: null,
        textColumn: m.textColumn,
        featureColumns: m.featureColumns,
        labelColumn: m.labelColumn,
        layers: m.layers,
        input: m.input,
        inputs: inputColumns(unpacked.features),
        labels: unpacked.labels.labels,
        ...(Object.keys(unpacked.labels.labelNames).length ? { labelNames: unpacked.labels.labelNames } : {}),
        files: unpacked.files,
        ...(m.metrics ? { metrics: m.metrics } : {}),
        featureDim: unpacked.features.dim,
        ...(m.parameters ? { parameters: m.parameters } : {}),
      };
      let moved = false;
      try {
        const row = await withTransaction(this.deps.pool, async (client) => {
          const repo = new TrainingRepository(client);
          const inserted = await repo.insertImportedModel({
            id,
            name: m.name,
            task: m.task,
            ownerId: userId,
            filePath: target,
            sizeBytes: unpacked.files.reduce((s, f) => s + f.sizeBytes, 0),
            metadata,
            manifest: unpacked.manifest,
          });
          for (const e of unpacked.metrics.evaluations) await repo.insertImportedEvaluation({ modelId: id, split: e.split, datasetName: e.dataset, report: e.report, createdAt: e.createdAt });
          // Last inside the transaction: a failed rename rolls the rows back.
          await fs.rename(unpacked.dir, target);
          moved = true;
          return inserted;
        });
        this.deps.logger.info({ userId, modelId: id, from: m.id, sokhanVersion: unpacked.manifest.sokhanVersion }, 'model imported');
        return toTrainedModel(row);
      } catch (err) {
        if (moved) await fs.rm(target, { recursive: true, force: true });
        throw err;
      }
    } catch (err) {
      if (err instanceof ArchiveProblem) throw err.toAppError();
      throw err;
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }
}
