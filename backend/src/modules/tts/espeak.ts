import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * eSpeak NG compiled to WebAssembly (npm `espeak-ng`): its command line program, run in-process.
 *
 * The program keeps global state, so a run needs a fresh process image. Instantiating the 18 MB module for
 * every run costs more than most syntheses, so one instance is kept: its linear memory is copied once, before
 * `main` ever runs, and put back before each run, then `main` is called again with new arguments. Anything
 * unexpected (a trap, an abort) discards the instance; the next run builds a new one.
 *
 * Text is fed on stdin one line at a time — the program's line mode calls espeak_Synth once per line — and
 * our stdin callback notes, before handing out each next line, how many phoneme lines were printed and how
 * many WAV bytes were written so far. That gives per-line phonemes and audio boundaries from a single run.
 */

interface EmscriptenFs {
  readFile(path: string): Uint8Array;
  stat(path: string): { size: number };
  unlink(path: string): void;
}

interface EmscriptenModule {
  FS: EmscriptenFs;
}

type EspeakFactory = (moduleArg: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The exports of the module's WebAssembly instance that a run uses. */
interface EspeakExports {
  memory: { buffer: ArrayBuffer };
  stackSave(): number;
  stackRestore(sp: number): void;
  stackAlloc(bytes: number): number;
  fflush(stream: number): number;
  __main_argc_argv(argc: number, argv: number): number;
}

/** The parts of the WebAssembly global we use (the project's TypeScript libs do not declare it). */
type WasmModule = object;
interface WasmInstance {
  exports: unknown;
}
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

/** Where the current run's callbacks go; the instance's own callbacks forward here. */
interface RunHooks {
  print(line: string): void;
  printErr(line: string): void;
  stdin(): number | null | undefined;
}

const idleHooks: RunHooks = { print: () => undefined, printErr: () => undefined, stdin: () => null };

interface Program {
  module: EmscriptenModule;
  exports: EspeakExports;
  /** Linear memory and stack pointer as they were before `main` first ran. */
  pristine: Uint8Array;
  stackPointer: number;
  hooks: RunHooks;
}

export class EspeakRunner {
  private compiled: Promise<{ factory: EspeakFactory; wasm: WasmModule }> | null = null;
  private program: Promise<Program> | null = null;

  constructor(private readonly assets = espeakAssetPaths()) {}

  /** Compiles and instantiates ahead of the first run. */
  async warm(): Promise<void> {
    await this.instance();
  }

  async run(opts: EspeakRunOptions): Promise<EspeakResult> {
    if (!ESPEAK_VOICE_PATTERN.test(opts.voice)) throw new Error(`invalid eSpeak voice name: ${opts.voice}`);
    const input = encodeLines(opts.lines);
    const args = ['-b', '1', '-v', opts.voice, '--ipa'];
    if (opts.speed !== undefined) args.push('-s', String(Math.round(Math.min(450, Math.max(80, opts.speed)))));
    args.push(...(opts.audio ? ['-w', WAV_PATH] : ['-q']));

    const program = await this.instance();
    const printed: string[] = [];
    const errors: string[] = [];
    const boundaries: { printed: number; wavBytes: number }[] = [];
    const wavBytes = () => {
      try {
        return program.module.FS.stat(WAV_PATH).size;
      } catch {
        return 0; // the program opens the file at the first audio it produces
      }
    };
    let pos = 0;
    let endOfLine = false;
    let lineDone = false;
    program.hooks = {
      print: (s) => printed.push(s),
      printErr: (s) => {
        if (!s.startsWith('program exited')) errors.push(s);
      },
      stdin: () => {
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
      },
    };
    let wav: Uint8Array | null = null;
    try {
      const status = this.callMain(program, args);
      if (status !== 0 || errors.length) throw new Error(`eSpeak NG: ${errors.join('; ').slice(0, 300) || `exit status ${status}`}`);
      if (boundaries.length !== opts.lines.length) throw new Error('eSpeak NG stopped before the end of the text');
      if (opts.audio) wav = readIfExists(program.module.FS, WAV_PATH);
    } finally {
      program.hooks = idleHooks;
    }
    let prevPrinted = 0;
    const lines = boundaries.map((b) => {
      const phonemes = printed.slice(prevPrinted, b.printed).map((s) => s.trim()).filter(Boolean);
      prevPrinted = b.printed;
      return { phonemes, endSample: Math.max(0, Math.floor((b.wavBytes - WAV_HEADER_BYTES) / 2)) };
    });
    return { lines, wav };
  }

  /** Restores the pristine image and runs `main(argc, argv)`; returns the exit status. */
  private callMain(program: Program, args: string[]): number {
    const { exports: ex, module } = program;
    new Uint8Array(ex.memory.buffer).set(program.pristine);
    ex.stackRestore(program.stackPointer);
    try {
      module.FS.unlink(WAV_PATH);
    } catch {
      // no file from an earlier run
    }
    const encoder = new TextEncoder();
    const argv = ['espeak-ng', ...args];
    const pointers = argv.map((a) => {
      const bytes = encoder.encode(`${a}\0`);
      const at = ex.stackAlloc(bytes.length);
      new Uint8Array(ex.memory.buffer).set(bytes, at);
      return at;
    });
    const argvAt = ex.stackAlloc(4 * (pointers.length + 1));
    const view = new DataView(ex.memory.buffer);
    pointers.forEach((p, i) => view.setUint32(argvAt + 4 * i, p, true));
    view.setUint32(argvAt + 4 * pointers.length, 0, true);
    let status: number;
    try {
      status = ex.__main_argc_argv(argv.length, argvAt);
    } catch (err) {
      // exit(n) inside the program arrives as Emscripten's ExitStatus; anything else leaves the instance unusable.
      const exit = err as { name?: string; status?: number };
      if (exit?.name !== 'ExitStatus' || typeof exit.status !== 'number') {
        this.program = null;
        throw err;
      }
      status = exit.status;
    }
    ex.fflush(0);
    return status;
  }

  private load(): Promise<{ factory: EspeakFactory; wasm: WasmModule }> {
    this.compiled ??= (async () => {
      const [mod, bytes] = await Promise.all([
        import(pathToFileURL(this.assets.js).href) as Promise<{ default: EspeakFactory }>,
        readFile(this.assets.wasm),
      ]);
      return { factory: mod.default, wasm: await wasmApi.compile(bytes) };
    })();
    this.compiled.catch(() => {
      this.compiled = null;
    });
    return this.compiled;
  }

  private instance(): Promise<Program> {
    this.program ??= (async () => {
      const { factory, wasm } = await this.load();
      let exports: EspeakExports | null = null;
      const holder: { program: Program | null } = { program: null };
      const hooks = () => holder.program?.hooks ?? idleHooks;
      const module = await factory({
        noInitialRun: true,
        print: (s: string) => hooks().print(s),
        printErr: (s: string) => hooks().printErr(s),
        stdin: () => hooks().stdin(),
        instantiateWasm: (imports: object, done: (i: WasmInstance) => void) => {
          void wasmApi.instantiate(wasm, imports).then((inst) => {
            exports = inst.exports as EspeakExports;
            done(inst);
          });
          return {};
        },
      });
      if (!exports) throw new Error('eSpeak NG did not instantiate');
      const ex: EspeakExports = exports;
      holder.program = {
        module,
        exports: ex,
        pristine: new Uint8Array(ex.memory.buffer).slice(),
        stackPointer: ex.stackSave(),
        hooks: idleHooks,
      };
      return holder.program;
    })();
    this.program.catch(() => {
      this.program = null;
    });
    return this.program;
  }
}

function encodeLines(lines: string[]): Uint8Array {
  const encoder = new TextEncoder();
  const encoded = lines.map((line) => {
    if (/[\r\n]/.test(line)) throw new Error('a line must not contain a line break');
    const bytes = encoder.encode(line);
    if (bytes.length > ESPEAK_MAX_LINE_BYTES) throw new Error('line too long for eSpeak NG');
    return bytes;
  });
  const input = new Uint8Array(encoded.reduce((n, l) => n + l.length + 1, 0));
  let at = 0;
  for (const l of encoded) {
    input.set(l, at);
    input[at + l.length] = NEWLINE;
    at += l.length + 1;
  }
  return input;
}

function readIfExists(fs: EmscriptenFs, file: string): Uint8Array | null {
  try {
    return fs.readFile(file);
  } catch {
    return null;
  }
}
