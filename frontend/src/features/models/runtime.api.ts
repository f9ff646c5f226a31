import { runRequestSchema, runResponseSchema, type RunRequest, type RunResponse } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export const runtimeApi = {
  /**
   * `POST /api/models/:id/run`, validated both ways with the shared contracts: the request before it leaves (a
   * form checks it first, so this only catches a programming slip), the answer before the page reads it.
   */
  run: async (api: ApiClient, modelId: string, body: RunRequest): Promise<RunResponse> => {
    const answer = await api.post<unknown>(`/api/models/${encodeURIComponent(modelId)}/run`, runRequestSchema.parse(body));
    return runResponseSchema.parse(answer);
  },
};

/** The installed model's own page (its runtime status and the try-it panel). */
export const installedModelPath = (id: string) => `/models/${encodeURIComponent(id)}`;
