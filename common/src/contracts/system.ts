export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface HealthResponse {
  status: 'ok' | 'degraded';
  db: 'up' | 'down';
  uptime: number;
  version: string;
}

export const DATA_FOLDERS = ['data', 'models', 'datasets', 'checkpoints'] as const;
export type DataFolder = (typeof DATA_FOLDERS)[number];

export interface DiskUsage {
  folder: DataFolder;
  /** The absolute folder on the server: admins only (null for everyone else). */
  path: string | null;
  freeBytes: number;
  totalBytes: number;
}

export interface SystemStatus {
  version: string;
  /** What this process runs: `all` (one machine), `api` (HTTP + Socket.IO) or `worker` (background jobs). */
  role: 'all' | 'api' | 'worker';
  /** Worker processes (roles all and worker) whose lease is current, over every machine. */
  workers: number;
  uptimeSeconds: number;
  node: string;
  database: {
    serverVersion: string;
    mode: 'embedded' | 'external';
    pool: { total: number; idle: number; waiting: number; max: number };
  };
  tensorflow: { backend: TfBackendName; version: string };
  disk: DiskUsage[];
  memory: { rssBytes: number; heapUsedBytes: number; systemFreeBytes: number; systemTotalBytes: number };
  sockets: { connected: number };
  downloads: Record<string, number>;
  trainingJobs: Record<string, number>;
}
