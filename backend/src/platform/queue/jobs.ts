/** The background jobs the queue runs; each is a row of the product's own (download_queue, training_jobs). */
export const JOB_KINDS = ['download', 'training'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** What another instance asks of a running job. */
export type JobAction = 'pause' | 'cancel';

export interface JobControlMessage {
  kind: JobKind;
  id: string;
  action: JobAction;
}

export interface QueuedJob {
  kind: JobKind;
  /** The product row's id. */
  id: string;
  /** Jobs sharing a queue name run one at a time over all workers (downloads of the same repository files). */
  queueName?: string;
}

/** One queue entry per job row. */
export const jobKey = (kind: JobKind, id: string) => `${kind}:${id}`;

/** Downloads of one repo+revision write the same files: they run one after another, whichever worker runs them. */
export const downloadQueueName = (repoId: string, revision: string) => `download:${repoId}@${revision}`;

/**
 * Each takeover after a dead worker counts an attempt; failures are kept on the row, never retried by the engine,
 * so this only has to outlast many takeovers.
 */
export const JOB_MAX_ATTEMPTS = 1000;

/** The lease of this process: who it is, and how long a worker may go unheard before its jobs are taken over. */
export interface WorkerLease {
  /** This process's worker_instances id. */
  instanceId: string;
  leaseMs: number;
}

export function parseControlMessage(raw: string): JobControlMessage | null {
  try {
    const m = JSON.parse(raw) as Partial<JobControlMessage>;
    if ((m.kind === 'download' || m.kind === 'training') && typeof m.id === 'string' && (m.action === 'pause' || m.action === 'cancel')) {
      return { kind: m.kind, id: m.id, action: m.action };
    }
  } catch {
    // Not one of ours.
  }
  return null;
}
