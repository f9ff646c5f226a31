import type { CreateTrainingRequest, DatasetDetail, DatasetSample, TrainingJobDetail } from '@sokhan/common';
import { ApiError, type ApiClient } from '../../lib/api';
import { applyDataset, buildRequest, defaultDraft } from '../training/form-model';
import { trainingApi } from '../training/training.api';
import { datasetsApi } from './datasets.api';

/** The request the new-training form would send for this dataset untouched: its columns and the form's defaults. */
export function firstTrainingRequest(dataset: DatasetDetail): CreateTrainingRequest {
  const { request, issues } = buildRequest(applyDataset(defaultDraft(), dataset));
  if (!request) throw new Error(`the default training settings do not fit this dataset: ${JSON.stringify(issues)}`);
  return request;
}

/** The user's copy of the sample (added now when there is none, or it was deleted meanwhile). */
async function sampleDataset(api: ApiClient, sample: DatasetSample, name: string): Promise<DatasetDetail> {
  if (sample.datasetId) {
    try {
      return await datasetsApi.get(api, sample.datasetId);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  return datasetsApi.addSample(api, sample.id, { name });
}

/** One click from a sample to a running job: add it if needed, then start training with the form's defaults. */
export async function trainFirstModel(api: ApiClient, sample: DatasetSample, name: string): Promise<TrainingJobDetail> {
  const dataset = await sampleDataset(api, sample, name);
  return trainingApi.create(api, firstTrainingRequest(dataset));
}
