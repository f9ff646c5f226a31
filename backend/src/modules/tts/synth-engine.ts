import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { ESPEAK_MAX_LINE_BYTES, type EspeakRunner } from './espeak.js';
import { phonemesToIds } from './phoneme-ids.js';
import type { SynthJob, SynthOutput, SynthSentence } from './synth-types.js';
import { punctuationSuffix, splitClauses, splitIntoLines } from './text-lines.js';
import { decodeWav, floatToPcm16Normalized } from './wav.js';

/** eSpeak NG's default speaking rate (words per minute). */
export const ESPEAK_BASE_WPM = 175;
/** Piper's default pause between sentences. */
export const SENTENCE_SILENCE_SECONDS = 0.2;

/** Synthesis itself; runs inside the worker thread (it blocks while eSpeak NG or onnxruntime compute). */
export class SynthEngine {
  private readonly sessions = new Map<string, { key: string; session: Promise<ort.InferenceSession> }>();

  constructor(
    private readonly espeak: EspeakRunner,
    private readonly opts: { intraOpThreads: number; maxSessions: number },
  ) {}

  async synthesize(job: SynthJob): Promise<SynthOutput> {
    return job.voice.engine === 'espeak' ? this.espeakVoice(job, job.voice.espeakVoice) : this.piperVoice(job);
  }

  /** Gets eSpeak NG ready so the first request does not pay for compiling it. */
  warm(): Promise<void> {
    return this.espeak.warm();
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.session.then((x) => x.release()).catch(() => undefined)));
  }

  /** The built-in voice: one eSpeak NG run, a line per piece of sentence, boundaries from the run. */
  private async espeakVoice(job: SynthJob, voice: string): Promise<SynthOutput> {
    const owners: number[] = [];
    const lines: string[] = [];
    job.sentences.forEach((s, i) => {
      for (const line of splitIntoLines(s, ESPEAK_MAX_LINE_BYTES)) {
        lines.push(line);
        owners.push(i);
      }
    });
    const speed = (ESPEAK_BASE_WPM * job.rate) / (job.lengthScale ?? 1);
    const run = await this.espeak.run({ voice, lines, speed, audio: true });
    const audio = run.wav ? decodeWav(run.wav) : { sampleRate: 22050, samples: new Int16Array(0) };
    const sentences: SynthSentence[] = job.sentences.map(() => ({ phonemes: '', startSample: -1, endSample: 0 }));
    let prevEnd = 0;
    run.lines.forEach((line, i) => {
      const s = sentences[owners[i]!]!;
      if (s.startSample < 0) s.startSample = prevEnd;
      s.endSample = Math.min(line.endSample, audio.samples.length);
      s.phonemes = [s.phonemes, ...line.phonemes].filter(Boolean).join(' ');
      prevEnd = s.endSample;
    });
    for (const s of sentences) if (s.startSample < 0) s.startSample = s.endSample;
    return { sampleRate: audio.sampleRate, samples: audio.samples, sentences, unknownPhonemes: [], scales: null };
  }

  /** A Piper voice: eSpeak NG phonemes per clause, ids through the voice's map, onnxruntime per sentence. */
  private async piperVoice(job: SynthJob): Promise<SynthOutput> {
    if (job.voice.engine !== 'piper') throw new Error('not a Piper voice');
    const { settings, onnxPath } = job.voice;
    const phonemes = settings.phonemeType === 'text' ? job.sentences.map((s) => s.normalize('NFD')) : await this.piperPhonemes(job.sentences, settings.espeakVoice);
    const session = await this.session(onnxPath);
    const scales = {
      noiseScale: job.noiseScale ?? settings.noiseScale,
      lengthScale: (job.lengthScale ?? settings.lengthScale) / job.rate,
      noiseW: job.noiseW ?? settings.noiseW,
    };
    const speaker = Math.min(Math.max(0, job.speakerId ?? 0), settings.numSpeakers - 1);
    const silence = Math.round(SENTENCE_SILENCE_SECONDS * settings.sampleRate);
    const chunks: Int16Array[] = [];
    const sentences: SynthSentence[] = [];
    const unknown = new Set<string>();
    let cursor = 0;
    for (let i = 0; i < phonemes.length; i++) {
      const ph = phonemes[i]!;
      const mapped = phonemesToIds(ph, settings.phonemeIdMap);
      mapped.missing.forEach((m) => unknown.add(m));
      if (i > 0 && cursor > 0) {
        chunks.push(new Int16Array(silence));
        cursor += silence;
      }
      const start = cursor;
      if (mapped.mapped > 0) {
        const pcm = floatToPcm16Normalized(await this.infer(session, mapped.ids, scales, speaker));
        chunks.push(pcm);
        cursor += pcm.length;
      }
      sentences.push({ phonemes: ph, startSample: start, endSample: cursor });
    }
    const samples = new Int16Array(cursor);
    let at = 0;
    for (const c of chunks) {
      samples.set(c, at);
      at += c.length;
    }
    return { sampleRate: settings.sampleRate, samples, sentences, unknownPhonemes: [...unknown], scales };
  }

  /** Piper's phonemisation: clause by clause, the clause's punctuation appended after its phonemes. */
  private async piperPhonemes(sentences: string[], espeakVoice: string): Promise<string[]> {
    const plan = sentences.map((s) => splitClauses(s).map((c) => ({ ...c, lines: splitIntoLines(c.text, ESPEAK_MAX_LINE_BYTES) })));
    const lines = plan.flatMap((clauses) => clauses.flatMap((c) => c.lines));
    const run = lines.length ? await this.espeak.run({ voice: espeakVoice, lines, audio: false }) : { lines: [] };
    let next = 0;
    return plan.map((clauses) =>
      clauses
        .map((c, ci) => {
          const ph = c.lines.map(() => run.lines[next++]?.phonemes.join(' ') ?? '').filter(Boolean).join(' ');
          return ph + punctuationSuffix(c.punctuation, ci === clauses.length - 1);
        })
        .join('')
        .trim(),
    );
  }

  private async infer(session: ort.InferenceSession, ids: number[], scales: { noiseScale: number; lengthScale: number; noiseW: number }, speaker: number): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {
      input: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]),
      input_lengths: new ort.Tensor('int64', BigInt64Array.of(BigInt(ids.length)), [1]),
      scales: new ort.Tensor('float32', Float32Array.of(scales.noiseScale, scales.lengthScale, scales.noiseW), [3]),
    };
    if (session.inputNames.includes('sid')) feeds.sid = new ort.Tensor('int64', BigInt64Array.of(BigInt(speaker)), [1]);
    const out = await session.run(feeds);
    const first = out[session.outputNames[0]!];
    if (!first || first.type !== 'float32') throw new Error('the voice model did not return float audio');
    return first.data as Float32Array;
  }

  /** Loaded sessions are kept (least recently used dropped first) and reloaded when the file changes. */
  private async session(onnxPath: string): Promise<ort.InferenceSession> {
    const st = await stat(onnxPath);
    const key = `${st.size}:${st.mtimeMs}`;
    const cached = this.sessions.get(onnxPath);
    if (cached && cached.key === key) {
      this.sessions.delete(onnxPath);
      this.sessions.set(onnxPath, cached);
      return cached.session;
    }
    if (cached) this.drop(onnxPath, cached.session);
    const session = ort.InferenceSession.create(onnxPath, {
      executionProviders: ['cpu'],
      intraOpNumThreads: this.opts.intraOpThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    this.sessions.set(onnxPath, { key, session });
    session.catch(() => this.sessions.delete(onnxPath));
    while (this.sessions.size > this.opts.maxSessions) {
      const [oldest, entry] = this.sessions.entries().next().value as [string, { session: Promise<ort.InferenceSession> }];
      this.drop(oldest, entry.session);
    }
    return session;
  }

  private drop(onnxPath: string, session: Promise<ort.InferenceSession>): void {
    this.sessions.delete(onnxPath);
    session.then((s) => s.release()).catch(() => undefined);
  }
}
