import * as ort from 'onnxruntime-node';

/** Piper's graph contract: these inputs feed every voice (plus `sid` for multi-speaker ones). */
const PIPER_INPUTS = ['input', 'input_lengths', 'scales'];

/** Why a file beside a `.onnx.json` cannot be a voice here, or null when onnxruntime loads it as one. */
export type VoiceProbe = (onnxPath: string) => Promise<string | null>;

/** Loads the model once in onnxruntime (what synthesis would do) and checks it has Piper's inputs and an output. */
export const probePiperModel: VoiceProbe = async (onnxPath) => {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnxPath, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (err) {
    // onnxruntime's message names the file by its absolute path; the reason is about the bytes, so drop it.
    const message = (err instanceof Error ? err.message : String(err)).split(onnxPath).join('<file>');
    return `the ONNX file does not load: ${message.slice(0, 300)}`;
  }
  try {
    const missing = PIPER_INPUTS.filter((n) => !session.inputNames.includes(n));
    if (missing.length) return `not a Piper voice: the model has no ${missing.join(', ')} input`;
    if (session.outputNames.length === 0) return 'not a Piper voice: the model has no output';
    return null;
  } finally {
    await session.release().catch(() => undefined);
  }
};
