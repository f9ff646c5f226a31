import { describe, expect, it } from 'vitest';
import { parseWav, peaks, rms } from './wav';

/** A real 16-bit mono PCM WAV, written byte by byte the way the server writes it. */
function wav(samples: number[], sampleRate = 22050, extraChunk = false): ArrayBuffer {
  const extra = extraChunk ? 8 + 4 : 0;
  const buf = new ArrayBuffer(44 + extra + samples.length * 2);
  const v = new DataView(buf);
  const str = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  str(0, 'RIFF');
  v.setUint32(4, 36 + extra + samples.length * 2, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  let o = 36;
  if (extraChunk) {
    str(o, 'LIST');
    v.setUint32(o + 4, 4, true);
    str(o + 8, 'INFO');
    o += 12;
  }
  str(o, 'data');
  v.setUint32(o + 4, samples.length * 2, true);
  samples.forEach((s, i) => v.setInt16(o + 8 + i * 2, Math.round(s * 32767), true));
  return buf;
}

describe('parseWav', () => {
  it('reads rate, duration and samples', () => {
    const audio = parseWav(wav([0, 0.5, -0.5, 1], 4));
    expect(audio.sampleRate).toBe(4);
    expect(audio.channels).toBe(1);
    expect(audio.durationSeconds).toBe(1);
    expect(audio.samples[1]).toBeCloseTo(0.5, 3);
    expect(audio.samples[2]).toBeCloseTo(-0.5, 3);
  });
  it('skips chunks it does not need', () => {
    expect(parseWav(wav([0.25, 0.25], 8000, true)).samples).toHaveLength(2);
  });
  it('refuses what is not 16-bit PCM WAV', () => {
    expect(() => parseWav(new TextEncoder().encode('not audio at all').buffer)).toThrow();
  });
});

describe('peaks and rms', () => {
  it('gives min/max per slice', () => {
    const audio = parseWav(wav([0.1, -0.2, 0.9, -0.9, 0, 0, 0.3, -0.3], 8));
    const p = peaks(audio, 4);
    expect(p).toHaveLength(4);
    expect(p[1]![0]).toBeCloseTo(-0.9, 2);
    expect(p[1]![1]).toBeCloseTo(0.9, 2);
    expect(p[2]).toEqual([0, 0]);
  });
  it('tells silence from sound', () => {
    expect(rms(parseWav(wav(new Array(100).fill(0))))).toBe(0);
    expect(rms(parseWav(wav(Array.from({ length: 100 }, (_, i) => Math.sin(i)))))).toBeGreaterThan(0.5);
  });
});
