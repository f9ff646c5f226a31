import { z } from 'zod';
import { ESPEAK_VOICE_PATTERN } from './espeak.js';

/**
 * The `*.onnx.json` that sits beside a Piper voice: sample rate, the eSpeak NG voice its phonemes come from,
 * default inference scales and the phoneme → ids map. Unknown keys are kept out of our types but allowed.
 */
const idList = z.array(z.number().int().min(0).max(1_000_000)).min(1).max(16);

export const piperConfigSchema = z.object({
  audio: z.object({
    sample_rate: z.number().int().min(4000).max(192_000),
    quality: z.string().max(40).optional(),
  }),
  espeak: z.object({ voice: z.string().regex(ESPEAK_VOICE_PATTERN) }).optional(),
  inference: z
    .object({
      noise_scale: z.number().min(0).max(10).optional(),
      length_scale: z.number().positive().max(10).optional(),
      noise_w: z.number().min(0).max(10).optional(),
    })
    .optional(),
  phoneme_type: z.enum(['espeak', 'text']).optional(),
  phoneme_id_map: z.record(z.string(), idList).refine((m) => Object.keys(m).length > 0 && Object.keys(m).length <= 4096, 'empty or oversized map'),
  num_symbols: z.number().int().positive().optional(),
  num_speakers: z.number().int().min(1).max(100_000).optional(),
  speaker_id_map: z.record(z.string(), z.number().int().min(0)).optional(),
  language: z
    .object({
      code: z.string().max(20).optional(),
      family: z.string().max(20).optional(),
      name_native: z.string().max(100).optional(),
      name_english: z.string().max(100).optional(),
    })
    .optional(),
  dataset: z.string().max(200).optional(),
});
export type PiperConfig = z.infer<typeof piperConfigSchema>;

export const PIPER_DEFAULT_SCALES = { noiseScale: 0.667, lengthScale: 1, noiseW: 0.8 } as const;

/** What synthesis needs from a config, with Piper's defaults filled in. */
export interface PiperVoiceSettings {
  sampleRate: number;
  espeakVoice: string;
  phonemeType: 'espeak' | 'text';
  phonemeIdMap: Record<string, number[]>;
  numSpeakers: number;
  noiseScale: number;
  lengthScale: number;
  noiseW: number;
}

export function piperSettings(config: PiperConfig): PiperVoiceSettings {
  return {
    sampleRate: config.audio.sample_rate,
    espeakVoice: config.espeak?.voice ?? 'fa',
    phonemeType: config.phoneme_type ?? 'espeak',
    phonemeIdMap: config.phoneme_id_map,
    numSpeakers: config.num_speakers ?? 1,
    noiseScale: config.inference?.noise_scale ?? PIPER_DEFAULT_SCALES.noiseScale,
    lengthScale: config.inference?.length_scale ?? PIPER_DEFAULT_SCALES.lengthScale,
    noiseW: config.inference?.noise_w ?? PIPER_DEFAULT_SCALES.noiseW,
  };
}

/** Parses a config file's text; throws with a short reason when it is not a Piper voice config. */
export function parsePiperConfig(text: string): PiperConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const r = piperConfigSchema.safeParse(raw);
  if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300));
  return r.data;
}
