import type { TtsHistoryItem, TtsHistoryPage, TtsParams, TtsVoicesResponse } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';

export const ttsKeys = {
  voices: ['tts', 'voices'] as const,
  history: ['tts', 'history'] as const,
};

export interface Synthesis {
  wav: ArrayBuffer;
  durationSeconds: number | null;
  sampleRate: number | null;
  clipId: string | null;
  historyId: string | null;
  /** Request to last byte, as the user waited for it. */
  elapsedMs: number;
}

const numberHeader = (res: Response, name: string) => {
  const v = Number(res.headers.get(name));
  return Number.isFinite(v) && res.headers.has(name) ? v : null;
};

export const ttsApi = {
  voices: (api: ApiClient) => api.get<TtsVoicesResponse>('/api/tts/voices'),
  synthesize: async (api: ApiClient, params: TtsParams, save: boolean, signal?: AbortSignal): Promise<Synthesis> => {
    const started = performance.now();
    const res = await api.raw('POST', '/api/tts', { body: { ...params, format: 'wav', save }, headers: { Accept: 'audio/wav' }, signal });
    const wav = await res.arrayBuffer();
    return {
      wav,
      elapsedMs: performance.now() - started,
      durationSeconds: numberHeader(res, 'X-Tts-Duration'),
      sampleRate: numberHeader(res, 'X-Tts-Sample-Rate'),
      clipId: res.headers.get('X-Tts-Clip-Id'),
      historyId: res.headers.get('X-Tts-History-Id'),
    };
  },
  keep: (api: ApiClient, clipId: string) => api.post<TtsHistoryItem>('/api/tts/history', { clipId }),
  history: (api: ApiClient) => api.get<TtsHistoryPage>('/api/tts/history', { query: { limit: 50 } }),
  audio: async (api: ApiClient, item: TtsHistoryItem): Promise<ArrayBuffer> => (await api.raw('GET', item.audioUrl, { headers: { Accept: 'audio/wav' } })).arrayBuffer(),
  remove: (api: ApiClient, id: string) => api.delete<void>(`/api/tts/history/${encodeURIComponent(id)}`),
};
