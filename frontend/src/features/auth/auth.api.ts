import type { AuthResponse, ChangePasswordBody, LoginBody, PublicUser, RegisterBody } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export const authApi = {
  register: (api: ApiClient, body: RegisterBody) => api.post<AuthResponse>('/api/auth/register', body),
  login: (api: ApiClient, body: LoginBody) => api.post<AuthResponse>('/api/auth/login', body),
  me: (api: ApiClient) => api.get<{ user: PublicUser }>('/api/auth/me'),
  changePassword: (api: ApiClient, body: ChangePasswordBody) => api.post<AuthResponse>('/api/auth/password', body),
};
