import type {
  CheckpointListResponse,
  CreateTrainingRequest,
  EvaluateModelResponse,
  ModelEvaluationListResponse,
  PredictResponse,
  TrainingJobDetail,
  TrainingListResponse,
  TrainingStatus,
} from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export const trainingKeys = {
  all: ['training'] as const,
  list: (status?: string) => ['training', 'list', status ?? 'all'] as const,
  job: (id: string) => ['training', 'job', id] as const,
  evaluations: (modelId: string) => ['training', 'evaluations', modelId] as const,
};

export const ACTIVE_STATUSES: ReadonlyArray<TrainingStatus> = ['queued', 'running', 'pausing', 'paused'];
export const isActiveJob = (status: TrainingStatus) => ACTIVE_STATUSES.includes(status);

const id = (value: string) => encodeURIComponent(value);

export const trainingApi = {
  create: (api: ApiClient, body: CreateTrainingRequest) => api.post<TrainingJobDetail>('/api/training', body),
  list: (api: ApiClient, query: { status?: string; limit?: number; offset?: number } = {}) =>
    api.get<TrainingListResponse>('/api/training', { query: { limit: 50, ...query } }),
  get: (api: ApiClient, jobId: string) => api.get<TrainingJobDetail>(`/api/training/${id(jobId)}`),
  pause: (api: ApiClient, jobId: string) => api.post<TrainingJobDetail>(`/api/training/${id(jobId)}/pause`),
  resume: (api: ApiClient, jobId: string) => api.post<TrainingJobDetail>(`/api/training/${id(jobId)}/resume`),
  cancel: (api: ApiClient, jobId: string) => api.delete<TrainingJobDetail>(`/api/training/${id(jobId)}`),
  checkpoints: (api: ApiClient, jobId: string) => api.get<CheckpointListResponse>(`/api/training/${id(jobId)}/checkpoints`),
  predict: (api: ApiClient, modelId: string, inputs: Record<string, string | number | null>) =>
    api.post<PredictResponse>(`/api/models/${id(modelId)}/predict`, { inputs }),
  evaluate: (api: ApiClient, modelId: string, datasetId: string) => api.post<EvaluateModelResponse>(`/api/models/${id(modelId)}/evaluate`, { datasetId }),
  evaluations: (api: ApiClient, modelId: string) => api.get<ModelEvaluationListResponse>(`/api/models/${id(modelId)}/evaluations`),
};
