import type { ModelRuntime, RunRequestInput, RunResponse, TtsVoice } from '@sokhan/common';
import { SENTENCE_SILENCE_SECONDS } from './synth-engine.js';
import type { SynthOutput, SynthSentence } from './synth-types.js';
import type { ReadyModelRow } from './tts.repository.js';
import { decodeWav } from './wav.js';

/**
 * VITS/MMS voices: installed Hub models the model runtime (backend/src/modules/runtime) inspected as runnable
 * text-to-speech. The runtime loaded each once when it inspected it, so one that does not load is never offered;
 * synthesis goes through the runtime's own worker pool, sentence by sentence.
 */

/** What speech needs of the runtime (RuntimeService): the inspections, and a run. */
export interface RuntimeVoices {
  runtimesOf(modelIds: string[]): Promise<Map<string, ModelRuntime>>;
  run(modelId: string, body: RunRequestInput): Promise<RunResponse>;
}

export const VITS_VOICE_PREFIX = 'vits:';

export function vitsVoiceId(modelId: string): string {
  return `${VITS_VOICE_PREFIX}${modelId}`;
}

/** The voices among these models: those whose inspection found text-to-speech runs here. */
export function vitsVoices(models: ReadyModelRow[], runtimes: Map<string, ModelRuntime>): TtsVoice[] {
  return models.flatMap((model): TtsVoice[] => {
    const runtime = runtimes.get(model.id);
    if (runtime?.status !== 'runnable' || !runtime.pipelines.includes('text-to-speech') || !runtime.samplingRate) return [];
    const meta = model.metadata;
    const languages = Array.isArray(meta.languages) ? meta.languages.filter((l): l is string => typeof l === 'string') : [];
    const repoId = model.repo_id ?? model.name;
    return [
      {
        id: vitsVoiceId(model.id),
        name: repoId.split('/').pop() ?? repoId,
        language: languages[0] ?? 'und',
        quality: null,
        sampleRate: runtime.samplingRate,
        engine: 'vits',
        modelId: model.id,
        sourceRepo: model.repo_id,
        license: typeof meta.license === 'string' ? meta.license : null,
        speakers: 1,
        defaults: null,
      },
    ];
  });
}

/** Each sentence through the runtime, joined with the pause Piper voices leave between sentences. */
export async function speakWithRuntime(runtime: Pick<RuntimeVoices, 'run'>, modelId: string, sentences: string[]): Promise<SynthOutput> {
  const chunks: Int16Array[] = [];
  const timings: SynthSentence[] = [];
  let sampleRate = 0;
  let cursor = 0;
  for (const [i, inputs] of sentences.entries()) {
    const out = await runtime.run(modelId, { pipeline: 'text-to-speech', inputs });
    if (out.pipeline !== 'text-to-speech') throw new Error(`the runtime answered ${out.pipeline}`);
    const audio = decodeWav(Buffer.from(out.wavBase64, 'base64'));
    sampleRate = audio.sampleRate;
    if (i > 0 && cursor > 0) {
      const silence = new Int16Array(Math.round(SENTENCE_SILENCE_SECONDS * sampleRate));
      chunks.push(silence);
      cursor += silence.length;
    }
    timings.push({ phonemes: '', startSample: cursor, endSample: cursor + audio.samples.length });
    chunks.push(audio.samples);
    cursor += audio.samples.length;
  }
  const samples = new Int16Array(cursor);
  let at = 0;
  for (const c of chunks) {
    samples.set(c, at);
    at += c.length;
  }
  return { sampleRate, samples, sentences: timings, unknownPhonemes: [], scales: null };
}
