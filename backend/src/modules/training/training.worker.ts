import { parentPort, workerData } from 'node:worker_threads';
import { initTfBackend } from './tf-backend.js';
import { runTraining, TrainingFailure, type TrainerControl } from './trainer.js';
import { CONTROL, type WorkerInput, type WorkerMessage } from './worker-protocol.js';

// One job per worker thread: its own TensorFlow.js engine, so the API thread never waits on training.
const input = workerData as WorkerInput;
const port = parentPort!;
const post = (m: WorkerMessage) => port.postMessage(m);
const flag = new Int32Array(input.control);
const control: TrainerControl = {
  requested: () => {
    const v = Atomics.load(flag, 0);
    return v === CONTROL.pause ? 'pause' : v === CONTROL.cancel ? 'cancel' : null;
  },
};

try {
  const backend = await initTfBackend(input.tfPreference);
  post({ type: 'backend', backend });
  const outcome = await runTraining({ ...input.job, backend }, control, (event) => post({ type: 'event', event }));
  post({ type: 'done', outcome });
} catch (err) {
  if (err instanceof TrainingFailure) post({ type: 'failed', code: err.code, message: err.message });
  else post({ type: 'failed', code: 'TRAINING_FAILED', message: 'training stopped on an internal error', detail: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}
