/** 16-bit PCM mono WAV: encoding our output and reading what eSpeak NG writes. */

export interface PcmAudio {
  sampleRate: number;
  samples: Int16Array;
}

const HEADER_BYTES = 44;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A canonical 44-byte-header RIFF/WAVE file of mono 16-bit little-endian PCM. */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(HEADER_BYTES + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  if (LITTLE_ENDIAN) {
    buf.set(new Uint8Array(samples.buffer, samples.byteOffset, dataBytes), HEADER_BYTES);
  } else {
    for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i]!, HEADER_BYTES + i * 2);
  }
  return buf;
}

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data actually present (a streaming writer may leave a placeholder size in the header). */
  dataBytes: number;
}

/** Reads the chunks of a RIFF/WAVE file; throws on anything that is not one. */
export function parseWavHeader(bytes: Uint8Array): WavInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let at = 12;
  let fmt: { channels: number; sampleRate: number; bits: number; format: number } | null = null;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + 16 > bytes.length) throw new Error('truncated fmt chunk');
      fmt = {
        format: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      if (fmt.format !== 1) throw new Error(`unsupported WAV format ${fmt.format}`);
      const present = bytes.length - body;
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bits,
        dataOffset: body,
        dataBytes: Math.min(size, present) - (Math.min(size, present) % 2),
      };
    }
    at = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/** Mono 16-bit samples of a WAV file (the only layout eSpeak NG writes). */
export function decodeWav(bytes: Uint8Array): PcmAudio & { info: WavInfo } {
  const info = parseWavHeader(bytes);
  if (info.channels !== 1 || info.bitsPerSample !== 16) throw new Error('expected mono 16-bit PCM');
  const samples = new Int16Array(info.dataBytes / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset + info.dataOffset, info.dataBytes);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true);
  return { sampleRate: info.sampleRate, samples, info };
}

/**
 * Float audio to 16-bit PCM, scaled so the loudest sample reaches full range — what Piper does with its model
 * output (the floor of 0.01 keeps near-silence from being blown up into noise).
 */
export function floatToPcm16Normalized(audio: Float32Array): Int16Array {
  let peak = 0;
  for (let i = 0; i < audio.length; i++) {
    const a = Math.abs(audio[i]!);
    if (a > peak) peak = a;
  }
  const scale = 32767 / Math.max(0.01, peak);
  const out = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) {
    const v = Math.round(audio[i]! * scale);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}
