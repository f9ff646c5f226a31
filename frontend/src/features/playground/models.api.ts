import type { TrainedModel, TrainedModelListResponse } from '@sokhan/common';
import type { ApiClient, UploadOptions } from '../../lib/api';

export const modelKeys = {
  /** Refreshed when a job ends (live-training) and after an import. */
  list: ['training', 'models'] as const,
};

/** The name a Content-Disposition gives: its UTF-8 filename*, else its plain filename. */
export function attachmentName(header: string | null, fallback: string): string {
  const utf8 = header?.match(/filename\*=UTF-8''([^;]+)/i)?.[1];
  if (utf8) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      // A malformed escape: the plain name below.
    }
  }
  return header?.match(/filename="([^"]+)"/i)?.[1] ?? fallback;
}

export const modelsApi = {
  list: (api: ApiClient) => api.get<TrainedModelListResponse>('/api/models'),
  /** The model as one .zip (GET /api/models/:id/export), with the name the server gives it. */
  exportArchive: async (api: ApiClient, modelId: string): Promise<{ blob: Blob; fileName: string }> => {
    const res = await api.raw('GET', `/api/models/${encodeURIComponent(modelId)}/export`, { headers: { Accept: 'application/zip' } });
    return { blob: await res.blob(), fileName: attachmentName(res.headers.get('content-disposition'), 'sokhan-model.zip') };
  },
  importArchive: (api: ApiClient, file: File, opts: UploadOptions = {}) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<TrainedModel>('/api/models/import', form, opts);
  },
};
