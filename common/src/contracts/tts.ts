import { z } from 'zod';
import { pageQuerySchema, pageSchema } from './paging.js';

/**
 * Contracts of speech synthesis (`/api/tts…`). Request schemas are what the server parses; response schemas
 * describe exactly what it answers. Errors: EMPTY_TEXT (400), TEXT_TOO_LONG (400, details [{ maxLength }]),
 * UNKNOWN_VOICE (404), SYNTHESIS_FAILED (500), SERVICE_UNAVAILABLE (503, synthesis queue full), NOT_FOUND.
 */

/** `vits`: a VITS/MMS text-to-speech model from the Hub that runs here (transformers.js, the model runtime). */
export const TTS_ENGINES = ['espeak', 'piper', 'vits'] as const;
export type TtsEngine = (typeof TTS_ENGINES)[number];

/** The built-in voice: eSpeak NG's Persian voice, present with no download. */
export const BUILTIN_VOICE_ID = 'espeak:fa';

/** The default bound on input text (code points); the server's TTS_MAX_CHARS may set another (see voices). */
export const TTS_DEFAULT_MAX_CHARS = 2000;

export const TTS_RATE_RANGE = { min: 0.5, max: 2 } as const;
export const TTS_NOISE_SCALE_RANGE = { min: 0, max: 1.5 } as const;
export const TTS_LENGTH_SCALE_RANGE = { min: 0.25, max: 4 } as const;
export const TTS_NOISE_W_RANGE = { min: 0, max: 1.5 } as const;

export const ttsScalesSchema = z.object({ noiseScale: z.number(), lengthScale: z.number(), noiseW: z.number() });
export type TtsScales = z.infer<typeof ttsScalesSchema>;

export const ttsVoiceSchema = z.object({
  /**
   * `espeak:fa` for the built-in voice; `piper:<modelId>:<path of the .onnx inside the model, no extension>`;
   * `vits:<modelId>` for an installed VITS/MMS model the runtime runs as text-to-speech.
   */
  id: z.string(),
  name: z.string(),
  /** `fa`, the Piper config's language code (`fa_IR`), or a VITS model's first language on the Hub (`und` if none). */
  language: z.string(),
  /** Piper's quality tier (`x_low`, `low`, `medium`, `high`); null for the built-in voice. */
  quality: z.string().nullable(),
  sampleRate: z.number(),
  engine: z.enum(TTS_ENGINES),
  /** The installed model (models.id) it comes from; null for the built-in voice. */
  modelId: z.string().nullable(),
  /** The Hub repository it was downloaded from (`owner/name`); null for the built-in voice. */
  sourceRepo: z.string().nullable(),
  /** From the model's Hub metadata when known (e.g. `mit`, `cc-by-nc-4.0`). */
  license: z.string().nullable(),
  /** Speakers of a multi-speaker voice (pick one with `speakerId` 0…speakers-1); 1 otherwise. */
  speakers: z.number(),
  /** The voice's own noise/length scales (from its config); null for the built-in voice and VITS models. */
  defaults: ttsScalesSchema.nullable(),
});
export type TtsVoice = z.infer<typeof ttsVoiceSchema>;

/** A Piper voice file in an installed model that will not run here, and why (never offered as a voice). */
export const ttsUnavailableVoiceSchema = z.object({
  modelId: z.string(),
  repoId: z.string().nullable(),
  /** The `.onnx` file, relative to the model's folder. */
  file: z.string(),
  /** Technical, in English (onnxruntime's words); the UI frames it in the user's language. */
  reason: z.string(),
});
export type TtsUnavailableVoice = z.infer<typeof ttsUnavailableVoiceSchema>;

/** `GET /api/tts/voices`: the built-in voice first, then installed voices by name. */
export const ttsVoicesResponseSchema = z.object({
  voices: z.array(ttsVoiceSchema),
  unavailable: z.array(ttsUnavailableVoiceSchema),
  defaultVoiceId: z.string(),
  /** The longest text (in code points) `POST /api/tts` takes. */
  maxTextLength: z.number(),
});
export type TtsVoicesResponse = z.infer<typeof ttsVoicesResponseSchema>;

/**
 * The synthesis parameters. `rate` speeds up (>1) or slows down (<1) any voice. `noiseScale`, `lengthScale`,
 * `noiseW` override a Piper voice's defaults (`lengthScale` also slows the built-in voice; the noise scales do
 * not apply to it). A VITS voice speaks at its model's own pace: a `rate` other than 1 and the scales are refused
 * for it (VALIDATION_FAILED). Text emptiness and length are checked by the server (EMPTY_TEXT / TEXT_TOO_LONG), not here.
 */
export const ttsParamsSchema = z.strictObject({
  /** Bounded by the server (TEXT_TOO_LONG past `maxTextLength` code points) and by the JSON body limit. */
  text: z.string(),
  voiceId: z.string().trim().min(1).max(1000),
  rate: z.number().min(TTS_RATE_RANGE.min).max(TTS_RATE_RANGE.max).optional(),
  noiseScale: z.number().min(TTS_NOISE_SCALE_RANGE.min).max(TTS_NOISE_SCALE_RANGE.max).optional(),
  lengthScale: z.number().min(TTS_LENGTH_SCALE_RANGE.min).max(TTS_LENGTH_SCALE_RANGE.max).optional(),
  noiseW: z.number().min(TTS_NOISE_W_RANGE.min).max(TTS_NOISE_W_RANGE.max).optional(),
  speakerId: z.number().int().min(0).max(100_000).optional(),
});
export type TtsParams = z.infer<typeof ttsParamsSchema>;

/**
 * `POST /api/tts`. `format: "wav"` (default) answers `audio/wav` (16-bit mono PCM) with headers
 * `X-Tts-Duration` (seconds), `X-Tts-Sample-Rate`, `X-Tts-Clip-Id` and, with `save: true`, `X-Tts-History-Id`.
 * `format: "json"` answers TtsSynthesisInfo. `save: true` also stores the clip in the caller's history.
 */
export const ttsSynthesizeSchema = ttsParamsSchema.extend({
  format: z.enum(['wav', 'json']).default('wav'),
  save: z.boolean().default(false),
});
export type TtsSynthesizeRequest = z.input<typeof ttsSynthesizeSchema>;
export type TtsSynthesizeBody = z.infer<typeof ttsSynthesizeSchema>;

export const ttsSentenceTimingSchema = z.object({
  /** The sentence as spoken (after normalisation and number/abbreviation expansion). */
  text: z.string(),
  /** IPA from eSpeak NG (a Piper voice's also carries the punctuation it was fed). */
  phonemes: z.string(),
  startSeconds: z.number(),
  endSeconds: z.number(),
});
export type TtsSentenceTiming = z.infer<typeof ttsSentenceTimingSchema>;

export const ttsUsedParamsSchema = z.object({
  rate: z.number(),
  noiseScale: z.number().nullable(),
  lengthScale: z.number().nullable(),
  noiseW: z.number().nullable(),
  speakerId: z.number().nullable(),
});
export type TtsUsedParams = z.infer<typeof ttsUsedParamsSchema>;

/** `POST /api/tts` with `format: "json"`. */
export const ttsSynthesisInfoSchema = z.object({
  voiceId: z.string(),
  engine: z.enum(TTS_ENGINES),
  sampleRate: z.number(),
  durationSeconds: z.number(),
  /** The whole prepared text. */
  text: z.string(),
  /** All sentences' phonemes, joined by a space. */
  phonemes: z.string(),
  sentences: z.array(ttsSentenceTimingSchema),
  /** The parameters the audio was made with (a Piper voice's scales after defaults and `rate`). */
  parameters: ttsUsedParamsSchema,
  /** WAV bytes of the audio (what `format: "wav"` would have sent). */
  sizeBytes: z.number(),
  /** Pass to `POST /api/tts/history` `{ clipId }` within a few minutes to keep exactly this audio. */
  clipId: z.string(),
  /** Set when `save: true`. */
  historyId: z.string().nullable(),
  /** Phoneme symbols the voice does not know (skipped); empty for the built-in voice. */
  unknownPhonemes: z.array(z.string()),
  computeSeconds: z.number(),
});
export type TtsSynthesisInfo = z.infer<typeof ttsSynthesisInfoSchema>;

/**
 * `POST /api/tts/history`: keep a clip just synthesised (`{ clipId }`, from `X-Tts-Clip-Id` or the JSON answer;
 * NOT_FOUND once it has expired), or synthesise and keep in one step (the synthesis parameters). Answers 201
 * with the TtsHistoryItem.
 */
export const ttsHistoryCreateSchema = z.union([z.strictObject({ clipId: z.string().uuid() }), ttsParamsSchema]);
export type TtsHistoryCreateRequest = z.infer<typeof ttsHistoryCreateSchema>;

export const ttsHistoryItemSchema = z.object({
  id: z.string(),
  /** The text as the user typed it. */
  text: z.string(),
  voiceId: z.string(),
  voiceName: z.string(),
  engine: z.enum(TTS_ENGINES),
  parameters: ttsUsedParamsSchema,
  durationSeconds: z.number(),
  sampleRate: z.number(),
  sizeBytes: z.number(),
  /** `GET` it with the bearer token: `audio/wav`. */
  audioUrl: z.string(),
  createdAt: z.string(),
});
export type TtsHistoryItem = z.infer<typeof ttsHistoryItemSchema>;

/** `GET /api/tts/history`: the caller's clips, newest first. */
export const ttsHistoryQuerySchema = pageQuerySchema(100, 20, 1_000_000);
export type TtsHistoryQuery = z.infer<typeof ttsHistoryQuerySchema>;

export const ttsHistoryPageSchema = pageSchema(ttsHistoryItemSchema);
export type TtsHistoryPage = z.infer<typeof ttsHistoryPageSchema>;

export const ttsHistoryIdParamsSchema = z.object({ id: z.string().uuid() });
