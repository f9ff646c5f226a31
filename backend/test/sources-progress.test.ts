import type { DownloadProgressEvent } from '@sokhan/common';
import { describe, expect, it } from 'vitest';
import { percent, ProgressTracker } from '../src/modules/sources/download-progress.js';

describe('ProgressTracker', () => {
  it('writes the row at most once a second, emits at most 4 events a second, and measures speed and ETA', async () => {
    let now = 0;
    const saves: { at: number; bytes: number }[] = [];
    const events: (DownloadProgressEvent & { at: number })[] = [];
    const tracker = new ProgressTracker(
      { id: 'd1', repoId: 'a/b', dbIntervalMs: 1000, eventIntervalMs: 250, speedWindowMs: 2000, now: () => now },
      {
        save: async (p) => {
          saves.push({ at: now, bytes: p.bytesDownloaded });
        },
        emit: (e) => events.push({ ...e, at: now }),
      },
    );
    const total = 10_000_000;
    // 1 MB/s in 10 ms steps for 3 s, with a 2 MB resumed prefix that must not count as speed.
    for (let t = 0; t <= 3000; t += 10) {
      now = t;
      const network = t * 1000;
      tracker.update({ file: 'w.bin', bytesDownloaded: 2_000_000 + network, bytesTotal: total, filesDone: 0, filesTotal: 1, networkBytes: network });
      await Promise.resolve();
    }
    await tracker.settle();
    expect(saves.map((s) => s.at)).toEqual([0, 1000, 2000, 3000]);
    expect(events.length).toBe(13);
    for (let i = 1; i < events.length; i += 1) expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(250);
    const last = events[events.length - 1]!;
    expect(last.speedBps).toBe(1_000_000);
    expect(last.etaSeconds).toBe(5);
    expect(last.progress).toBe(50);
    tracker.emitFinal();
    expect(events.length).toBe(14);
  });

  it('computes percent with three decimals, bounded at 100', () => {
    expect(percent({ bytesDownloaded: 1, bytesTotal: 3 })).toBe(33.333);
    expect(percent({ bytesDownloaded: 5, bytesTotal: 3 })).toBe(100);
    expect(percent({ bytesDownloaded: 0, bytesTotal: 0, filesDone: 1, filesTotal: 2 })).toBe(50);
  });
});
