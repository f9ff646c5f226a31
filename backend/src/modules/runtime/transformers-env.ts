import type { Transformers } from './model-runner.js';

/**
 * transformers.js for installed models in this thread: local files only. Remote models are off and any network
 * fetch it would make throws, so a run never reaches the Hub (tested with an unreachable HF_ENDPOINT).
 */
export async function localTransformers(modelsRoot: string): Promise<Transformers> {
  const tjs = (await import('@huggingface/transformers')) as unknown as Transformers;
  tjs.env.allowRemoteModels = false;
  tjs.env.allowLocalModels = true;
  // Installed models are passed by their absolute folder; a bare id could only resolve under MODELS_DIR.
  tjs.env.localModelPath = modelsRoot;
  tjs.env.useFSCache = false;
  tjs.env.useBrowserCache = false;
  tjs.env.useWasmCache = false;
  tjs.env.fetch = () => {
    throw new Error('network access is switched off for installed models');
  };
  tjs.env.logLevel = 40; // errors only: warnings would go to the server's stdout outside the logger
  return tjs;
}
