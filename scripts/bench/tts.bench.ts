/**
 * Speech synthesis speed as a real-time factor (seconds of audio per second of compute) on a fixed Persian
 * paragraph: the built-in voice (eSpeak NG compiled to WebAssembly, in-process), the generated test Piper voice
 * (eSpeak NG phonemes → ids → onnxruntime-node), and Debian's native `espeak-ng` command line on the same text
 * in the same run (process start-up included, as a user running it would pay).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { prepareSpeechText } from '@sokhan/common';
import { writeFixtureVoice } from '../../backend/test/tts-onnx-fixture.js';
import { EspeakRunner } from '../../backend/src/modules/tts/espeak.js';
import { parsePiperConfig, piperSettings } from '../../backend/src/modules/tts/piper-config.js';
import { SynthEngine } from '../../backend/src/modules/tts/synth-engine.js';
import { SynthPool } from '../../backend/src/modules/tts/synth-pool.js';
import type { SynthJob } from '../../backend/src/modules/tts/synth-types.js';
import { decodeWav } from '../../backend/src/modules/tts/wav.js';

const run = promisify(execFile);

const PARAGRAPH =
  'زبان فارسی یکی از زبان‌های هندواروپایی است که در ایران، افغانستان و تاجیکستان به آن سخن می‌گویند. ' +
  'این زبان تاریخی طولانی دارد و آثار ادبی بسیاری به آن نوشته شده است. ' +
  'شاعران بزرگی مانند فردوسی، حافظ و سعدی به این زبان شعر سروده‌اند. ' +
  'امروزه بیش از ۱۱۰ میلیون نفر در سراسر جهان فارسی صحبت می‌کنند. ' +
  'یادگیری این زبان برای بسیاری از مردم جذاب است، زیرا دستور آن ساده و واژگانش غنی است.';

const RUNS = 5;

async function median(fn: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await fn());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

async function timeJob(engine: SynthEngine, job: SynthJob): Promise<{ ms: number; seconds: number }> {
  const t = performance.now();
  const out = await engine.synthesize(job);
  return { ms: performance.now() - t, seconds: out.samples.length / out.sampleRate };
}

export async function benchTts(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const figures: Record<string, number | string> = {};
  const { sentences } = prepareSpeechText(PARAGRAPH);
  figures.paragraph_chars = PARAGRAPH.length;
  figures.sentences = sentences.length;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-tts-bench-'));
  const engine = new SynthEngine(new EspeakRunner(), { intraOpThreads: 1, maxSessions: 2 });
  try {
    // Built-in voice (WASM, in-process; the first run also compiles the 18 MB module).
    const builtin: SynthJob = { voice: { engine: 'espeak', espeakVoice: 'fa' }, sentences, rate: 1 };
    const cold = await timeJob(engine, builtin);
    figures.builtin_cold_first_run_ms = cold.ms;
    let audio = cold.seconds;
    const warmMs = await median(async () => {
      const r = await timeJob(engine, builtin);
      audio = r.seconds;
      return r.ms;
    });
    figures.builtin_audio_seconds = audio;
    figures.builtin_compute_ms_median = warmMs;
    figures.builtin_wasm_rtf = audio / (warmMs / 1000);

    // The same through the worker pool the API uses (thread hop and audio transfer included).
    const pool = new SynthPool({ size: 1, timeoutMs: 120_000, maxQueue: 4, intraOpThreads: 1 });
    try {
      await pool.run(builtin);
      const poolMs = await median(async () => {
        const t = performance.now();
        await pool.run(builtin);
        return performance.now() - t;
      });
      figures.builtin_via_worker_ms_median = poolMs;
      figures.builtin_via_worker_rtf = audio / (poolMs / 1000);
    } finally {
      await pool.close();
    }

    // The generated Piper-shaped voice: phonemisation, ids, onnxruntime, normalisation.
    const voice = await writeFixtureVoice(path.join(dir, 'voice'), 'fa_IR-bench-x_low', { sampleRate: 16000, hop: 256 });
    const settings = piperSettings(parsePiperConfig(await fs.readFile(voice.configPath, 'utf8')));
    const piper: SynthJob = { voice: { engine: 'piper', onnxPath: voice.onnxPath, settings }, sentences, rate: 1 };
    await timeJob(engine, piper); // loads the session
    let piperAudio = 0;
    const piperMs = await median(async () => {
      const r = await timeJob(engine, piper);
      piperAudio = r.seconds;
      return r.ms;
    });
    figures.test_onnx_audio_seconds = piperAudio;
    figures.test_onnx_compute_ms_median = piperMs;
    figures.test_onnx_rtf = piperAudio / (piperMs / 1000);

    // Debian's native espeak-ng on the same (prepared) text.
    const textFile = path.join(dir, 'paragraph.txt');
    const wavFile = path.join(dir, 'cli.wav');
    await fs.writeFile(textFile, sentences.join('\n'));
    try {
      await run('espeak-ng', ['--version']);
      let cliAudio = 0;
      const cliMs = await median(async () => {
        const t = performance.now();
        await run('espeak-ng', ['-v', 'fa', '-b', '1', '-w', wavFile, '-f', textFile]);
        const ms = performance.now() - t;
        const wav = decodeWav(await fs.readFile(wavFile));
        cliAudio = wav.samples.length / wav.sampleRate;
        return ms;
      });
      figures.cli_audio_seconds = cliAudio;
      figures.cli_wall_ms_median = cliMs;
      figures.cli_native_rtf = cliAudio / (cliMs / 1000);
      figures.builtin_wasm_vs_cli_speed = (audio / warmMs) / (cliAudio / cliMs);
    } catch (err) {
      figures.cli_native_rtf = `espeak-ng command line unavailable (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
    }
  } finally {
    await engine.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { name: 'tts', figures };
}
