import type { ErrorCode, TfBackendName } from '@sokhan/common';
import type { TfPreference } from './tf-backend.js';
import type { TrainerEvent, TrainJob, TrainOutcome } from './trainer.js';

/** What the main thread hands a training worker. */
export interface WorkerInput {
  job: Omit<TrainJob, 'backend'>;
  tfPreference: TfPreference;
  /** One Int32 the main thread sets (Atomics) and the worker reads after every batch: see CONTROL. */
  control: SharedArrayBuffer;
}

export const CONTROL = { run: 0, pause: 1, cancel: 2 } as const;

/** Worker → main, in order: the backend, trainer events, then exactly one of done / failed. */
export type WorkerMessage =
  | { type: 'backend'; backend: TfBackendName }
  | { type: 'event'; event: TrainerEvent }
  | { type: 'done'; outcome: TrainOutcome }
  /** `message` is shown to the user; `detail` (an unexpected error's own text) only goes to the log. */
  | { type: 'failed'; code: ErrorCode; message: string; detail?: string };
