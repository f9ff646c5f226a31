import { describe, expect, it } from 'vitest';
import type { Checkpoint, TrainingEmbeddingEvent, TrainingJobDetail, TrainingProgressEvent } from '@sokhan/common';
import { applyEmbedding, applyProgress } from './live-training';
import { visibleCheckpoints } from './JobPage';

function job(): TrainingJobDetail {
  return {
    id: 'j',
    status: 'queued',
    progress: 0,
    name: 'n',
    task: 'text-classification',
    datasetId: null,
    modelId: null,
    baseModelId: null,
    epochsCompleted: 0,
    latest: null,
    error: null,
    backend: null,
    config: {} as TrainingJobDetail['config'],
    createdAt: '',
    updatedAt: '',
    startedAt: null,
    finishedAt: null,
    metrics: { backend: null, history: [], current: null, final: null, best: null, samples: null, featureDim: null, parameters: null, classes: null, stoppedEarly: false },
    checkpoints: [],
    model: null,
    evaluation: null,
  };
}

const event = (over: Partial<TrainingProgressEvent>): TrainingProgressEvent => ({
  jobId: 'j',
  epoch: 1,
  epochs: 3,
  batch: 5,
  batches: 10,
  progress: 16,
  loss: 0.7,
  accuracy: 0.5,
  valLoss: null,
  valAccuracy: null,
  samplesPerSecond: 900,
  etaSeconds: 12,
  phase: 'batch',
  ...over,
});

describe('applyProgress', () => {
  it('moves the current position on batch events without touching the history', () => {
    const next = applyProgress(job(), event({}));
    expect(next.status).toBe('running');
    expect(next.metrics.current).toMatchObject({ batch: 5, batches: 10, etaSeconds: 12 });
    expect(next.metrics.history).toEqual([]);
  });
  it('adds one history point per finished epoch, once', () => {
    let j = applyProgress(job(), event({ phase: 'epoch', epoch: 1, batch: 10, progress: 33, valLoss: 0.6, valAccuracy: 0.7 }));
    j = applyProgress(j, event({ phase: 'epoch', epoch: 1, batch: 10, progress: 33 }));
    j = applyProgress(j, event({ phase: 'epoch', epoch: 2, batch: 10, progress: 66, loss: 0.4 }));
    expect(j.metrics.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(j.metrics.history[0]).toMatchObject({ valLoss: 0.6, valAccuracy: 0.7 });
    expect(j.epochsCompleted).toBe(2);
    expect(j.latest?.loss).toBe(0.4);
  });
});

describe('applyEmbedding', () => {
  const embedding = (over: Partial<TrainingEmbeddingEvent>): TrainingEmbeddingEvent => ({
    jobId: 'j',
    encoderId: 'e',
    repoId: 'sokhan-lab/bert-fa-tiny-encoder',
    rows: 100,
    total: 480,
    cached: false,
    rowsPerSecond: 250,
    etaSeconds: 2,
    done: false,
    dim: 32,
    ...over,
  });

  it('keeps where the encoder stands as metrics.embedding, without the job id', () => {
    const next = applyEmbedding(job(), embedding({}));
    expect(next.status).toBe('running');
    expect(next.metrics.embedding).toEqual({ encoderId: 'e', repoId: 'sokhan-lab/bert-fa-tiny-encoder', rows: 100, total: 480, cached: false, rowsPerSecond: 250, etaSeconds: 2, done: false, dim: 32 });
  });

  it('moves forward only: a late event does not pull the bar back, the final one always lands', () => {
    let j = applyEmbedding(job(), embedding({ rows: 300 }));
    j = applyEmbedding(j, embedding({ rows: 200 }));
    expect(j.metrics.embedding?.rows).toBe(300);
    j = applyEmbedding(j, embedding({ rows: 480, done: true, etaSeconds: 0 }));
    expect(j.metrics.embedding).toMatchObject({ rows: 480, done: true });
    j = applyEmbedding(j, embedding({ rows: 400 }));
    expect(j.metrics.embedding).toMatchObject({ rows: 480, done: true });
  });

  it('reports a dataset the cache already held', () => {
    const j = applyEmbedding(job(), embedding({ rows: 480, cached: true, done: true, rowsPerSecond: null, etaSeconds: null }));
    expect(j.metrics.embedding).toMatchObject({ cached: true, done: true, rows: 480, total: 480 });
  });
});

describe('visibleCheckpoints', () => {
  const cp = (epoch: number, best = false): Checkpoint => ({
    id: String(epoch),
    jobId: 'j',
    epoch,
    step: epoch * 10,
    loss: 1 / epoch,
    accuracy: null,
    valLoss: null,
    valAccuracy: null,
    best,
    partial: false,
    sizeBytes: 1,
    createdAt: '',
  });
  it('shows the newest first and always keeps the best', () => {
    const list = [cp(1), cp(2, true), cp(3), cp(4), cp(5)];
    expect(visibleCheckpoints(list, 2).map((c) => c.epoch)).toEqual([5, 4, 2]);
    expect(visibleCheckpoints(list, 10).map((c) => c.epoch)).toEqual([5, 4, 3, 2, 1]);
  });
});
