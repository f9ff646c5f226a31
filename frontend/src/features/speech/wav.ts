/** A 16-bit PCM WAV as the speech API returns it: enough to draw its waveform without decoding audio. */
export interface PcmAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved samples scaled to -1..1. */
  samples: Float32Array;
  durationSeconds: number;
}

function tag(view: DataView, offset: number): string {
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

/** Reads the RIFF chunks (fmt, data; others skipped). Throws on anything that is not 16-bit PCM. */
export function parseWav(buffer: ArrayBuffer): PcmAudio {
  const view = new DataView(buffer);
  if (buffer.byteLength < 12 || tag(view, 0) !== 'RIFF' || tag(view, 8) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  let format = 0;
  let data: { start: number; length: number } | null = null;
  while (offset + 8 <= buffer.byteLength) {
    const id = tag(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
    } else if (id === 'data') {
      data = { start: body, length: Math.min(size, buffer.byteLength - body) };
      break;
    }
    offset = body + size + (size % 2);
  }
  if (format !== 1 || bits !== 16 || !data || channels < 1 || sampleRate <= 0) throw new Error('unsupported WAV (16-bit PCM expected)');
  const count = Math.floor(data.length / 2);
  const samples = new Float32Array(count);
  for (let i = 0; i < count; i += 1) samples[i] = view.getInt16(data.start + i * 2, true) / 32768;
  return { sampleRate, channels, samples, durationSeconds: count / channels / sampleRate };
}

/** Min and max of each of `buckets` equal slices (first channel only): the shape a waveform draws. */
export function peaks(audio: PcmAudio, buckets: number): Array<[number, number]> {
  const frames = Math.floor(audio.samples.length / audio.channels);
  const out: Array<[number, number]> = [];
  if (frames === 0 || buckets <= 0) return out;
  const per = frames / buckets;
  for (let b = 0; b < buckets; b += 1) {
    const from = Math.floor(b * per);
    const to = Math.max(from + 1, Math.floor((b + 1) * per));
    let min = 0;
    let max = 0;
    for (let i = from; i < to && i < frames; i += 1) {
      const v = audio.samples[i * audio.channels] ?? 0;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out.push([min, max]);
  }
  return out;
}

/** Root mean square of the samples: near zero means silence. */
export function rms(audio: PcmAudio): number {
  if (audio.samples.length === 0) return 0;
  let sum = 0;
  for (const v of audio.samples) sum += v * v;
  return Math.sqrt(sum / audio.samples.length);
}
