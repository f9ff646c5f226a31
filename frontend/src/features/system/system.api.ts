import type { HealthResponse, SystemStatus } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export const systemApi = {
  status: (api: ApiClient) => api.get<SystemStatus>('/api/system/status'),
  health: (api: ApiClient) => api.get<HealthResponse>('/api/health'),
};
