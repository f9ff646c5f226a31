import type { ModelRuntime } from '@sokhan/common';
import { describe, expect, it } from 'vitest';
import { vitsVoices } from './runtime-voices.js';
import type { ReadyModelRow } from './tts.repository.js';

const model = (id: string, metadata: Record<string, unknown> = {}): ReadyModelRow => ({
  id,
  name: `owner/${id}`,
  repo_id: `owner/${id}`,
  metadata,
  updated_at: new Date(0),
  file_path: `owner/${id}`,
});

const runnable = (pipelines: string[], samplingRate: number | null): ModelRuntime => ({
  status: 'runnable',
  pipelines: pipelines as never,
  variants: [{ variant: 'fp32', file: 'onnx/model.onnx', sizeBytes: 10 }],
  defaultVariant: 'fp32',
  text: { persian: true, digits: 'keep', keepDiacritics: true },
  maskToken: null,
  hiddenSize: null,
  samplingRate,
  checkedAt: '2025-01-01T00:00:00.000Z',
});

describe('vitsVoices', () => {
  it('offers only the models the runtime runs as text-to-speech, with their license and first language', () => {
    const models = [model('voice', { license: 'cc-by-nc-4.0', languages: ['fa', 'en'] }), model('bare'), model('classifier'), model('broken'), model('new')];
    const runtimes = new Map<string, ModelRuntime>([
      ['voice', runnable(['text-to-speech'], 16000)],
      ['bare', runnable(['text-to-speech'], 22050)],
      ['classifier', runnable(['text-classification'], null)],
      ['broken', { status: 'unsupported', reasonCode: 'onnx-load-failed', reason: 'the ONNX file does not load: x', checkedAt: '2025-01-01T00:00:00.000Z' }],
      ['new', { status: 'unchecked' }],
    ]);
    const voices = vitsVoices(models, runtimes);
    expect(voices.map((v) => v.id)).toEqual(['vits:voice', 'vits:bare']);
    expect(voices[0]).toMatchObject({ name: 'voice', language: 'fa', license: 'cc-by-nc-4.0', sampleRate: 16000, engine: 'vits', sourceRepo: 'owner/voice', speakers: 1, defaults: null });
    // Nothing on the Hub said which language: said as undetermined, not guessed.
    expect(voices[1]).toMatchObject({ language: 'und', license: null, sampleRate: 22050 });
  });

  it('leaves out a text-to-speech model without a sample rate (its audio could not be played)', () => {
    expect(vitsVoices([model('voice')], new Map([['voice', runnable(['text-to-speech'], null)]]))).toEqual([]);
  });
});
