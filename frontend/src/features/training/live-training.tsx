import type { ReactNode } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  EmbeddingProgress,
  EpochMetrics,
  TrainingEmbeddingEvent,
  TrainingJob,
  TrainingJobDetail,
  TrainingListResponse,
  TrainingProgressEvent,
} from '@sokhan/common';
import { useSocketEvent } from '../../app/socket-context';
import { modelKeys } from '../playground/models.api';
import { trainingKeys } from './training.api';

/** Applies a patch to a job wherever it is cached: its own page and every list page. */
function patchJob(queryClient: QueryClient, jobId: string, patchDetail: (job: TrainingJobDetail) => TrainingJobDetail, patchRow: (job: TrainingJob) => TrainingJob) {
  queryClient.setQueryData<TrainingJobDetail>(trainingKeys.job(jobId), (old) => (old ? patchDetail(old) : old));
  queryClient.setQueriesData<TrainingListResponse>({ queryKey: ['training', 'list'] }, (old) =>
    old ? { ...old, items: old.items.map((j) => (j.id === jobId ? patchRow(j) : j)) } : old,
  );
}

export function epochFromEvent(e: TrainingProgressEvent): EpochMetrics {
  return {
    epoch: e.epoch,
    loss: e.loss,
    accuracy: e.accuracy,
    valLoss: e.valLoss,
    valAccuracy: e.valAccuracy,
    durationMs: 0,
    samplesPerSecond: e.samplesPerSecond,
    partial: false,
  };
}

/** One progress event folded into a job: the current position, and a history entry when an epoch ended. */
export function applyProgress(job: TrainingJobDetail, e: TrainingProgressEvent): TrainingJobDetail {
  const history = job.metrics.history;
  const epochDone = e.phase === 'epoch' && !history.some((h) => h.epoch === e.epoch && !h.partial);
  const nextHistory = epochDone ? [...history.filter((h) => h.epoch !== e.epoch), epochFromEvent(e)].sort((a, b) => a.epoch - b.epoch) : history;
  return {
    ...job,
    status: job.status === 'queued' ? 'running' : job.status,
    progress: e.progress,
    epochsCompleted: e.phase === 'epoch' ? Math.max(job.epochsCompleted, e.epoch) : job.epochsCompleted,
    latest: epochDone ? epochFromEvent(e) : job.latest,
    metrics: {
      ...job.metrics,
      history: nextHistory,
      current: {
        epoch: e.epoch,
        epochs: e.epochs,
        batch: e.batch,
        batches: e.batches,
        progress: e.progress,
        loss: e.loss,
        accuracy: e.accuracy,
        samplesPerSecond: e.samplesPerSecond,
        etaSeconds: e.etaSeconds,
      },
    },
  };
}

/** An embedding event folded into a job: where its encoder stands (kept as `metrics.embedding`, as the server does). */
export function applyEmbedding(job: TrainingJobDetail, e: TrainingEmbeddingEvent): TrainingJobDetail {
  const old = job.metrics.embedding;
  // A late event of the same pass never moves the bar back.
  if (old && old.encoderId === e.encoderId && (old.done || e.rows < old.rows) && !e.done) return job;
  const embedding: EmbeddingProgress = {
    encoderId: e.encoderId,
    repoId: e.repoId,
    rows: e.rows,
    total: e.total,
    cached: e.cached,
    rowsPerSecond: e.rowsPerSecond,
    etaSeconds: e.etaSeconds,
    done: e.done,
    dim: e.dim,
  };
  return { ...job, status: job.status === 'queued' ? 'running' : job.status, metrics: { ...job.metrics, embedding } };
}

/** Socket events keep every cached view of a job current without refetching per batch. */
export function LiveTrainingProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();

  useSocketEvent('training:progress', (e) =>
    patchJob(
      queryClient,
      e.jobId,
      (job) => applyProgress(job, e),
      (row) => ({
        ...row,
        status: row.status === 'queued' ? 'running' : row.status,
        progress: e.progress,
        epochsCompleted: e.phase === 'epoch' ? Math.max(row.epochsCompleted, e.epoch) : row.epochsCompleted,
        latest: e.phase === 'epoch' ? epochFromEvent(e) : row.latest,
      }),
    ),
  );
  useSocketEvent('training:embedding', (e) =>
    patchJob(
      queryClient,
      e.jobId,
      (job) => applyEmbedding(job, e),
      (row) => ({ ...row, status: row.status === 'queued' ? 'running' : row.status }),
    ),
  );
  useSocketEvent('training:status', (e) =>
    patchJob(
      queryClient,
      e.jobId,
      (job) => ({ ...job, status: e.status, epochsCompleted: e.epochsCompleted }),
      (row) => ({ ...row, status: e.status, epochsCompleted: e.epochsCompleted }),
    ),
  );
  useSocketEvent('training:checkpoint', (e) => {
    // The list of checkpoints (and which one is best) comes from the server: cheap and always right.
    void queryClient.invalidateQueries({ queryKey: trainingKeys.job(e.jobId) });
  });
  const settle = (jobId: string) => {
    void queryClient.invalidateQueries({ queryKey: trainingKeys.job(jobId) });
    void queryClient.invalidateQueries({ queryKey: ['training', 'list'] });
    void queryClient.invalidateQueries({ queryKey: modelKeys.list });
    void queryClient.invalidateQueries({ queryKey: ['datasets'] });
  };
  useSocketEvent('training:complete', (e) => settle(e.jobId));
  useSocketEvent('training:error', (e) => settle(e.jobId));

  return <>{children}</>;
}
