import { createContext, useContext, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import type { DownloadListResponse, DownloadProgressEvent, DownloadRecord } from '@sokhan/common';
import { useSocketEvent } from '../../app/socket-context';
import { hubKeys } from '../hub/hub.api';

/** The last progress event per download: speed and ETA exist only in events, not in the stored row. */
export interface LiveDownloadStore {
  get(id: string): DownloadProgressEvent | undefined;
  set(event: DownloadProgressEvent): void;
  subscribe(listener: () => void): () => void;
}

export function createLiveDownloadStore(): LiveDownloadStore {
  const map = new Map<string, DownloadProgressEvent>();
  const listeners = new Set<() => void>();
  return {
    get: (id) => map.get(id),
    set(event) {
      map.set(event.id, event);
      for (const l of listeners) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Exported so a page (or a test) can be given its own store. */
export const LiveContext = createContext<LiveDownloadStore | null>(null);

type Cached = DownloadListResponse | InfiniteData<DownloadListResponse> | DownloadRecord | undefined;

/** Patches one download wherever it is cached: a page, paged pages, or the single record. */
export function patchCached(data: Cached, id: string, patch: Partial<DownloadRecord>): Cached {
  if (!data || typeof data !== 'object') return data;
  if ('pages' in data) {
    return { ...data, pages: data.pages.map((p) => patchCached(p, id, patch) as DownloadListResponse) };
  }
  // A late progress event never turns a finished download back into a running one.
  const apply = (d: DownloadRecord) => (d.id === id && (d.status === 'queued' || d.status === 'running') ? { ...d, ...patch } : d);
  if ('items' in data) return { ...data, items: data.items.map(apply) };
  if ('id' in data) return apply(data);
  return data;
}

/** Socket events keep the cached lists current without refetching on every tick. */
export function LiveDownloadsProvider({ children }: { children: ReactNode }) {
  const [store] = useState(createLiveDownloadStore);
  const queryClient = useQueryClient();

  useSocketEvent('download:progress', (e) => {
    store.set(e);
    const patch: Partial<DownloadRecord> = {
      status: 'running',
      progress: e.progress,
      bytesDownloaded: e.bytesDownloaded,
      bytesTotal: e.bytesTotal,
      currentFile: e.file,
    };
    queryClient.setQueriesData<Cached>({ queryKey: hubKeys.downloads }, (old) => patchCached(old, e.id, patch));
    queryClient.setQueriesData<Cached>({ queryKey: hubKeys.download(e.id) }, (old) => patchCached(old, e.id, patch));
  });
  const settle = () => {
    void queryClient.invalidateQueries({ queryKey: hubKeys.downloads });
    void queryClient.invalidateQueries({ queryKey: ['download'] });
    void queryClient.invalidateQueries({ queryKey: hubKeys.installed });
    void queryClient.invalidateQueries({ queryKey: ['hub'] });
    void queryClient.invalidateQueries({ queryKey: ['tts'] });
  };
  useSocketEvent('download:complete', settle);
  useSocketEvent('download:error', settle);

  return <LiveContext.Provider value={store}>{children}</LiveContext.Provider>;
}

export function useLiveDownload(id: string): DownloadProgressEvent | undefined {
  const store = useContext(LiveContext);
  return useSyncExternalStore(
    (l) => (store ? store.subscribe(l) : () => undefined),
    () => store?.get(id),
  );
}
