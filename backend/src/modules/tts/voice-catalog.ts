import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BUILTIN_VOICE_ID, type TtsUnavailableVoice, type TtsVoice } from '@sokhan/common';
import type { Logger } from '../../platform/logger.js';
import { parsePiperConfig, piperSettings } from './piper-config.js';
import { VITS_VOICE_PREFIX, vitsVoices, type RuntimeVoices } from './runtime-voices.js';
import type { SynthVoiceSpec } from './synth-types.js';
import type { ReadyModelRow, TtsRepository } from './tts.repository.js';
import type { VoiceProbe } from './voice-probe.js';

/** How a voice speaks: in the synthesis workers (eSpeak NG, Piper), or through the model runtime (VITS). */
export type VoiceSpec = SynthVoiceSpec | { engine: 'vits'; modelId: string };

export interface VoiceEntry {
  voice: TtsVoice;
  spec: VoiceSpec;
}

/** What a scan of the installed models found: voices to offer, and voice files that will not run, with why. */
export interface VoiceScan {
  voices: VoiceEntry[];
  unavailable: TtsUnavailableVoice[];
}

export const BUILTIN_VOICE: VoiceEntry = {
  voice: {
    id: BUILTIN_VOICE_ID,
    name: 'eSpeak NG فارسی',
    language: 'fa',
    quality: null,
    sampleRate: 22050,
    engine: 'espeak',
    modelId: null,
    sourceRepo: null,
    license: 'GPL-3.0-or-later',
    speakers: 1,
    defaults: null,
  },
  spec: { engine: 'espeak', espeakVoice: 'fa' },
};

/** Bounds on scanning a model folder, so a huge repository cannot stall the voices list. */
const MAX_DEPTH = 6;
const MAX_ENTRIES = 5000;
const MAX_CONFIG_BYTES = 2 * 1024 * 1024;
const CACHE_TTL_MS = 30_000;

/**
 * The voices users can pick: the built-in one, every Piper voice (`x.onnx` beside `x.onnx.json`) found in the
 * folders of ready installed models that onnxruntime loads as a voice, and every installed VITS/MMS model the
 * model runtime found runs text-to-speech here. A file that does not load is never offered; a Piper one is listed
 * as unavailable with the reason (the installed-models page says why a VITS model does not run). A model's scan (and its probes, which load each voice
 * once) is cached until its row changes, which an install or reinstall does; the folder is re-read after 30 s.
 */
export class VoiceCatalog {
  private readonly cache = new Map<string, { stamp: string; at: number; scan: VoiceScan; probed: Map<string, string | null> }>();

  constructor(
    private readonly repo: TtsRepository,
    private readonly modelsRoot: string,
    private readonly logger: Logger,
    private readonly probe: VoiceProbe,
    private readonly runtime: Pick<RuntimeVoices, 'runtimesOf'>,
  ) {}

  async list(): Promise<VoiceScan> {
    const models = await this.repo.readyModels();
    const alive = new Set(models.map((m) => m.id));
    for (const id of this.cache.keys()) if (!alive.has(id)) this.cache.delete(id);
    const [found, runtimes] = await Promise.all([Promise.all(models.map((m) => this.modelVoices(m))), this.runtime.runtimesOf(models.map((m) => m.id))]);
    const vits = vitsVoices(models, runtimes).map((voice): VoiceEntry => ({ voice, spec: { engine: 'vits', modelId: voice.modelId! } }));
    const installed = [...found.flatMap((f) => f.voices), ...vits].sort((a, b) => a.voice.name.localeCompare(b.voice.name) || a.voice.id.localeCompare(b.voice.id));
    return { voices: [BUILTIN_VOICE, ...installed], unavailable: found.flatMap((f) => f.unavailable) };
  }

  async find(id: string): Promise<VoiceEntry | null> {
    if (id === BUILTIN_VOICE_ID) return BUILTIN_VOICE;
    if (!id.startsWith('piper:') && !id.startsWith(VITS_VOICE_PREFIX)) return null;
    return (await this.list()).voices.find((v) => v.voice.id === id) ?? null;
  }

  private async modelVoices(model: ReadyModelRow): Promise<VoiceScan> {
    const stamp = `${model.updated_at.toISOString()}|${model.file_path}`;
    const hit = this.cache.get(model.id);
    if (hit && hit.stamp === stamp && Date.now() - hit.at < CACHE_TTL_MS) return hit.scan;
    // Probe results outlive the 30 s folder re-read while the row is unchanged: loading a voice is the costly part.
    const probed = hit && hit.stamp === stamp ? hit.probed : new Map<string, string | null>();
    const scan = await this.scan(model, probed).catch((err: unknown): VoiceScan => {
      this.logger.warn({ modelId: model.id, err: err instanceof Error ? err.message : String(err) }, 'could not scan model folder for voices');
      return { voices: [], unavailable: [] };
    });
    this.cache.set(model.id, { stamp, at: Date.now(), scan, probed });
    return scan;
  }

  private async scan(model: ReadyModelRow, probed: Map<string, string | null>): Promise<VoiceScan> {
    const root = path.resolve(this.modelsRoot, model.file_path);
    const modelsRoot = path.resolve(this.modelsRoot);
    if (root !== modelsRoot && !root.startsWith(modelsRoot + path.sep)) return { voices: [], unavailable: [] };
    const onnxFiles = await findOnnxWithConfig(root);
    // A model checked at install already knows which of its voice files load: no need to load them all again.
    const checked = installProblems(model.metadata);
    const entries: VoiceEntry[] = [];
    const unavailable: TtsUnavailableVoice[] = [];
    for (const onnx of onnxFiles) {
      const rel = path.relative(root, onnx).split(path.sep).join('/').replace(/\.onnx$/, '');
      try {
        const cfgPath = `${onnx}.json`;
        const st = await fs.stat(cfgPath);
        if (st.size > MAX_CONFIG_BYTES) throw new Error('config too large');
        const config = parsePiperConfig(await fs.readFile(cfgPath, 'utf8'));
        const settings = piperSettings(config);
        if (!probed.has(onnx)) probed.set(onnx, checked ? (checked.get(`${rel}.onnx`) ?? null) : await this.probe(onnx));
        const problem = probed.get(onnx) ?? null;
        if (problem) {
          unavailable.push({ modelId: model.id, repoId: model.repo_id, file: `${rel}.onnx`, reason: problem });
          this.logger.warn({ modelId: model.id, file: `${rel}.onnx`, reason: problem }, 'installed voice cannot be used');
          continue;
        }
        const license = typeof model.metadata.license === 'string' ? model.metadata.license : null;
        entries.push({
          voice: {
            id: `piper:${model.id}:${rel}`,
            name: config.dataset ?? path.posix.basename(rel),
            language: config.language?.code ?? settings.espeakVoice,
            quality: config.audio.quality ?? null,
            sampleRate: settings.sampleRate,
            engine: 'piper',
            modelId: model.id,
            sourceRepo: model.repo_id,
            license,
            speakers: settings.numSpeakers,
            defaults: { noiseScale: settings.noiseScale, lengthScale: settings.lengthScale, noiseW: settings.noiseW },
          },
          spec: { engine: 'piper', onnxPath: onnx, settings },
        });
      } catch (err) {
        this.logger.debug({ file: onnx, err: err instanceof Error ? err.message : String(err) }, 'not a Piper voice');
      }
    }
    return { voices: entries, unavailable };
  }
}

/** What `voiceProblems` found when the model was installed (file → reason), or null for a model never checked. */
function installProblems(metadata: Record<string, unknown>): Map<string, string> | null {
  const problems = metadata.problems;
  if (!Array.isArray(problems)) return null;
  return new Map(problems.filter((p): p is { file: string; reason: string } => typeof p?.file === 'string' && typeof p?.reason === 'string').map((p) => [p.file, p.reason]));
}

/**
 * The Piper-shaped voice files of a model folder that onnxruntime will not run, with why: checked when a model is
 * installed, so the installed-models page can say it at once (the catalog never offers them either).
 */
export async function voiceProblems(folder: string, probe: VoiceProbe): Promise<{ file: string; reason: string }[]> {
  const problems: { file: string; reason: string }[] = [];
  for (const onnx of await findOnnxWithConfig(folder)) {
    const reason = await probe(onnx);
    if (reason) problems.push({ file: path.relative(folder, onnx).split(path.sep).join('/'), reason });
  }
  return problems;
}

/** `*.onnx` files that have a `*.onnx.json` beside them, breadth-first, bounded. */
async function findOnnxWithConfig(root: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  let level = [root];
  for (let depth = 0; depth <= MAX_DEPTH && level.length; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      let items: Dirent[];
      try {
        items = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      const names = new Set(items.filter((d) => d.isFile()).map((d) => d.name));
      for (const d of items) {
        if (++seen > MAX_ENTRIES) return found.sort();
        if (d.name.startsWith('.')) continue;
        if (d.isDirectory()) next.push(path.join(dir, d.name));
        else if (d.isFile() && d.name.endsWith('.onnx') && names.has(`${d.name}.json`)) found.push(path.join(dir, d.name));
      }
    }
    level = next;
  }
  return found.sort();
}
