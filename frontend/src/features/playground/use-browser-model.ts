import { useEffect, useState } from 'react';
import { deserializeFeatures, type FittedFeatures, type TrainedModel } from '@sokhan/common';
import type { ApiClient } from '../../lib/api';
import type * as TfRuntime from './tf-runtime';
import type { BrowserBackend, LoadedModel } from './tf-runtime';

export type LoadStage = 'idle' | 'backend' | 'model' | 'ready' | 'error';

export interface BrowserModelState {
  stage: LoadStage;
  backend: BrowserBackend | null;
  skipped: BrowserBackend[];
  loaded: LoadedModel | null;
  features: FittedFeatures | null;
  runtime: typeof TfRuntime | null;
  error: unknown;
}

const IDLE: BrowserModelState = { stage: 'idle', backend: null, skipped: [], loaded: null, features: null, runtime: null, error: null };

export function modelFileUrl(api: ApiClient, modelId: string, name: string): string {
  return api.url(`/api/models/${encodeURIComponent(modelId)}/files/${encodeURIComponent(name)}`);
}

/**
 * Loads a trained model into this browser: TensorFlow.js (lazily), a backend, the network from
 * /api/models/:id/files/model.json with the bearer token, and the fitted features (features.json) that turn
 * inputs into the vector the network was trained on.
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
    const run = async () => {
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
      setState({ stage: 'ready', backend, skipped, loaded: net, features, runtime, error: null });
    };
    run().catch((error: unknown) => {
      if (!cancelled) setState((s) => ({ ...s, stage: 'error', error }));
    });
    return () => {
      cancelled = true;
      loaded?.dispose();
    };
  }, [api, model]);

  return state;
}
