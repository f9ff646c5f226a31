import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakRunner } from '../src/modules/tts/espeak.js';
import { phonemesToIds } from '../src/modules/tts/phoneme-ids.js';
import { parsePiperConfig, piperSettings, type PiperVoiceSettings } from '../src/modules/tts/piper-config.js';
import { SENTENCE_SILENCE_SECONDS, SynthEngine } from '../src/modules/tts/synth-engine.js';
import { PoolBusyError, SynthPool, SynthTimeoutError } from '../src/modules/tts/synth-pool.js';
import type { SynthJob } from '../src/modules/tts/synth-types.js';
import { rms } from './tts-helpers.js';
import { writeFixtureVoice, type FixtureVoice } from './tts-onnx-fixture.js';

const SENTENCES = ['زبان فارسی یکی از زبان‌های هندواروپایی است.', 'امروز هوا آفتابی و دلپذیر است، اما فردا باران می‌بارد.', 'آیا شما کتاب‌های حافظ را خوانده‌اید؟'];
const chars = SENTENCES.join(' ').length;

let dir: string;
let engine: SynthEngine;
let voice: FixtureVoice;
let settings: PiperVoiceSettings;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-tts-engine-'));
  engine = new SynthEngine(new EspeakRunner(), { intraOpThreads: 1, maxSessions: 2 });
  voice = await writeFixtureVoice(path.join(dir, 'fa', 'fa_IR', 'test', 'x_low'), 'fa_IR-test-x_low');
  settings = piperSettings(parsePiperConfig(await fs.readFile(voice.configPath, 'utf8')));
});
afterAll(async () => {
  await engine.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('built-in eSpeak NG Persian voice', () => {
  it('speaks Persian sentences: non-silent audio of plausible length, with per-sentence timing and IPA', async () => {
    const out = await engine.synthesize({ voice: { engine: 'espeak', espeakVoice: 'fa' }, sentences: SENTENCES, rate: 1 });
    expect(out.sampleRate).toBe(22050);
    const seconds = out.samples.length / out.sampleRate;
    // Normal Persian speech runs ~12–15 characters a second; eSpeak NG at 175 wpm sits in that band.
    expect(seconds).toBeGreaterThan(chars * 0.03);
    expect(seconds).toBeLessThan(chars * 0.2 + 1);
    expect(rms(out.samples)).toBeGreaterThan(500);
    expect(out.sentences).toHaveLength(3);
    let prev = 0;
    for (const s of out.sentences) {
      expect(s.startSample).toBe(prev);
      expect(s.endSample).toBeGreaterThan(s.startSample + out.sampleRate * 0.5);
      expect(rms(out.samples.subarray(s.startSample, s.endSample))).toBeGreaterThan(300);
      prev = s.endSample;
    }
    expect(prev).toBe(out.samples.length);
    expect(out.sentences[0]!.phonemes).toMatch(/zabˈɑn/);
    expect(out.sentences[2]!.phonemes).toMatch(/hˈɑfez|hɑfez/);
  });

  it('speaks faster with a higher rate', async () => {
    const job: SynthJob = { voice: { engine: 'espeak', espeakVoice: 'fa' }, sentences: [SENTENCES[1]!], rate: 1 };
    const normal = await engine.synthesize(job);
    const fast = await engine.synthesize({ ...job, rate: 2 });
    const ratio = fast.samples.length / normal.samples.length;
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.75);
  });

  it('reuses one program image: identical output run after run, and a failed run leaves it usable', async () => {
    const runner = new EspeakRunner();
    const a = await runner.run({ voice: 'fa', lines: ['سلام دنیا.'], audio: true });
    await expect(runner.run({ voice: 'xx', lines: ['سلام'], audio: false })).rejects.toThrow(/eSpeak NG/);
    const b = await runner.run({ voice: 'fa', lines: ['سلام دنیا.'], audio: true });
    expect(b.lines).toEqual(a.lines);
    expect(Buffer.from(b.wav!).equals(Buffer.from(a.wav!))).toBe(true);
    const quiet = await runner.run({ voice: 'fa', lines: ['کتاب', 'دفتر'], audio: false });
    expect(quiet.wav).toBeNull();
    expect(quiet.lines.map((l) => l.phonemes)).toEqual([['kˈetɑb'], ['dˈaftar']]);
  });

  it('refuses a voice name that could be read as an option', async () => {
    await expect(new EspeakRunner().run({ voice: '--help', lines: ['سلام'], audio: false })).rejects.toThrow(/voice/);
  });
});

describe('Piper voice through onnxruntime (generated model)', () => {
  const piper = (over: Partial<SynthJob> = {}): SynthJob => ({ voice: { engine: 'piper', onnxPath: voice.onnxPath, settings }, sentences: SENTENCES.slice(0, 2), rate: 1, ...over });

  it('phonemes → ids → model → audio whose length is exactly what the ids ask for', async () => {
    const out = await engine.synthesize(piper());
    expect(out.sampleRate).toBe(16000);
    expect(out.unknownPhonemes).toEqual([]);
    expect(out.scales).toEqual({ noiseScale: 0.667, lengthScale: 1, noiseW: 0.8 });
    expect(out.sentences[0]!.phonemes).toMatch(/^zabˈɑn .*\.$/); // punctuation kept, as Piper feeds it
    expect(out.sentences[1]!.phonemes).toMatch(/, /);
    for (const s of out.sentences) {
      const ids = phonemesToIds(s.phonemes, settings.phonemeIdMap).ids;
      expect(s.endSample - s.startSample).toBe(ids.length * voice.hop);
    }
    const silence = Math.round(SENTENCE_SILENCE_SECONDS * 16000);
    expect(out.sentences[1]!.startSample).toBe(out.sentences[0]!.endSample + silence);
    expect(out.samples.length).toBe(out.sentences[1]!.endSample);
    expect(rms(out.samples)).toBeGreaterThan(2000); // normalised to full scale
  });

  it('passes the length scale (and rate) through the scales input', async () => {
    const base = await engine.synthesize(piper({ sentences: [SENTENCES[0]!] }));
    const slow = await engine.synthesize(piper({ sentences: [SENTENCES[0]!], lengthScale: 2 }));
    const fast = await engine.synthesize(piper({ sentences: [SENTENCES[0]!], lengthScale: 2, rate: 2 }));
    expect(slow.samples.length).toBe(base.samples.length * 2);
    expect(slow.scales?.lengthScale).toBe(2);
    expect(fast.samples.length).toBe(base.samples.length);
    expect(fast.scales?.lengthScale).toBe(1);
  });

  it('feeds `sid` to a multi-speaker voice', async () => {
    const multi = await writeFixtureVoice(path.join(dir, 'multi'), 'fa_IR-multi-low', { withSpeakerId: true, quality: 'low' });
    const s = piperSettings(parsePiperConfig(await fs.readFile(multi.configPath, 'utf8')));
    expect(s.numSpeakers).toBe(2);
    const out = await engine.synthesize({ voice: { engine: 'piper', onnxPath: multi.onnxPath, settings: s }, sentences: ['سلام'], rate: 1, speakerId: 1 });
    expect(out.samples.length).toBeGreaterThan(0);
  });
});

describe('synthesis worker pool', () => {
  it('runs jobs in worker threads and refuses work past its queue', async () => {
    const pool = new SynthPool({ size: 1, timeoutMs: 60_000, maxQueue: 1, intraOpThreads: 1 });
    try {
      const job: SynthJob = { voice: { engine: 'piper', onnxPath: voice.onnxPath, settings }, sentences: ['سلام دنیا.'], rate: 1 };
      const first = pool.run(job);
      const second = pool.run({ ...job, voice: { engine: 'espeak', espeakVoice: 'fa' } });
      await expect(pool.run(job)).rejects.toBeInstanceOf(PoolBusyError);
      const [a, b] = await Promise.all([first, second]);
      expect(a.sampleRate).toBe(16000);
      expect(b.sampleRate).toBe(22050);
      expect(rms(b.samples)).toBeGreaterThan(500);
      expect(pool.stats()).toEqual({ workers: 1, busy: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it('ends a job that runs past the timeout', async () => {
    const pool = new SynthPool({ size: 1, timeoutMs: 5, maxQueue: 4, intraOpThreads: 1 });
    try {
      await expect(pool.run({ voice: { engine: 'espeak', espeakVoice: 'fa' }, sentences: SENTENCES, rate: 1 })).rejects.toBeInstanceOf(SynthTimeoutError);
      expect(pool.stats().workers).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
