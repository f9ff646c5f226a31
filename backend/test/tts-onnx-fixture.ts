/**
 * A tiny Piper-shaped voice on disk for tests: the generated ONNX graph (scripts/hub-mirror/piper-onnx.ts, which the
 * mirror's fixture voice uses too) and its `.onnx.json`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildPiperLikeOnnx, type FixtureModelOptions } from '../../scripts/hub-mirror/piper-onnx.js';

/** The phoneme map: Piper's specials plus every IPA symbol eSpeak NG's Persian voice prints, and punctuation. */
export function fixturePhonemeIdMap(): Record<string, number[]> {
  const symbols = ['_', '^', '$', ' ', '!', "'", '(', ')', ',', '-', '.', ':', ';', '?'];
  const letters = 'abdefhijklmnoprstuvxzæɑɒɔəɛɡɣɪʁʃʊʒʔʰːˈˌ̃ɾçqwcɟʤʧχ';
  const all = [...symbols, ...[...letters.normalize('NFD')]];
  const map: Record<string, number[]> = {};
  for (const s of all) if (!(s in map)) map[s] = [Object.keys(map).length];
  return map;
}

export interface FixtureVoice {
  onnxPath: string;
  configPath: string;
  sampleRate: number;
  hop: number;
}

/**
 * Writes `<dir>/<name>.onnx` and `<dir>/<name>.onnx.json` — the layout of a Piper voice in a downloaded
 * repository (e.g. `fa/fa_IR/<dataset>/<quality>/fa_IR-<dataset>-<quality>.onnx`).
 */
export async function writeFixtureVoice(
  dir: string,
  name: string,
  opts: FixtureModelOptions & { dataset?: string; quality?: string; inference?: { noise_scale: number; length_scale: number; noise_w: number } } = {},
): Promise<FixtureVoice> {
  const sampleRate = opts.sampleRate ?? 16000;
  const hop = opts.hop ?? 256;
  await fs.mkdir(dir, { recursive: true });
  const onnxPath = path.join(dir, `${name}.onnx`);
  const configPath = `${onnxPath}.json`;
  await fs.writeFile(onnxPath, buildPiperLikeOnnx({ ...opts, sampleRate, hop }));
  const speakers = opts.withSpeakerId ? 2 : 1;
  const config = {
    audio: { sample_rate: sampleRate, quality: opts.quality ?? 'x_low' },
    espeak: { voice: 'fa' },
    inference: opts.inference ?? { noise_scale: 0.667, length_scale: 1, noise_w: 0.8 },
    phoneme_type: 'espeak',
    phoneme_map: {},
    phoneme_id_map: fixturePhonemeIdMap(),
    num_symbols: opts.numSymbols ?? 256,
    num_speakers: speakers,
    speaker_id_map: speakers > 1 ? { a: 0, b: 1 } : {},
    language: { code: 'fa_IR', family: 'fa', region: 'IR', name_native: 'فارسی', name_english: 'Persian' },
    dataset: opts.dataset ?? 'sokhan-test',
    piper_version: '1.0.0',
  };
  await fs.writeFile(configPath, JSON.stringify(config, null, 2));
  return { onnxPath, configPath, sampleRate, hop };
}
