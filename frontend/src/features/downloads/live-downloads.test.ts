import { describe, expect, it } from 'vitest';
import type { DownloadListResponse, DownloadRecord } from '@sokhan/common';
import { createLiveDownloadStore, patchCached } from './live-downloads';

function record(id: string, status: DownloadRecord['status']): DownloadRecord {
  return {
    id,
    repoId: 'sokhan-lab/vits-fa-female',
    revision: 'main',
    commitSha: null,
    modelId: null,
    status,
    progress: 0,
    bytesDownloaded: 0,
    bytesTotal: 100,
    currentFile: null,
    include: [],
    exclude: [],
    errorCode: null,
    error: null,
    createdAt: '',
    updatedAt: '',
    startedAt: null,
    finishedAt: null,
  };
}

describe('patchCached', () => {
  const patch = { progress: 40, bytesDownloaded: 40, status: 'running' as const };
  it('patches a page, paged pages and a single record', () => {
    const page: DownloadListResponse = { items: [record('a', 'queued'), record('b', 'running')], total: 2, limit: 20, offset: 0 };
    expect((patchCached(page, 'a', patch) as DownloadListResponse).items[0]).toMatchObject({ progress: 40, status: 'running' });
    const paged = { pages: [page], pageParams: [0] };
    const out = patchCached(paged, 'b', patch) as typeof paged;
    expect(out.pages[0]!.items[1]).toMatchObject({ progress: 40 });
    expect(patchCached(record('a', 'running'), 'a', patch)).toMatchObject({ progress: 40 });
  });
  it('never turns a finished download back into a running one', () => {
    expect(patchCached(record('a', 'completed'), 'a', patch)).toMatchObject({ status: 'completed', progress: 0 });
  });
});

describe('live download store', () => {
  it('keeps the last event per download and notifies', () => {
    const store = createLiveDownloadStore();
    let calls = 0;
    const off = store.subscribe(() => (calls += 1));
    store.set({ id: 'a', repoId: 'x/y', file: 'model.onnx', bytesDownloaded: 5, bytesTotal: 10, progress: 50, speedBps: 1000, etaSeconds: 5 });
    expect(store.get('a')?.speedBps).toBe(1000);
    off();
    store.set({ id: 'a', repoId: 'x/y', file: null, bytesDownloaded: 10, bytesTotal: 10, progress: 100, speedBps: 0, etaSeconds: 0 });
    expect(calls).toBe(1);
  });
});
