import type { AddSampleBody, DatasetDetail, DatasetListResponse, DatasetRowsResponse, DatasetSampleListResponse, DatasetUploadFields, Dataset } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export const datasetKeys = {
  all: ['datasets'] as const,
  list: ['datasets', 'list'] as const,
  samples: ['datasets', 'samples'] as const,
  one: (id: string) => ['datasets', 'one', id] as const,
  rows: (id: string, offset: number, limit: number) => ['datasets', 'rows', id, offset, limit] as const,
};

export const datasetsApi = {
  list: (api: ApiClient) => api.get<DatasetListResponse>('/api/datasets', { query: { limit: 100 } }),
  get: (api: ApiClient, id: string) => api.get<DatasetDetail>(`/api/datasets/${encodeURIComponent(id)}`),
  rows: (api: ApiClient, id: string, offset: number, limit: number) =>
    api.get<DatasetRowsResponse>(`/api/datasets/${encodeURIComponent(id)}/rows`, { query: { offset, limit } }),
  samples: (api: ApiClient) => api.get<DatasetSampleListResponse>('/api/datasets/samples'),
  addSample: (api: ApiClient, sampleId: string, body: AddSampleBody = {}) =>
    api.post<DatasetDetail>(`/api/datasets/samples/${encodeURIComponent(sampleId)}`, body),
  remove: (api: ApiClient, id: string) => api.delete<void>(`/api/datasets/${encodeURIComponent(id)}`),
  /** Text fields go first so the server knows the name before the file streams in. */
  upload: (
    api: ApiClient,
    fields: DatasetUploadFields,
    file: File,
    opts: { onProgress?: (loaded: number, total: number) => void; signal?: AbortSignal },
  ) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined && value !== '') form.append(key, String(value));
    }
    form.append('file', file, file.name);
    return api.upload<Dataset>('/api/datasets', form, opts);
  },
};
