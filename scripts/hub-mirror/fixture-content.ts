import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Deterministic pseudo-random bytes: the AES-256-CTR keystream under sha256(seed). Fast (GB/s) and
 * streamable, so a 256 MB file is produced chunk by chunk with identical bytes on every run.
 */
export function keystream(seed: string) {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
  return (n: number): Buffer => cipher.update(Buffer.alloc(n));
}

export function fixtureBytes(seed: string, size: number): Buffer {
  return keystream(seed)(size);
}

/** Streams `size` pseudo-random bytes to a file (backpressure honoured) and returns their sha256. */
export async function writeRandomFile(file: string, size: number, seed: string): Promise<string> {
  const next = keystream(seed);
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  const chunkSize = 4 << 20;
  try {
    for (let written = 0; written < size; ) {
      const chunk = next(Math.min(chunkSize, size - written));
      hash.update(chunk);
      written += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    throw err;
  }
  return hash.digest('hex');
}

/** Small float32 values in [-0.1, 0.1) from the keystream (raw random bytes would be NaNs and huge numbers). */
export function fixtureFloats(seed: string, count: number): Float32Array {
  const raw = fixtureBytes(seed, count * 4);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 1) out[i] = (raw.readUInt32LE(i * 4) / 0x1_0000_0000 - 0.5) * 0.2;
  return out;
}

/** A valid safetensors file (8-byte header length, JSON header, F32 data) with the given tensors. */
export function safetensors(seed: string, tensors: { name: string; shape: number[] }[], metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt', ...metadata } };
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const data = Buffer.from(fixtureFloats(`${seed}:${t.name}`, count).buffer);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + data.length] };
    offset += data.length;
    blobs.push(data);
  }
  let json = JSON.stringify(header);
  // The format pads the header with spaces to an 8-byte boundary.
  while (Buffer.byteLength(json) % 8 !== 0) json += ' ';
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([len, Buffer.from(json), ...blobs]);
}

/** A loadable TF.js layers model (Dense → Dense softmax) whose weights are split over two shard files. */
export function tfjsLayersModel(seed: string, inputSize: number, hidden: number, classes: number) {
  const weights = [
    { name: 'dense_Dense1/kernel', shape: [inputSize, hidden], dtype: 'float32' },
    { name: 'dense_Dense1/bias', shape: [hidden], dtype: 'float32' },
    { name: 'dense_Dense2/kernel', shape: [hidden, classes], dtype: 'float32' },
    { name: 'dense_Dense2/bias', shape: [classes], dtype: 'float32' },
  ];
  const data = Buffer.concat(
    weights.map((w) => Buffer.from(fixtureFloats(`${seed}:${w.name}`, w.shape.reduce((a, b) => a * b, 1)).buffer)),
  );
  const split = Math.ceil(data.length / 2 / 4) * 4;
  const dense = (name: string, units: number, activation: string, extra: Record<string, unknown> = {}) => ({
    class_name: 'Dense',
    config: {
      units,
      activation,
      use_bias: true,
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name,
      trainable: true,
      ...extra,
    },
  });
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: {
        name: 'sequential_1',
        layers: [
          dense('dense_Dense1', hidden, 'relu', { batch_input_shape: [null, inputSize], dtype: 'float32' }),
          dense('dense_Dense2', classes, 'softmax'),
        ],
      },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights }],
  };
  return {
    modelJson: JSON.stringify(modelJson, null, 2),
    shard1: data.subarray(0, split),
    shard2: data.subarray(split),
  };
}

/**
 * A Piper voice config in the shape piper's exporter writes (`<voice>.onnx.json`), for espeak-ng's Persian
 * voice. The phoneme id map follows Piper's fixed symbol table: pad/bos/eos, punctuation, then IPA letters.
 */
export function piperVoiceConfig(dataset: string, quality: 'x_low' | 'low' | 'medium' | 'high', sampleRate: number) {
  const symbols = [
    '_', '^', '$', ' ', '!', "'", '(', ')', ',', '-', '.', ':', ';', '?',
    'a', 'b', 'c', 'd', 'e', 'f', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 'u', 'v', 'w',
    'x', 'y', 'z', 'æ', 'ç', 'ð', 'ø', 'ħ', 'ŋ', 'œ', 'ǀ', 'ǁ', 'ǂ', 'ǃ', 'ɐ', 'ɑ', 'ɒ', 'ɓ', 'ɔ', 'ɕ', 'ɖ', 'ɗ',
    'ɘ', 'ə', 'ɚ', 'ɛ', 'ɜ', 'ɞ', 'ɟ', 'ɠ', 'ɡ', 'ɢ', 'ɣ', 'ɤ', 'ɥ', 'ɦ', 'ɧ', 'ɨ', 'ɪ', 'ɫ', 'ɬ', 'ɭ', 'ɮ', 'ɯ',
    'ɰ', 'ɱ', 'ɲ', 'ɳ', 'ɴ', 'ɵ', 'ɶ', 'ɸ', 'ɹ', 'ɺ', 'ɻ', 'ɽ', 'ɾ', 'ʀ', 'ʁ', 'ʂ', 'ʃ', 'ʄ', 'ʈ', 'ʉ', 'ʊ', 'ʋ',
    'ʌ', 'ʍ', 'ʎ', 'ʏ', 'ʐ', 'ʑ', 'ʒ', 'ʔ', 'ʕ', 'ʘ', 'ʙ', 'ʛ', 'ʜ', 'ʝ', 'ʟ', 'ʡ', 'ʢ', 'ʲ', 'ˈ', 'ˌ', 'ː', 'ˑ',
    '˞', 'β', 'θ', 'χ', 'ᵻ', 'ⱱ',
  ];
  const phoneme_id_map: Record<string, number[]> = {};
  symbols.forEach((s, i) => {
    phoneme_id_map[s] = [i];
  });
  return {
    dataset,
    audio: { sample_rate: sampleRate, quality },
    espeak: { voice: 'fa' },
    language: {
      code: 'fa_IR',
      family: 'fa',
      region: 'IR',
      name_native: 'فارسی',
      name_english: 'Persian',
      country_english: 'Iran',
    },
    inference: { noise_scale: 0.667, length_scale: 1, noise_w: 0.8 },
    phoneme_type: 'espeak',
    phoneme_map: {},
    phoneme_id_map,
    num_symbols: 256,
    num_speakers: 1,
    speaker_id_map: {},
    piper_version: '1.0.0',
  };
}
