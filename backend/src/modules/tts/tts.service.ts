import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  BUILTIN_VOICE_ID,
  type TtsHistoryCreateRequest,
  type TtsHistoryItem,
  type TtsHistoryPage,
  type TtsParams,
  type TtsSynthesisInfo,
  type TtsUsedParams,
  type TtsVoicesResponse,
} from '@sokhan/common';
import { AppError, notFound } from '../../platform/http/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ClipCache } from './clip-cache.js';
import { speakWithRuntime, type RuntimeVoices } from './runtime-voices.js';
import { PoolBusyError, SynthTimeoutError, type SynthPool } from './synth-pool.js';
import type { TtsHistoryRow, TtsRepository } from './tts.repository.js';
import type { VoiceCatalog, VoiceEntry } from './voice-catalog.js';
import { encodeWav } from './wav.js';

/** The text front end: normalised, expanded text cut into sentences. */
export type PrepareSpeech = (text: string) => { text: string; sentences: string[] };

export interface TtsServiceDeps {
  repo: TtsRepository;
  catalog: VoiceCatalog;
  pool: SynthPool;
  /** The model runtime, which VITS voices speak through. */
  runtime: Pick<RuntimeVoices, 'run'>;
  prepare: PrepareSpeech;
  /** DATA_DIR; clips live under `<data>/tts/<userId>/<id>.wav`. */
  dataDir: string;
  maxChars: number;
  logger: Logger;
}

export interface SynthesisResult {
  wav: Buffer;
  info: TtsSynthesisInfo;
  /** The history row when saved. */
  saved: TtsHistoryRow | null;
}

interface ClipMeta {
  text: string;
  voice: VoiceEntry['voice'];
  parameters: TtsUsedParams;
  durationSeconds: number;
  sampleRate: number;
}

export class TtsService {
  private readonly clips = new ClipCache<ClipMeta>({ ttlMs: 10 * 60_000, maxBytes: 64 * 1024 * 1024, maxClips: 200, perUserBytes: 16 * 1024 * 1024, perUserClips: 50 });

  constructor(private readonly deps: TtsServiceDeps) {}

  async voices(): Promise<TtsVoicesResponse> {
    // Someone is about to pick a voice: get a synthesis thread ready meanwhile.
    this.deps.pool.warm();
    const scan = await this.deps.catalog.list();
    return { voices: scan.voices.map((e) => e.voice), unavailable: scan.unavailable, defaultVoiceId: BUILTIN_VOICE_ID, maxTextLength: this.deps.maxChars };
  }

  /** Synthesises `params` for `userId`; with `save` the clip also goes to the user's history. */
  async synthesize(userId: string, params: TtsParams, save = false): Promise<SynthesisResult> {
    const prepared = this.prepareText(params.text);
    const entry = await this.deps.catalog.find(params.voiceId);
    if (!entry) throw new AppError(404, 'UNKNOWN_VOICE', 'no such voice', [{ voiceId: params.voiceId }]);
    if (params.speakerId !== undefined && params.speakerId >= entry.voice.speakers) {
      throw new AppError(400, 'VALIDATION_FAILED', 'request is not valid', [
        { path: 'speakerId', message: `this voice has ${entry.voice.speakers} speaker(s)`, code: 'too_big' },
      ]);
    }
    const spec = entry.spec;
    if (spec.engine === 'vits') refuseTuning(params);
    const started = performance.now();
    const rate = params.rate ?? 1;
    let out;
    try {
      out =
        spec.engine === 'vits'
          ? await speakWithRuntime(this.deps.runtime, spec.modelId, prepared.sentences)
          : await this.deps.pool.run({
              voice: spec,
              sentences: prepared.sentences,
              rate,
              noiseScale: params.noiseScale,
              lengthScale: params.lengthScale,
              noiseW: params.noiseW,
              speakerId: params.speakerId,
            });
    } catch (err) {
      // The runtime's busy queue and timeout (a VITS voice) mean what the synthesis pool's do.
      const code = err instanceof AppError ? err.code : null;
      if (err instanceof PoolBusyError || code === 'SERVICE_UNAVAILABLE') {
        throw new AppError(503, 'SERVICE_UNAVAILABLE', 'speech synthesis is busy, try again shortly', undefined, { 'Retry-After': '2' });
      }
      this.deps.logger.error({ err: err instanceof Error ? err.message : String(err), voiceId: entry.voice.id }, 'speech synthesis failed');
      // The cause, in words the UI can say (never the engine's own message, which may name server paths).
      const cause = err instanceof SynthTimeoutError || code === 'RUN_TIMEOUT' ? 'timeout' : spec.engine === 'espeak' ? 'engine' : 'voice-model';
      throw new AppError(500, 'SYNTHESIS_FAILED', `speech synthesis failed (${cause})`, [{ cause }]);
    }
    const computeSeconds = (performance.now() - started) / 1000;
    const wav = encodeWav(out.samples, out.sampleRate);
    const seconds = (samples: number) => round3(samples / out.sampleRate);
    const parameters: TtsUsedParams = {
      rate,
      noiseScale: out.scales?.noiseScale ?? null,
      lengthScale: out.scales?.lengthScale ?? params.lengthScale ?? null,
      noiseW: out.scales?.noiseW ?? null,
      speakerId: entry.voice.engine === 'piper' && entry.voice.speakers > 1 ? (params.speakerId ?? 0) : null,
    };
    const meta: ClipMeta = {
      text: params.text,
      voice: entry.voice,
      parameters,
      durationSeconds: seconds(out.samples.length),
      sampleRate: out.sampleRate,
    };
    const clipId = this.clips.put({ userId, wav, meta });
    const saved = save ? await this.store(userId, wav, meta) : null;
    return {
      wav,
      saved,
      info: {
        voiceId: entry.voice.id,
        engine: entry.voice.engine,
        sampleRate: out.sampleRate,
        durationSeconds: meta.durationSeconds,
        text: prepared.text,
        phonemes: out.sentences.map((s) => s.phonemes).filter(Boolean).join(' '),
        sentences: out.sentences.map((s, i) => ({
          text: prepared.sentences[i] ?? '',
          phonemes: s.phonemes,
          startSeconds: seconds(s.startSample),
          endSeconds: seconds(s.endSample),
        })),
        parameters,
        sizeBytes: wav.length,
        clipId,
        historyId: saved?.id ?? null,
        unknownPhonemes: out.unknownPhonemes,
        computeSeconds: round3(computeSeconds),
      },
    };
  }

  /** Keeps a recent clip (by id) or synthesises and keeps a new one. */
  async createHistory(userId: string, body: TtsHistoryCreateRequest): Promise<TtsHistoryItem> {
    if ('clipId' in body) {
      const clip = this.clips.get(userId, body.clipId);
      if (!clip) throw notFound('clip (it may have expired; synthesise again)');
      return this.present(await this.store(userId, clip.wav, clip.meta));
    }
    const { saved } = await this.synthesize(userId, body, true);
    return this.present(saved!);
  }

  async history(userId: string, limit: number, offset: number): Promise<TtsHistoryPage> {
    const { rows, total } = await this.deps.repo.listByUser(userId, limit, offset);
    return { items: rows.map((r) => this.present(r)), total, limit, offset };
  }

  /** The clip's file, for the owner only (anyone else gets the same 404 as a missing id). */
  async historyAudio(userId: string, id: string): Promise<{ file: string; row: TtsHistoryRow }> {
    const row = await this.deps.repo.findForUser(userId, id);
    if (!row) throw notFound('clip');
    const file = this.resolveClip(row.file_path);
    try {
      await fs.access(file);
    } catch {
      throw notFound('clip audio');
    }
    return { file, row };
  }

  async deleteHistory(userId: string, id: string): Promise<void> {
    const row = await this.deps.repo.deleteForUser(userId, id);
    if (!row) throw notFound('clip');
    await fs.rm(this.resolveClip(row.file_path), { force: true });
  }

  async stop(): Promise<void> {
    await this.deps.pool.close();
  }

  private prepareText(raw: string): { text: string; sentences: string[] } {
    const length = [...raw].length;
    if (length > this.deps.maxChars) {
      throw new AppError(400, 'TEXT_TOO_LONG', `text is longer than ${this.deps.maxChars} characters`, [{ maxLength: this.deps.maxChars, length }]);
    }
    const prepared = this.deps.prepare(raw);
    const sentences = prepared.sentences.map((s) => s.trim()).filter((s) => /[\p{L}\p{N}]/u.test(s));
    if (!sentences.length) throw new AppError(400, 'EMPTY_TEXT', 'there is nothing to say in this text');
    return { text: prepared.text, sentences };
  }

  /** Writes the file first (temp name, then rename), then the row; a failed insert removes the file. */
  private async store(userId: string, wav: Buffer, meta: ClipMeta): Promise<TtsHistoryRow> {
    const id = randomUUID();
    const rel = path.posix.join('tts', userId, `${id}.wav`);
    const file = this.resolveClip(rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(`${file}.part`, wav);
    await fs.rename(`${file}.part`, file);
    try {
      return await this.deps.repo.insert({
        id,
        user_id: userId,
        text: meta.text,
        voice_id: meta.voice.id,
        voice_name: meta.voice.name,
        engine: meta.voice.engine,
        model_id: meta.voice.modelId,
        parameters: meta.parameters,
        file_path: rel,
        size_bytes: wav.length,
        duration_seconds: meta.durationSeconds,
        sample_rate: meta.sampleRate,
      });
    } catch (err) {
      await fs.rm(file, { force: true });
      throw err;
    }
  }

  private resolveClip(rel: string): string {
    const root = path.resolve(this.deps.dataDir);
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep)) throw notFound('clip audio');
    return file;
  }

  private present(row: TtsHistoryRow): TtsHistoryItem {
    const p = row.parameters;
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    return {
      id: row.id,
      text: row.text,
      voiceId: row.voice_id,
      voiceName: row.voice_name,
      engine: row.engine,
      parameters: { rate: num(p.rate) ?? 1, noiseScale: num(p.noiseScale), lengthScale: num(p.lengthScale), noiseW: num(p.noiseW), speakerId: num(p.speakerId) },
      durationSeconds: row.duration_seconds,
      sampleRate: row.sample_rate,
      sizeBytes: row.size_bytes,
      audioUrl: `/api/tts/history/${row.id}/audio`,
      createdAt: row.created_at.toISOString(),
    };
  }
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** A VITS model speaks at its own pace: the rate and the Piper scales do not apply to it. */
function refuseTuning(params: TtsParams): void {
  const set: string[] = [
    ...(params.rate !== undefined && params.rate !== 1 ? ['rate'] : []),
    ...(['noiseScale', 'lengthScale', 'noiseW'] as const).filter((k) => params[k] !== undefined),
  ];
  if (set.length === 0) return;
  throw new AppError(
    400,
    'VALIDATION_FAILED',
    'request is not valid',
    set.map((path) => ({ path, message: 'a VITS voice speaks at its own pace; this setting does not apply to it', code: 'custom' })),
  );
}
