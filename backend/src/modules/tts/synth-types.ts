import type { PiperVoiceSettings } from './piper-config.js';

/** What the synthesis worker is asked to run: plain data, cloned across the thread boundary. */
export type SynthVoiceSpec =
  | { engine: 'espeak'; espeakVoice: string }
  | { engine: 'piper'; onnxPath: string; settings: PiperVoiceSettings };

export interface SynthJob {
  voice: SynthVoiceSpec;
  /** Prepared sentences, in order; none empty. */
  sentences: string[];
  /** Speed multiplier (1 = the voice's normal pace). */
  rate: number;
  noiseScale?: number;
  lengthScale?: number;
  noiseW?: number;
  speakerId?: number;
}

export interface SynthSentence {
  phonemes: string;
  startSample: number;
  endSample: number;
}

export interface SynthOutput {
  sampleRate: number;
  samples: Int16Array;
  sentences: SynthSentence[];
  /** Phoneme code points the voice's map does not know (skipped), for diagnostics. */
  unknownPhonemes: string[];
  /** The scales actually used (neural voices only). */
  scales: { noiseScale: number; lengthScale: number; noiseW: number } | null;
}

export type WorkerRequest = { id: number; job: SynthJob };
export type WorkerResponse = { id: number; ok: true; output: SynthOutput } | { id: number; ok: false; error: string };
