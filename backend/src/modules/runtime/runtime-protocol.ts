import type { OnnxVariant, RunPipeline, RunRequestInput, RunResponse, TextPreparation } from '@sokhan/common';

/** Messages between the runtime pool and its worker threads: plain data, cloned across the thread boundary. */

export interface LoadSpec {
  /** Absolute folder of the installed model (inside MODELS_DIR). */
  folder: string;
  pipeline: RunPipeline;
  variant: OnnxVariant;
  /** Weights (`onnx/model*.onnx_data`) kept beside the graph. */
  externalData: boolean;
}

export interface RunJob extends LoadSpec {
  /** Bytes the loaded model is counted as in the worker's memory budget (its ONNX files). */
  sizeBytes: number;
  text: TextPreparation;
  request: RunRequestInput;
}

/** What loading the model once tells about it. */
export interface ProbeResult {
  /** The tokenizer's vocabulary decides how Persian text is prepared for it. */
  text: TextPreparation;
  maskToken: string | null;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What running a pipeline gives; the worker adds its timings, the service the model's identity. */
export type RunBody = DistributiveOmit<RunResponse, 'modelId' | 'repoId' | 'variant' | 'cached' | 'loadMs' | 'runMs'>;
export type RunOutput = RunBody & Pick<RunResponse, 'cached' | 'loadMs' | 'runMs'>;

export type WorkerRequest = { id: number; kind: 'run'; job: RunJob } | { id: number; kind: 'probe'; job: LoadSpec };

/** `stage` tells a model that does not load from one that fails while running. */
export type WorkerResponse =
  | { id: number; ok: true; output: RunOutput | ProbeResult; resident: string[] }
  | { id: number; ok: false; stage: 'load' | 'run'; error: string; resident: string[] };

/** The cache key of a loaded model: one folder and ONNX variant. */
export const residentKey = (spec: Pick<LoadSpec, 'folder' | 'variant'>) => `${spec.folder}|${spec.variant}`;
