import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * eSpeak NG compiled to WebAssembly (npm `espeak-ng`): its command line program, run in-process.
 * Each run instantiates the module afresh (the program keeps global state between runs), but the compiled
 * WebAssembly is kept, so a run costs the program's start-up plus the synthesis itself.
 *
 * Text is fed on stdin one line at a time — the program's line mode calls espeak_Synth once per line — and
 * our stdin callback notes, before handing out each next line, how many phoneme lines were printed and how
 * many WAV bytes were written so far. That gives per-line phonemes and audio boundaries from a single run.
 */

interface EmscriptenFs {
  readFile(path: string): Uint8Array;
  stat(path: string): { size: number };
}

interface EmscriptenModule {
  FS: EmscriptenFs;
}

type EspeakFactory = (moduleArg: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The parts of the WebAssembly global we use (the project's TypeScript libs do not declare it). */
type WasmModule = object;
type WasmInstance = object;
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** fgets in the program reads at most 999 bytes a line; longer lines must be split by the caller. */
export const ESPEAK_MAX_LINE_BYTES = 900;

/** A voice name as eSpeak NG spells them (`fa`, `en-us`, `mb/mb-ir1`); refuses anything option-like. */
export const ESPEAK_VOICE_PATTERN = /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{1,12}){0,3}$/;

export interface EspeakLine {
  /** IPA phonemes printed for this line (one entry per clause eSpeak found). */
  phonemes: string[];
  /** Samples of audio written up to the end of this line (0 without audio). */
  endSample: number;
}

export interface EspeakResult {
  lines: EspeakLine[];
  /** The WAV file the program wrote; null for a phonemes-only run or when nothing was spoken. */
  wav: Uint8Array | null;
}

export interface EspeakRunOptions {
  voice: string;
  lines: string[];
  /** Words per minute (eSpeak's `-s`, 80–450; default 175). */
  speed?: number;
  /** Write audio (`-w`); without it the run is quiet (`-q`) and only phonemes come back. */
  audio: boolean;
}

const WAV_PATH = '/tmp/sokhan-out.wav';
const WAV_HEADER_BYTES = 44;
const NEWLINE = 10;

export function espeakAssetPaths(): { js: string; wasm: string } {
  const js = createRequire(import.meta.url).resolve('espeak-ng');
  return { js, wasm: path.join(path.dirname(js), 'espeak-ng.wasm') };
}

export class EspeakRunner {
  private loaded: Promise<{ factory: EspeakFactory; wasm: WasmModule }> | null = null;

  constructor(private readonly assets = espeakAssetPaths()) {}

  /** Compiles the WebAssembly ahead of the first run. */
  async warm(): Promise<void> {
    await this.load();
  }

  private load(): Promise<{ factory: EspeakFactory; wasm: WasmModule }> {
    this.loaded ??= (async () => {
      const [mod, bytes] = await Promise.all([
        import(pathToFileURL(this.assets.js).href) as Promise<{ default: EspeakFactory }>,
        readFile(this.assets.wasm),
      ]);
      return { factory: mod.default, wasm: await wasmApi.compile(bytes) };
    })();
    this.loaded.catch(() => {
      this.loaded = null;
    });
    return this.loaded;
  }

  async run(opts: EspeakRunOptions): Promise<EspeakResult> {
    if (!ESPEAK_VOICE_PATTERN.test(opts.voice)) throw new Error(`invalid eSpeak voice name: ${opts.voice}`);
    const encoder = new TextEncoder();
    const encodedLines = opts.lines.map((line) => {
      if (/[\r\n]/.test(line)) throw new Error('a line must not contain a line break');
      const bytes = encoder.encode(line);
      if (bytes.length > ESPEAK_MAX_LINE_BYTES) throw new Error('line too long for eSpeak NG');
      return bytes;
    });
    const input = new Uint8Array(encodedLines.reduce((n, l) => n + l.length + 1, 0));
    let at = 0;
    for (const l of encodedLines) {
      input.set(l, at);
      input[at + l.length] = NEWLINE;
      at += l.length + 1;
    }

    const { factory, wasm } = await this.load();
    const printed: string[] = [];
    const errors: string[] = [];
    const boundaries: { printed: number; wavBytes: number }[] = [];
    let fs: EmscriptenFs | null = null;
    let pos = 0;
    let endOfLine = false;
    let lineDone = false;
    const wavBytes = () => {
      try {
        return fs?.stat(WAV_PATH).size ?? 0;
      } catch {
        return 0; // the program opens the file at the first audio it produces
      }
    };
    const stdin = (): number | null | undefined => {
      if (endOfLine) {
        // Ending the read here makes fgets return this line; the program synthesises it before reading again.
        endOfLine = false;
        lineDone = true;
        return undefined;
      }
      if (lineDone) {
        lineDone = false;
        boundaries.push({ printed: printed.length, wavBytes: wavBytes() });
      }
      if (pos >= input.length) return null;
      const b = input[pos++]!;
      if (b === NEWLINE) endOfLine = true;
      return b;
    };
    const args = ['-b', '1', '-v', opts.voice, '--ipa'];
    if (opts.speed !== undefined) args.push('-s', String(Math.round(Math.min(450, Math.max(80, opts.speed)))));
    args.push(...(opts.audio ? ['-w', WAV_PATH] : ['-q']));

    const instance = await factory({
      arguments: args,
      print: (s: string) => printed.push(s),
      printErr: (s: string) => {
        if (!s.startsWith('program exited')) errors.push(s);
      },
      stdin,
      preRun: [(m: EmscriptenModule) => (fs = m.FS)],
      instantiateWasm: (imports: object, done: (i: WasmInstance) => void) => {
        void wasmApi.instantiate(wasm, imports).then(done);
        return {};
      },
    });
    if (errors.length) throw new Error(`eSpeak NG: ${errors.join('; ').slice(0, 300)}`);
    if (boundaries.length !== opts.lines.length) throw new Error('eSpeak NG stopped before the end of the text');

    const wav = opts.audio ? readIfExists(instance.FS, WAV_PATH) : null;
    let prevPrinted = 0;
    const lines = boundaries.map((b) => {
      const phonemes = printed.slice(prevPrinted, b.printed).map((s) => s.trim()).filter(Boolean);
      prevPrinted = b.printed;
      return { phonemes, endSample: Math.max(0, Math.floor((b.wavBytes - WAV_HEADER_BYTES) / 2)) };
    });
    return { lines, wav };
  }
}

function readIfExists(fs: EmscriptenFs, file: string): Uint8Array | null {
  try {
    return fs.readFile(file);
  } catch {
    return null;
  }
}
