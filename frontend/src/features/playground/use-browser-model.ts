import { useEffect, useState } from 'react';
import { deserializeFeatures, type FittedFeatures, type TrainedModel } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';
import type { EncoderFileProgress, LoadedEncoder } from './encoder-runtime';
import type * as TfRuntime from './tf-runtime';
import type { BrowserBackend, LoadedModel } from './tf-runtime';

export type LoadStage = 'idle' | 'backend' | 'model' | 'encoder' | 'ready' | 'error';

export interface BrowserModelState {
  stage: LoadStage;
  backend: BrowserBackend | null;
  skipped: BrowserBackend[];
  loaded: LoadedModel | null;
  features: FittedFeatures | null;
  runtime: typeof TfRuntime | null;
  /** Models on an encoder: it, once loaded, and the file it is fetching meanwhile. */
  encoder: LoadedEncoder | null;
  encoderFile: EncoderFileProgress | null;
  error: unknown;
}

const IDLE: BrowserModelState = { stage: 'idle', backend: null, skipped: [], loaded: null, features: null, runtime: null, encoder: null, encoderFile: null, error: null };

/** Why a model's encoder does not run here: removed from the installed models, or it failed to load (`cause`). */
export class EncoderUnavailableError extends Error {
  constructor(
    readonly reason: 'removed' | 'failed',
    readonly repoId: string,
    options?: { cause?: unknown },
  ) {
    super(`encoder ${repoId}: ${reason}`, options);
    this.name = 'EncoderUnavailableError';
  }
}

export function modelFileUrl(api: ApiClient, modelId: string, name: string): string {
  return api.url(`/api/models/${encodeURIComponent(modelId)}/files/${encodeURIComponent(name)}`);
}

/**
 * Loads a trained model into this browser: TensorFlow.js (lazily), a backend, the network from
 * /api/models/:id/files/model.json with the bearer token, and the fitted features (features.json) that turn
 * inputs into the vector the network was trained on. A model on an encoder also gets that encoder
 * (transformers.js, lazily) from /api/models/:id/encoder/<path>.
 */
export function useBrowserModel(api: ApiClient, model: TrainedModel | null): BrowserModelState {
  const [state, setState] = useState<BrowserModelState>(IDLE);
  const [forId, setForId] = useState<string | null>(null);
  const modelId = model?.id ?? null;
  // A different model starts from idle (adjusting state during render, not in an effect).
  if (modelId !== forId) {
    setForId(modelId);
    setState(IDLE);
  }

  useEffect(() => {
    if (!model || model.status !== 'ready') return;
    let cancelled = false;
    let loaded: LoadedModel | null = null;
    let encoder: LoadedEncoder | null = null;
    const run = async () => {
      // Its encoder was removed: the head alone cannot read a text (the server refuses it too, ENCODER_MISSING).
      if (model.encoder && model.encoder.installedId === null) throw new EncoderUnavailableError('removed', model.encoder.repoId);
      setState({ ...IDLE, stage: 'backend' });
      const runtime = await import('./tf-runtime');
      const { backend, skipped } = await runtime.pickBackend();
      if (cancelled) return;
      setState((s) => ({ ...s, stage: 'model', backend, skipped, runtime }));
      const featuresName = model.files.find((f) => f.name === 'features.json')?.name ?? 'features.json';
      const [net, featuresJson] = await Promise.all([
        runtime.loadModel(modelFileUrl(api, model.id, 'model.json'), api.authHeaders(), backend),
        api.raw('GET', `/api/models/${encodeURIComponent(model.id)}/files/${encodeURIComponent(featuresName)}`).then((r) => r.json() as Promise<unknown>),
      ]);
      loaded = net;
      if (cancelled) {
        net.dispose();
        return;
      }
      const features = deserializeFeatures(featuresJson);
      if (model.encoder) {
        const spec = model.encoder;
        setState((s) => ({ ...s, stage: 'encoder', loaded: net, features }));
        try {
          const { loadEncoder } = await import('./encoder-runtime');
          const source = { apiRoot: new URL(api.url('/api/models/'), window.location.href).href, authHeaders: () => api.authHeaders() };
          encoder = await loadEncoder(model.id, spec, source, (file) => {
            if (!cancelled) setState((s) => ({ ...s, encoderFile: file }));
          });
        } catch (err) {
          throw new EncoderUnavailableError('failed', spec.repoId, { cause: err });
        }
        if (cancelled) {
          void encoder.dispose();
          return;
        }
      }
      setState({ stage: 'ready', backend, skipped, loaded: net, features, runtime, encoder, encoderFile: null, error: null });
    };
    run().catch((error: unknown) => {
      if (!cancelled) setState((s) => ({ ...s, stage: 'error', error }));
    });
    return () => {
      cancelled = true;
      loaded?.dispose();
      void encoder?.dispose();
    };
  }, [api, model]);

  return state;
}
