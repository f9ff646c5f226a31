import type { Checkpoint, EmbeddingProgress, TrainingProgressState, TrainingStatus } from './contracts/training.js';

/**
 * Server → client events, sent to the room `user:<id>` only.
 * Feature payload types are declared here so the backend emitter and the frontend listener share them.
 */
export interface DownloadProgressEvent {
  id: string;
  repoId: string;
  file: string | null;
  bytesDownloaded: number;
  bytesTotal: number;
  progress: number;
  speedBps: number;
  etaSeconds: number | null;
  /** Connections the download has open now (more than one while a large file goes as parallel ranges); absent from older servers. */
  connections?: number;
}
export interface DownloadCompleteEvent {
  id: string;
  modelId: string;
  repoId: string;
  sizeBytes: number;
  files: number;
}
export interface DownloadErrorEvent {
  id: string;
  code: string;
  message: string;
}

/** Per batch (at most 4 a second) and at every epoch end; the row keeps the same figures (`TrainingProgressState`). */
export interface TrainingProgressEvent extends TrainingProgressState {
  jobId: string;
  /** Set on the epoch-end event when there is a validation split. */
  valLoss: number | null;
  valAccuracy: number | null;
  /** 'epoch' marks the event sent when an epoch ends (its figures go into the metric history). */
  phase: 'batch' | 'epoch';
}
/** While a job's encoder embeds its dataset (at most 4 a second, and when it finishes). */
export interface TrainingEmbeddingEvent extends EmbeddingProgress {
  jobId: string;
}
export interface TrainingCompleteEvent {
  jobId: string;
  modelId: string;
  metrics: Record<string, number | null>;
}
export interface TrainingErrorEvent {
  jobId: string;
  code: string;
  message: string;
}
export interface TrainingStatusEvent {
  jobId: string;
  status: TrainingStatus;
  /** Epochs completed so far. */
  epochsCompleted: number;
}
/** A checkpoint as it is saved; `best` says it is now the best of the job (lowest validation loss). */
export type TrainingCheckpointEvent = Omit<Checkpoint, 'id' | 'sizeBytes' | 'createdAt'> & { checkpointId: string };

export interface ServerToClientEvents {
  'download:progress': (payload: DownloadProgressEvent) => void;
  'download:complete': (payload: DownloadCompleteEvent) => void;
  'download:error': (payload: DownloadErrorEvent) => void;
  'training:progress': (payload: TrainingProgressEvent) => void;
  'training:embedding': (payload: TrainingEmbeddingEvent) => void;
  'training:complete': (payload: TrainingCompleteEvent) => void;
  'training:error': (payload: TrainingErrorEvent) => void;
  'training:status': (payload: TrainingStatusEvent) => void;
  'training:checkpoint': (payload: TrainingCheckpointEvent) => void;
}

/** Clients send nothing that changes rooms; the map is empty on purpose. */
export type ClientToServerEvents = Record<string, never>;

export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
