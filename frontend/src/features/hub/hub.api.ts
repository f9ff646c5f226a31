import type {
  CreateDownloadBody,
  DownloadListResponse,
  DownloadRecord,
  HubModelDetails,
  HubSearchResponse,
  HubSort,
  HubTokenValidation,
  InstalledListResponse,
  InstalledModel,
  HubModelCard,
} from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export interface SearchParams {
  q?: string;
  task?: string;
  sort?: HubSort;
  language?: string;
  author?: string;
  limit?: number;
  /** Only models with ONNX files, which can run here. */
  runsHere?: boolean;
  cursor?: string | null;
}

export const hubKeys = {
  search: (p: Omit<SearchParams, 'cursor'>) => ['hub', 'search', p] as const,
  model: (repoId: string, revision?: string) => ['hub', 'model', repoId, revision ?? 'main'] as const,
  card: (repoId: string) => ['hub', 'card', repoId] as const,
  downloads: ['downloads'] as const,
  download: (id: string) => ['download', id] as const,
  installed: ['installed'] as const,
};

/** The model page's routes: `owner/name`, and a legacy one-part id (`gpt2`) that the Hub still serves. */
export const MODEL_ROUTES = ['/hub/:owner/:name', '/hub/:name'] as const;

/** The repo id of a model page's route params. */
export function repoIdOf(params: { owner?: string; name?: string }): string {
  return params.owner ? `${params.owner}/${params.name ?? ''}` : (params.name ?? '');
}

/** `owner/name` as two path segments (a one-part id as one), each encoded on its own. */
export function repoPath(repoId: string): string {
  return repoId
    .split('/')
    .map((part) => encodeURIComponent(part))
    .join('/');
}

export const hubApi = {
  search: (api: ApiClient, p: SearchParams, signal?: AbortSignal) =>
    api.get<HubSearchResponse>('/api/sources/search', {
      query: { q: p.q, task: p.task, sort: p.sort, language: p.language, author: p.author, limit: p.limit, runsHere: p.runsHere || undefined, cursor: p.cursor },
      signal,
    }),
  model: (api: ApiClient, repoId: string, revision?: string, signal?: AbortSignal) =>
    api.get<HubModelDetails>(`/api/sources/model/${repoPath(repoId)}`, { query: { revision }, signal }),
  card: (api: ApiClient, repoId: string, signal?: AbortSignal) => api.get<HubModelCard>(`/api/sources/card/${repoPath(repoId)}`, { signal }),
  download: (api: ApiClient, body: CreateDownloadBody) => api.post<DownloadRecord>('/api/sources/download', body),
  downloads: (api: ApiClient, query: { limit?: number; offset?: number; status?: string } = {}) =>
    api.get<DownloadListResponse>('/api/sources/downloads', { query }),
  getDownload: (api: ApiClient, id: string) => api.get<DownloadRecord>(`/api/sources/download/${encodeURIComponent(id)}`),
  cancelDownload: (api: ApiClient, id: string) => api.delete<DownloadRecord>(`/api/sources/download/${encodeURIComponent(id)}`),
  installed: (api: ApiClient) => api.get<InstalledListResponse>('/api/sources/installed'),
  installedOne: (api: ApiClient, id: string) => api.get<InstalledModel>(`/api/sources/installed/${encodeURIComponent(id)}`),
  deleteInstalled: (api: ApiClient, id: string) => api.delete<void>(`/api/sources/installed/${encodeURIComponent(id)}`),
  validateToken: (api: ApiClient, token: string) => api.post<HubTokenValidation>('/api/sources/validate-token', { token }),
};
