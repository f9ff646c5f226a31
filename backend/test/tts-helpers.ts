import { decodeWav } from '../src/modules/tts/wav.js';

/** Root mean square of 16-bit samples (full-scale sine ≈ 23170; speech ≈ 1000–8000; silence ≈ 0). */
export function rms(samples: Int16Array): number {
  if (!samples.length) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / samples.length);
}

/** Parses a WAV answer: header fields checked, samples, duration in seconds. */
export function readWav(body: Buffer): { sampleRate: number; samples: Int16Array; seconds: number } {
  const { sampleRate, samples, info } = decodeWav(body);
  if (info.channels !== 1 || info.bitsPerSample !== 16) throw new Error('expected mono 16-bit');
  return { sampleRate, samples, seconds: samples.length / sampleRate };
}
