import { AppError } from '../../platform/http/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import type { ChunkStore } from '../hub/chunk-plan.js';
import { ConnectionBudget, HostLimiter, Semaphore } from '../hub/connection-limiter.js';
import type { HubClient } from '../hub/hub.client.js';
import { repoFolder } from '../hub/hub.paths.js';
import type { TransferSettings } from '../hub/transfer-settings.js';
import { cleanupCancelledDownload, removePartFiles } from './download-cleanup.js';
import { ProgressTracker } from './download-progress.js';
import { metadataFromInfo, modelType, type HubModelMetadata } from './sources.presenter.js';
import type { DownloadRow, SourcesRepository } from './sources.repository.js';

export interface DownloadManagerDeps {
  repo: SourcesRepository;
  hub: HubClient;
  notifier: Notifier;
  logger: Logger;
  modelsRoot: string;
  /** Downloads running at once (DOWNLOAD_CONCURRENCY). */
  concurrency: number;
  /** Files in flight per download (DOWNLOAD_FILE_CONCURRENCY). */
  fileConcurrency: number;
  /** Parallel ranges for large files; omitted: one stream per file. */
  ranges?: RangeSettings;
  /** The Hub token used for a user's downloads (theirs, else HF_TOKEN), or null. */
  tokenFor(userId: string): Promise<string | null>;
  dbIntervalMs?: number;
  eventIntervalMs?: number;
  /** Checks an installed model's folder (its voice files load?) before it is marked ready; found problems are kept. */
  inspect?: (folder: string) => Promise<{ file: string; reason: string }[]>;
  /** Awaited between claiming a row and starting it: lets tests land a cancel in exactly that window. */
  afterClaim?: (row: DownloadRow) => Promise<void>;
}

/** DOWNLOAD_CONNECTIONS, DOWNLOAD_CHUNKED_MIN_MB (in bytes), DOWNLOAD_MAX_CONNECTIONS, DOWNLOAD_HOST_CONNECTIONS. */
export interface RangeSettings {
  connections: number;
  chunkedMinBytes: number;
  maxPerDownload: number;
  maxPerHost: number;
}

type StopReason = 'cancel' | 'shutdown';

interface ActiveJob {
  key: string;
  controller: AbortController;
  done: Promise<void>;
}

export const downloadKey = (row: Pick<DownloadRow, 'repo_id' | 'revision'>) => `${row.repo_id}@${row.revision}`;

/**
 * The background runner of Hub downloads. The `download_queue` row is the state: this class claims queued rows
 * (never two of the same repo+revision at once), runs them through HubClient.downloadModel, writes progress
 * (throttled) and events to the owner's room, and finishes the row and the models row. A stop leaves rows
 * `running` with their `.part` files; the next start puts them back in the queue and they resume.
 */
export class DownloadManager {
  private readonly active = new Map<string, ActiveJob>();
  private running = false;
  private pumpChain: Promise<void> = Promise.resolve();
  private readonly hosts: HostLimiter;

  constructor(private readonly deps: DownloadManagerDeps) {
    this.hosts = new HostLimiter(deps.ranges?.maxPerHost ?? Number.MAX_SAFE_INTEGER);
  }

  async start(): Promise<void> {
    const requeued = await this.deps.repo.requeueRunning();
    if (requeued > 0) this.deps.logger.info({ requeued }, 'resuming interrupted downloads');
    this.running = true;
    this.wake();
    await this.pumpChain;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.pumpChain;
    const jobs = [...this.active.values()];
    for (const job of jobs) job.controller.abort('shutdown' satisfies StopReason);
    await Promise.all(jobs.map((j) => j.done));
  }

  /** Looks for queued work now (after a new download or a finished one). */
  wake(): void {
    this.pumpChain = this.pumpChain.then(() => this.pump()).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'download queue pump failed');
    });
  }

  /** Stops a running transfer (its row was already marked cancelled) and waits until it has let go of its files. */
  async abort(id: string): Promise<void> {
    // A row can be `running` in the database before pump() has registered its job: let that pump finish first,
    // or the job would be missed and run on after the caller has cleaned up.
    await this.pumpChain;
    const job = this.active.get(id);
    if (!job) return;
    job.controller.abort('cancel' satisfies StopReason);
    await job.done;
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  private async pump(): Promise<void> {
    while (this.running && this.active.size < this.deps.concurrency) {
      const busy = [...this.active.values()].map((j) => j.key);
      const row = await this.deps.repo.claimNext(busy);
      if (!row) return;
      await this.deps.afterClaim?.(row);
      const controller = new AbortController();
      const job: ActiveJob = { key: downloadKey(row), controller, done: Promise.resolve() };
      this.active.set(row.id, job);
      job.done = this.run(row, controller.signal)
        .catch((err: unknown) => this.deps.logger.error({ err, id: row.id }, 'download job crashed'))
        .finally(() => {
          this.active.delete(row.id);
          if (this.running) this.wake();
        });
    }
  }

  /** The download's own connection bound (shared by its files) under the process-wide per-host one. */
  private transferSettings(row: DownloadRow): TransferSettings {
    const r = this.deps.ranges;
    return {
      connections: r?.connections ?? 1,
      chunkedMinBytes: r?.chunkedMinBytes ?? Number.MAX_SAFE_INTEGER,
      chunks: chunkStore(this.deps.repo, row.id),
      budget: new ConnectionBudget(new Semaphore(r?.maxPerDownload ?? Number.MAX_SAFE_INTEGER), this.hosts),
    };
  }

  private async run(row: DownloadRow, signal: AbortSignal): Promise<void> {
    const { repo, hub, notifier, logger } = this.deps;
    const dest = repoFolder(this.deps.modelsRoot, row.repo_id, row.revision);
    let modelId = row.model_id;
    const transfer = this.transferSettings(row);
    const tracker = new ProgressTracker(
      {
        id: row.id,
        repoId: row.repo_id,
        dbIntervalMs: this.deps.dbIntervalMs ?? 1000,
        eventIntervalMs: this.deps.eventIntervalMs ?? 250,
        connections: () => transfer.budget.inUse,
      },
      {
        save: (p) => repo.updateProgress(row.id, p),
        emit: (e) => notifier.notifyUser(row.user_id, 'download:progress', e),
        onSaveError: (err) => logger.warn({ err, id: row.id }, 'could not save download progress'),
      },
    );
    try {
      const token = await this.deps.tokenFor(row.user_id).catch(() => null);
      const info = await hub.getModelInfo(row.repo_id, { revision: row.options.commit ?? row.revision, token, signal });
      const meta = metadataFromInfo(info, row.repo_id, row.revision, hub.endpoint);
      const model = await repo.upsertModelForRunning(row.id, {
        repoId: row.repo_id,
        revision: row.revision,
        type: modelType(info.pipeline_tag),
        ownerId: row.user_id,
        filePath: dest,
        metadata: {},
      });
      // Cancelled since the claim: the cancel path owns the cleanup, and no models row may come back.
      if (!model) return;
      modelId = model.id;

      const result = await hub.downloadModel(row.repo_id, dest, token, (p) => tracker.update(p), {
        transfer,
        revision: row.revision,
        commit: row.options.commit ?? info.sha ?? undefined,
        include: row.options.include,
        exclude: row.options.exclude,
        concurrency: this.deps.fileConcurrency,
        signal,
        onPlan: async (plan) => {
          await repo.setPlan(row.id, plan.commit, plan.bytesTotal);
          tracker.update({ file: null, bytesDownloaded: 0, bytesTotal: plan.bytesTotal, filesDone: 0, filesTotal: plan.files.length, networkBytes: 0 });
        },
      });
      await tracker.settle();
      await repo.deleteChunkMapsOf(row.id);

      const files = result.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, lfs: f.lfs }));
      const finalMeta: HubModelMetadata = {
        ...meta,
        commitSha: result.commit,
        files,
        fileCount: files.length,
        sizeBytes: result.sizeBytes,
        downloadedAt: new Date().toISOString(),
        problems: (await this.deps.inspect?.(dest).catch((err: unknown) => {
          logger.warn({ id: row.id, err: err instanceof Error ? err.message : String(err) }, 'could not inspect the installed model');
          return [];
        })) ?? [],
      };
      const done = await repo.completeDownload(row.id, result.sizeBytes);
      if (!done) {
        // Cancelled while the files were fetched: undo the install here too, so no `downloading` row or files
        // outlive the cancel whatever its timing (the cancel path's own cleanup does the same, harmlessly twice).
        const now = await repo.getDownload(row.id);
        if (now?.status === 'cancelled') await cleanupCancelledDownload(this.deps, now);
        return;
      }
      await repo.markModelReady(model.id, {
        type: modelType(info.pipeline_tag),
        sizeMb: Math.round((result.sizeBytes / (1024 * 1024)) * 1000) / 1000,
        filePath: dest,
        metadata: finalMeta as unknown as Record<string, unknown>,
      });
      tracker.emitFinal();
      notifier.notifyUser(row.user_id, 'download:complete', {
        id: row.id,
        modelId: model.id,
        repoId: row.repo_id,
        sizeBytes: result.sizeBytes,
        files: files.length,
      });
      logger.info({ id: row.id, repoId: row.repo_id, bytes: result.sizeBytes }, 'download complete');
    } catch (err) {
      await tracker.settle();
      if (signal.aborted) {
        // Shutdown keeps the row running, its .part files and chunk maps for the next start; cancel is cleaned
        // by its caller (the maps go here: their .part files go there).
        if (signal.reason === ('cancel' satisfies StopReason)) await repo.deleteChunkMapsOf(row.id).catch(() => undefined);
        return;
      }
      const e = asDownloadError(err);
      if (e.status >= 500 && e.code === 'INTERNAL') logger.error({ err, id: row.id }, 'download failed');
      else logger.warn({ code: e.code, message: e.message, id: row.id }, 'download failed');
      await removePartFiles(dest).catch(() => undefined);
      await repo.deleteChunkMapsOf(row.id).catch(() => undefined);
      const failed = await repo.failDownload(row.id, e.code, e.message);
      if (modelId && (await repo.countActiveFor(row.repo_id, row.revision, row.id)) === 0) {
        const model = await repo.getModel(modelId);
        if (model?.status === 'downloading') await repo.setModelStatus(modelId, 'failed');
      }
      if (failed) notifier.notifyUser(row.user_id, 'download:error', { id: row.id, code: e.code, message: e.message });
    }
  }
}

/** Chunk maps of a download, in its table rows. */
function chunkStore(repo: SourcesRepository, downloadId: string): ChunkStore {
  return {
    load: (part) => repo.getChunkMap(part),
    save: (part, map) => repo.saveChunkMap(downloadId, part, map),
    remove: (part) => repo.deleteChunkMap(part),
  };
}

/** Any failure as a code and a message safe to show. */
export function asDownloadError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string })?.code;
  return new AppError(500, 'INTERNAL', code ? `download failed (${code})` : 'download failed');
}
