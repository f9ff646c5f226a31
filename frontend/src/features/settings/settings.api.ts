import type { HubTokenState, Preferences, SettingsResponse } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export interface TokenValidation {
  valid: boolean;
  username: string | null;
  [key: string]: unknown;
}

export const settingsKeys = { all: ['settings'] as const };

export const settingsApi = {
  get: (api: ApiClient) => api.get<SettingsResponse>('/api/settings'),
  save: (api: ApiClient, patch: Partial<Preferences>) => api.post<SettingsResponse>('/api/settings', patch),
  validateToken: (api: ApiClient, token?: string) =>
    api.put<TokenValidation>('/api/settings/huggingface/validate', token ? { token } : {}),
  saveToken: (api: ApiClient, token: string) => api.put<HubTokenState>('/api/settings/huggingface/token', { token }),
  removeToken: (api: ApiClient) => api.delete<HubTokenState>('/api/settings/huggingface/token'),
};
