import fs from 'node:fs/promises';
import os from 'node:os';
import type { DataFolder, DiskUsage, HealthResponse, SystemStatus, TfBackendName } from '@sokhan/common';
import { poolStats, type Pool } from '../../platform/db/pool.js';
import type { Notifier } from '../../platform/realtime/realtime.js';
import type { SystemRepository } from './system.repository.js';

export interface SystemDeps {
  repo: SystemRepository;
  pool: Pool;
  notifier: Notifier;
  version: string;
  role: SystemStatus['role'];
  /** How long a worker may go unheard and still count as alive (WORKER_LEASE_MS). */
  leaseMs: number;
  dbMode: 'embedded' | 'external';
  dataPaths: Record<DataFolder, string>;
  tfInfo: () => Promise<{ backend: TfBackendName; version: string }>;
  startedAt?: number;
}

export class SystemService {
  private readonly startedAt: number;

  constructor(private readonly deps: SystemDeps) {
    this.startedAt = deps.startedAt ?? Date.now();
  }

  private uptime(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }

  async health(): Promise<HealthResponse> {
    const db = await this.deps.repo.ping().then(
      () => 'up' as const,
      () => 'down' as const,
    );
    return { status: db === 'up' ? 'ok' : 'degraded', db, uptime: this.uptime(), version: this.deps.version };
  }

  /** Server folders are for admins; everyone else sees each folder's space by name. */
  async status(viewer: { role: string }): Promise<SystemStatus> {
    const { repo } = this.deps;
    const [serverVersion, workers, downloads, trainingJobs, tensorflow, disk] = await Promise.all([
      repo.serverVersion(),
      repo.liveWorkers(this.deps.leaseMs),
      repo.countByStatus('download_queue'),
      repo.countByStatus('training_jobs'),
      this.deps.tfInfo(),
      Promise.all((Object.entries(this.deps.dataPaths) as [DataFolder, string][]).map(([folder, p]) => diskUsage(folder, p, viewer.role === 'admin'))),
    ]);
    const mem = process.memoryUsage();
    return {
      version: this.deps.version,
      role: this.deps.role,
      workers,
      uptimeSeconds: this.uptime(),
      node: process.version,
      database: { serverVersion, mode: this.deps.dbMode, pool: poolStats(this.deps.pool) },
      tensorflow,
      disk,
      memory: {
        rssBytes: mem.rss,
        heapUsedBytes: mem.heapUsed,
        systemFreeBytes: os.freemem(),
        systemTotalBytes: os.totalmem(),
      },
      sockets: { connected: this.deps.notifier.connectedCount() },
      downloads,
      trainingJobs,
    };
  }
}

async function diskUsage(folder: DataFolder, p: string, showPath: boolean): Promise<DiskUsage> {
  const path = showPath ? p : null;
  try {
    const s = await fs.statfs(p);
    return { folder, path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  } catch {
    return { folder, path, freeBytes: 0, totalBytes: 0 };
  }
}
