import { describe, expect, it } from 'vitest';
import { ClipCache } from '../src/modules/tts/clip-cache.js';
import { phonemesToIds } from '../src/modules/tts/phoneme-ids.js';
import { parsePiperConfig, piperSettings } from '../src/modules/tts/piper-config.js';
import { punctuationSuffix, splitClauses, splitIntoLines } from '../src/modules/tts/text-lines.js';
import { decodeWav, encodeWav, floatToPcm16Normalized, parseWavHeader } from '../src/modules/tts/wav.js';
import { fixturePhonemeIdMap } from './tts-onnx-fixture.js';

describe('WAV', () => {
  it('encodes a canonical mono 16-bit file and reads it back', () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    const wav = encodeWav(samples, 22050);
    expect(wav.length).toBe(44 + 10);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(36 + 10);
    const back = decodeWav(wav);
    expect(back.sampleRate).toBe(22050);
    expect([...back.samples]).toEqual([...samples]);
  });

  it('trusts the bytes present over a placeholder data size and skips unknown chunks', () => {
    const wav = encodeWav(Int16Array.from([1, 2, 3]), 16000);
    wav.writeUInt32LE(0x7fffffff, 40); // what a streaming writer leaves before it knows the size
    expect(parseWavHeader(wav).dataBytes).toBe(6);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)]);
    expect([...decodeWav(withList).samples]).toEqual([1, 2, 3]);
    expect(() => parseWavHeader(Buffer.from('not a wav file at all'))).toThrow(/RIFF/);
  });

  it('normalises float audio to full scale like Piper, without blowing up near-silence', () => {
    expect([...floatToPcm16Normalized(Float32Array.from([0.25, -0.5, 0.1]))]).toEqual([16384, -32767, 6553]);
    const quiet = floatToPcm16Normalized(Float32Array.from([0.001, -0.001]));
    expect(Math.max(...quiet.map(Math.abs))).toBeLessThan(4000);
  });
});

describe('Piper phoneme ids', () => {
  const map = { _: [0], '^': [1], $: [2], ' ': [3], a: [4], b: [5], 'ˈ': [6], ',': [7], '̃': [8] };

  it('puts BOS, PAD after BOS and after every phoneme, then EOS', () => {
    expect(phonemesToIds('ab', map).ids).toEqual([1, 0, 4, 0, 5, 0, 2]);
    expect(phonemesToIds('ˈa b,', map).ids).toEqual([1, 0, 6, 0, 4, 0, 3, 0, 5, 0, 7, 0, 2]);
  });

  it('decomposes to NFD and skips (and reports) unknown code points', () => {
    const r = phonemesToIds('ãxa', map); // ã → a + U+0303
    expect(r.ids).toEqual([1, 0, 4, 0, 8, 0, 4, 0, 2]);
    expect(r.missing).toEqual(['x']);
    expect(r.mapped).toBe(3);
  });

  it('the fixture map covers what eSpeak NG prints for Persian', () => {
    const r = phonemesToIds('salˈɑm, xˈuːbi? tʃetˈori.', fixturePhonemeIdMap());
    expect(r.missing).toEqual([]);
  });
});

describe('speech text pieces', () => {
  it('splits sentences into clauses with Piper punctuation (Persian marks mapped to ASCII)', () => {
    expect(splitClauses('سلام، خوبی؟')).toEqual([
      { text: 'سلام', punctuation: ',' },
      { text: 'خوبی', punctuation: '?' },
    ]);
    expect(splitClauses('اول؛ دوم: سوم! چهارم')).toEqual([
      { text: 'اول', punctuation: ';' },
      { text: 'دوم', punctuation: ':' },
      { text: 'سوم', punctuation: '!' },
      { text: 'چهارم', punctuation: '' },
    ]);
    expect(splitClauses('واقعاً؟!')).toEqual([{ text: 'واقعاً', punctuation: '!' }]);
    expect(splitClauses('  ')).toEqual([]);
    expect(punctuationSuffix(',', false)).toBe(', ');
    expect(punctuationSuffix('.', true)).toBe('.');
  });

  it('cuts long sentences into byte-bounded lines at spaces', () => {
    const sentence = Array.from({ length: 200 }, (_, i) => `واژه${i}`).join(' ');
    const lines = splitIntoLines(sentence, 100);
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(100);
    expect(lines.join(' ')).toBe(sentence);
    const oneLongWord = 'ب'.repeat(120); // 240 bytes, no space
    expect(splitIntoLines(oneLongWord, 100).join('')).toBe(oneLongWord);
    expect(splitIntoLines('یک\nدو', 100)).toEqual(['یک دو']);
  });
});

describe('Piper config', () => {
  it('reads a voice config with defaults and refuses what is not one', () => {
    const cfg = parsePiperConfig(JSON.stringify({ audio: { sample_rate: 22050, quality: 'medium' }, espeak: { voice: 'fa' }, phoneme_id_map: { _: [0], '^': [1] } }));
    expect(piperSettings(cfg)).toMatchObject({ sampleRate: 22050, espeakVoice: 'fa', noiseScale: 0.667, lengthScale: 1, noiseW: 0.8, numSpeakers: 1, phonemeType: 'espeak' });
    expect(() => parsePiperConfig('{')).toThrow(/JSON/);
    expect(() => parsePiperConfig(JSON.stringify({ audio: { sample_rate: 22050 } }))).toThrow(/phoneme_id_map/);
    expect(() => parsePiperConfig(JSON.stringify({ audio: { sample_rate: 22050 }, espeak: { voice: '--path=/etc' }, phoneme_id_map: { _: [0] } }))).toThrow(/espeak/);
  });
});

describe('clip cache', () => {
  it('keeps clips per user, expires them and bounds bytes', () => {
    let now = 0;
    const cache = new ClipCache<string>({ ttlMs: 1000, maxBytes: 100, maxClips: 10, perUserBytes: 100, perUserClips: 10 }, () => now);
    const a = cache.put({ userId: 'u1', wav: Buffer.alloc(60), meta: 'a' });
    expect(cache.get('u1', a)?.meta).toBe('a');
    expect(cache.get('u2', a)).toBeNull();
    const b = cache.put({ userId: 'u1', wav: Buffer.alloc(60), meta: 'b' });
    expect(cache.get('u1', a)).toBeNull(); // 120 bytes > 100: the oldest left
    expect(cache.get('u1', b)?.meta).toBe('b');
    now = 1001;
    expect(cache.get('u1', b)).toBeNull();
  });

  it("never lets one user's synthesis evict another user's clips", () => {
    const cache = new ClipCache<string>({ ttlMs: 60_000, maxBytes: 100, maxClips: 10, perUserBytes: 40, perUserClips: 3 });
    const victim = cache.put({ userId: 'victim', wav: Buffer.alloc(30), meta: 'keep me' });
    const flood: string[] = [];
    for (let i = 0; i < 50; i++) flood.push(cache.put({ userId: 'flooder', wav: Buffer.alloc(10), meta: `f${i}` }));
    expect(cache.get('victim', victim)?.meta).toBe('keep me');
    // The flooder keeps only its own share: its last three clips.
    expect(flood.map((id) => cache.get('flooder', id)?.meta ?? null).filter(Boolean)).toEqual(['f47', 'f48', 'f49']);
  });

  it('when the whole cache is full, the biggest holder gives up its oldest clip', () => {
    const cache = new ClipCache<string>({ ttlMs: 60_000, maxBytes: 100, maxClips: 10, perUserBytes: 40, perUserClips: 10 });
    const ids = ['a', 'b', 'c'].map((u) => cache.put({ userId: u, wav: Buffer.alloc(30), meta: u }));
    const big = cache.put({ userId: 'c', wav: Buffer.alloc(10), meta: 'c2' }); // c holds 40 of 100
    const d = cache.put({ userId: 'd', wav: Buffer.alloc(20), meta: 'd' }); // 120 > 100: c, the biggest, loses its oldest
    expect([cache.get('a', ids[0]!)?.meta, cache.get('b', ids[1]!)?.meta, cache.get('c', ids[2]!), cache.get('c', big)?.meta, cache.get('d', d)?.meta]).toEqual(['a', 'b', null, 'c2', 'd']);
  });
});
