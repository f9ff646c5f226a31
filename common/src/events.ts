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
}
export interface DownloadCompleteEvent {
  id: string;
  modelId: string;
  path: string;
  sizeBytes: number;
  files: number;
}
export interface DownloadErrorEvent {
  id: string;
  code: string;
  message: string;
}

export interface TrainingProgressEvent {
  jobId: string;
  epoch: number;
  totalEpochs: number;
  batch: number;
  batchesPerEpoch: number;
  progress: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
  etaSeconds: number | null;
  samplesPerSecond: number | null;
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
  status: string;
}
export interface TrainingCheckpointEvent {
  jobId: string;
  checkpointId: string;
  epoch: number;
  loss: number | null;
  accuracy: number | null;
}

export interface ServerToClientEvents {
  'download:progress': (payload: DownloadProgressEvent) => void;
  'download:complete': (payload: DownloadCompleteEvent) => void;
  'download:error': (payload: DownloadErrorEvent) => void;
  'training:progress': (payload: TrainingProgressEvent) => void;
  'training:complete': (payload: TrainingCompleteEvent) => void;
  'training:error': (payload: TrainingErrorEvent) => void;
  'training:status': (payload: TrainingStatusEvent) => void;
  'training:checkpoint': (payload: TrainingCheckpointEvent) => void;
}

/** Clients send nothing that changes rooms; the map is empty on purpose. */
export type ClientToServerEvents = Record<string, never>;

export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
