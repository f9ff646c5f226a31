import { describe, expect, it } from 'vitest';
import { act, screen } from '@testing-library/react';
import type { DownloadRecord } from '@sokhan/common';
import { renderWithApp } from '../../test/harness';
import { DownloadItem } from './DownloadItem';
import { createLiveDownloadStore, LiveContext } from './live-downloads';

const running: DownloadRecord = {
  id: 'd1',
  repoId: 'sokhan-lab/vits-fa-female',
  revision: 'main',
  commitSha: null,
  modelId: null,
  status: 'running',
  progress: 10,
  bytesDownloaded: 100,
  bytesTotal: 1000,
  currentFile: 'model.safetensors',
  include: [],
  exclude: [],
  errorCode: null,
  error: null,
  createdAt: '',
  updatedAt: '',
  startedAt: null,
  finishedAt: null,
};

describe('DownloadItem', () => {
  it('shows the connections in use while a large file goes as parallel ranges, and none for one stream', () => {
    const store = createLiveDownloadStore();
    renderWithApp(
      <LiveContext.Provider value={store}>
        <DownloadItem record={running} />
      </LiveContext.Provider>,
    );
    const event = { id: 'd1', repoId: running.repoId, file: 'model.safetensors', bytesDownloaded: 400, bytesTotal: 1000, progress: 40, speedBps: 1000, etaSeconds: 1 };
    act(() => store.set({ ...event, connections: 8 }));
    expect(screen.getByTestId('download-connections').textContent).toBe('با ۸ اتصال');
    act(() => store.set({ ...event, connections: 1 }));
    expect(screen.queryByTestId('download-connections')).toBeNull();
    // An older server sends no count: nothing is shown.
    act(() => store.set(event));
    expect(screen.queryByTestId('download-connections')).toBeNull();
  });
});
