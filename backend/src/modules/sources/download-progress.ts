import type { DownloadProgressEvent } from '@sokhan/common';
import type { DownloadProgress } from '../hub/hub.client.js';

export interface ProgressSinks {
  /** Persists the row's progress; called at most once per `dbIntervalMs`, never twice at once. */
  save(p: { bytesDownloaded: number; bytesTotal: number; progress: number; currentFile: string | null }): Promise<void>;
  /** Sends `download:progress` to the owner; called at most once per `eventIntervalMs`. */
  emit(e: DownloadProgressEvent): void;
  onSaveError?(err: unknown): void;
}

export interface ProgressOptions {
  id: string;
  repoId: string;
  dbIntervalMs: number;
  eventIntervalMs: number;
  /** The window the speed is measured over. */
  speedWindowMs?: number;
  now?: () => number;
  /** Connections the download has open now, sent with each event. */
  connections?: () => number;
}

/**
 * Turns a stream of byte counts into throttled row writes and events, with speed over a sliding window
 * (network bytes only, so a resumed prefix does not look like a burst) and an ETA.
 */
export class ProgressTracker {
  private last: DownloadProgress | null = null;
  private samples: { t: number; bytes: number }[] = [];
  private lastSaveAt = -Infinity;
  private lastEmitAt = -Infinity;
  private saving: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly opts: ProgressOptions,
    private readonly sinks: ProgressSinks,
  ) {
    this.now = opts.now ?? Date.now;
  }

  update(p: DownloadProgress): void {
    this.last = p;
    const t = this.now();
    this.samples.push({ t, bytes: p.networkBytes });
    const windowMs = this.opts.speedWindowMs ?? 5000;
    while (this.samples.length > 2 && (this.samples[1]?.t ?? t) < t - windowMs) this.samples.shift();
    if (t - this.lastEmitAt >= this.opts.eventIntervalMs) {
      this.lastEmitAt = t;
      this.sinks.emit(this.event(p));
    }
    if (!this.saving && t - this.lastSaveAt >= this.opts.dbIntervalMs) {
      this.lastSaveAt = t;
      this.saving = this.sinks
        .save(this.row(p))
        .catch((err: unknown) => this.sinks.onSaveError?.(err))
        .finally(() => {
          this.saving = null;
        });
    }
  }

  /** Waits for a write in flight; the final state is written by the caller's completion update. */
  async settle(): Promise<void> {
    await this.saving;
  }

  /** A last event with the final numbers (not throttled). */
  emitFinal(): void {
    if (this.last) this.sinks.emit(this.event(this.last));
  }

  speedBps(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return Math.max(0, Math.round(((last.bytes - first.bytes) * 1000) / (last.t - first.t)));
  }

  private row(p: DownloadProgress) {
    return { bytesDownloaded: p.bytesDownloaded, bytesTotal: p.bytesTotal, progress: percent(p), currentFile: p.file };
  }

  private event(p: DownloadProgress): DownloadProgressEvent {
    const speed = this.speedBps();
    const remaining = Math.max(0, p.bytesTotal - p.bytesDownloaded);
    return {
      id: this.opts.id,
      repoId: this.opts.repoId,
      file: p.file,
      bytesDownloaded: p.bytesDownloaded,
      bytesTotal: p.bytesTotal,
      progress: percent(p),
      speedBps: speed,
      etaSeconds: remaining === 0 ? 0 : speed > 0 ? Math.ceil(remaining / speed) : null,
      ...(this.opts.connections ? { connections: this.opts.connections() } : {}),
    };
  }
}

export function percent(p: { bytesDownloaded: number; bytesTotal: number; filesDone?: number; filesTotal?: number }): number {
  if (p.bytesTotal <= 0) return p.filesTotal && p.filesDone !== undefined ? Math.round((p.filesDone / p.filesTotal) * 100_000) / 1000 : 0;
  return Math.min(100, Math.round((p.bytesDownloaded / p.bytesTotal) * 100_000) / 1000);
}
