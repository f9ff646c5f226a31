import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../app/preferences';
import { ProgressBar } from './ui';

export interface UploadProgressState {
  loaded: number;
  total: number;
  startedAt: number;
  bytesPerSecond: number;
}

export interface UploadSend {
  signal: AbortSignal;
  onProgress: (loaded: number, total: number) => void;
}

/**
 * One upload at a time with its byte progress and speed, and a cancel: `run` hands `send` the abort signal and the
 * progress callback, and clears both when it settles (whichever way).
 */
export function useUpload() {
  const abortRef = useRef<AbortController | null>(null);
  const [progress, setProgress] = useState<UploadProgressState | null>(null);
  const run = async <T,>(total: number, send: (opts: UploadSend) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    abortRef.current = controller;
    setProgress({ loaded: 0, total, startedAt: performance.now(), bytesPerSecond: 0 });
    try {
      return await send({
        signal: controller.signal,
        onProgress: (loaded, total) => {
          const now = performance.now();
          setProgress((p) => {
            if (!p) return p;
            const seconds = (now - p.startedAt) / 1000;
            // Under a fifth of a second the rate says more about the first packet than about the link.
            return { ...p, loaded, total, bytesPerSecond: seconds > 0.2 ? loaded / seconds : 0 };
          });
        },
      });
    } finally {
      abortRef.current = null;
      setProgress(null);
    }
  };
  return { progress, run, cancel: () => abortRef.current?.abort() };
}

/** The bar of an upload: share, bytes, speed and time left, then `afterSent` while the server checks what came. */
export function UploadProgress({ progress, label, afterSent, testId }: { progress: UploadProgressState; label: string; afterSent: string; testId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const fraction = progress.total > 0 ? progress.loaded / progress.total : 0;
  const speed = progress.bytesPerSecond;
  const eta = speed > 0 && fraction < 1 ? f.eta((progress.total - progress.loaded) / speed) : null;
  return (
    <div className="upload-progress" data-testid={testId}>
      <ProgressBar value={fraction} label={label} />
      <div className="meta-line">
        <span>{f.percent(fraction)}</span>
        <span>{t('downloads.bytes', { done: f.bytes(progress.loaded), total: f.bytes(progress.total) })}</span>
        {speed > 0 && <span>{f.speed(speed)}</span>}
        {eta && <span>{eta}</span>}
        {fraction >= 1 && <span>{afterSent}</span>}
      </div>
    </div>
  );
}
