import { AppError } from '../../platform/http/errors.js';
import { withTransaction, type Pool } from '../../platform/db/pool.js';
import type { Logger } from '../../platform/logger.js';
import { QueueStoppingError, type JobQueue } from '../../platform/queue/job-queue.js';
import { downloadQueueName, type JobControlMessage } from '../../platform/queue/jobs.js';
import { QueueRepository } from '../../platform/queue/queue.repository.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import type { ChunkStore } from '../hub/chunk-plan.js';
import { ConnectionBudget, HostLimiter, Semaphore } from '../hub/connection-limiter.js';
import type { HubClient } from '../hub/hub.client.js';
import { repoFolder } from '../hub/hub.paths.js';
import type { TransferSettings } from '../hub/transfer-settings.js';
import { cleanupCancelledDownload, removePartFiles } from './download-cleanup.js';
import { ProgressTracker } from './download-progress.js';
import { metadataFromInfo, modelType, type HubModelMetadata } from './sources.presenter.js';
import { SourcesRepository, type DownloadRow } from './sources.repository.js';

export interface DownloadManagerDeps {
  /** For re-queueing rows in one transaction with their queue entries, and for reading who runs a row. */
  pool: Pool;
  repo: SourcesRepository;
  /** The job queue: decides which worker runs each download, and carries cancel to it. */
  queue: JobQueue;
  hub: HubClient;
  notifier: Notifier;
  logger: Logger;
  modelsRoot: string;
  /** Downloads running at once in this process (DOWNLOAD_CONCURRENCY). */
  concurrency: number;
  /** Files in flight per download (DOWNLOAD_FILE_CONCURRENCY). */
  fileConcurrency: number;
  /** Parallel ranges for large files; omitted: one stream per file. */
  ranges?: RangeSettings;
  /** The Hub token used for a user's downloads (theirs, else HF_TOKEN), or null. */
  tokenFor(userId: string): Promise<string | null>;
  dbIntervalMs?: number;
  eventIntervalMs?: number;
  /** Checks an installed model (its voice files load? what it runs here?) before it is marked ready; found problems are kept. */
  inspect?: InspectInstalled;
  /** Awaited between claiming a row and starting it: lets tests land a cancel in exactly that window. */
  afterClaim?: (row: DownloadRow) => Promise<void>;
}

/** The hook's view of a model whose files are all in place: its models row, folder and Hub pipeline tag. */
export type InstalledModelFolder = { modelId: string; folder: string; pipelineTag: string | null };
export type InspectInstalled = (model: InstalledModelFolder) => Promise<{ file: string; reason: string }[]>;

/** DOWNLOAD_CONNECTIONS, DOWNLOAD_CHUNKED_MIN_MB (in bytes), DOWNLOAD_MAX_CONNECTIONS, DOWNLOAD_HOST_CONNECTIONS. */
export interface RangeSettings {
  connections: number;
  chunkedMinBytes: number;
  maxPerDownload: number;
  maxPerHost: number;
}

type StopReason = 'cancel' | 'shutdown';

interface ActiveJob {
  controller: AbortController;
  done: Promise<void>;
}


/**
 * The background runner of Hub downloads. The `download_queue` row is the state; the job queue hands this process
 * the downloads it is to run (downloads of one repo+revision one at a time, over all workers). This class claims the
 * row, runs it through HubClient.downloadModel, writes progress (throttled) and events to the owner's room, and
 * finishes the row and the models row. A stop leaves rows `running` with their `.part` files and chunk maps, as a
 * worker that dies does: once its lease is gone another worker (or the next start) resumes them where they were.
 */
export class DownloadManager {
  private readonly active = new Map<string, ActiveJob>();
  /** Rows claimed here whose job is not registered yet (the afterClaim window). */
  private readonly claiming = new Map<string, Promise<void>>();
  private running = false;
  private readonly hosts: HostLimiter;

  constructor(private readonly deps: DownloadManagerDeps) {
    this.hosts = new HostLimiter(deps.ranges?.maxPerHost ?? Number.MAX_SAFE_INTEGER);
    deps.queue.register('download', {
      concurrency: deps.concurrency,
      run: (id) => this.runQueued(id),
      control: (msg) => this.onControl(msg),
      check: () => this.checkRunning(),
      rows: { table: 'download_queue', active: ['queued', 'running'] },
    });
  }

  /** Rows left running by a worker that is gone go back to the queue and resume from their `.part` files. */
  async start(): Promise<void> {
    const requeued = await this.requeueOrphans();
    if (requeued > 0) this.deps.logger.info({ requeued }, 'resuming interrupted downloads');
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.claiming.values());
    const jobs = [...this.active.values()];
    for (const job of jobs) job.controller.abort('shutdown' satisfies StopReason);
    await Promise.all(jobs.map((j) => j.done));
  }

  /**
   * Stops a running transfer (its row was already marked cancelled) and waits until it has let go of its files;
   * one running on another worker is told to stop (that worker cleans up after its transfer has ended).
   */
  async abort(id: string): Promise<void> {
    // A row can be `running` in the database before its job is registered: wait for that, or the job would be
    // missed and run on after the caller has cleaned up.
    await this.claiming.get(id);
    const job = this.active.get(id);
    if (!job) {
      const { instanceId, leaseMs } = this.deps.queue.lease;
      if (await new QueueRepository(this.deps.pool).runsElsewhere('download_queue', id, instanceId, leaseMs)) {
        await this.deps.queue.send({ kind: 'download', id, action: 'cancel' });
      }
      return;
    }
    job.controller.abort('cancel' satisfies StopReason);
    await job.done;
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  /** The queue handed this process a download: claim its row (queued, or running on a dead worker) and run it. */
  private async runQueued(id: string): Promise<void> {
    if (!this.running) throw new QueueStoppingError();
    const { instanceId, leaseMs } = this.deps.queue.lease;
    const row = await this.deps.repo.claim(id, instanceId, leaseMs);
    if (!row) return;
    let registered!: () => void;
    this.claiming.set(row.id, new Promise<void>((r) => (registered = r)));
    const controller = new AbortController();
    const job: ActiveJob = { controller, done: Promise.resolve() };
    try {
      await this.deps.afterClaim?.(row);
      this.active.set(row.id, job);
      job.done = this.run(row, controller.signal)
        .catch((err: unknown) => this.deps.logger.error({ err, id: row.id }, 'download job crashed'))
        .finally(() => this.active.delete(row.id));
    } finally {
      this.claiming.delete(row.id);
      registered();
    }
    await job.done;
  }

  private onControl(msg: JobControlMessage): void {
    this.active.get(msg.id)?.controller.abort('cancel' satisfies StopReason);
  }

  /** A cancel whose message was lost still lands: the row of a transfer running here says cancelled. */
  private async checkRunning(): Promise<void> {
    const ids = [...this.active.keys()];
    if (!ids.length) return;
    for (const [id, status] of await this.deps.repo.statusesOf(ids)) {
      if (status === 'cancelled') this.active.get(id)?.controller.abort('cancel' satisfies StopReason);
    }
  }

  private async requeueOrphans(): Promise<number> {
    return withTransaction(this.deps.pool, async (client) => {
      const rows = await new SourcesRepository(client).requeueOrphans(this.deps.queue.lease.leaseMs);
      const queue = new QueueRepository(client);
      for (const r of rows) await queue.enqueue({ kind: 'download', id: r.id, queueName: downloadQueueName(r.repo_id, r.revision) });
      return rows.length;
    });
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
        problems: (await this.deps.inspect?.({ modelId: model.id, folder: dest, pipelineTag: meta.pipelineTag }).catch((err: unknown) => {
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
        // Shutdown keeps the row running with its .part files and chunk maps: once this worker's lease is given up,
        // the next worker (or this one's next start) takes it over. A cancel is undone here too once the transfer
        // has let go of its files (its caller may be another instance; twice is harmless).
        if (signal.reason === ('cancel' satisfies StopReason)) {
          await repo.deleteChunkMapsOf(row.id).catch(() => undefined);
          const now = await repo.getDownload(row.id);
          if (now?.status === 'cancelled') await cleanupCancelledDownload(this.deps, now);
        }
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
