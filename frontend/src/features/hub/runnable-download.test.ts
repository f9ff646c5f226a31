import { describe, expect, it } from 'vitest';
import { onnxVariantsIn, runnableIncludes, type HubModelFile } from '@sokhan/common';
import { selectFiles } from './glob';

const file = (path: string): HubModelFile => ({ path, size: 1, sha256: null, lfs: false });
// A Hub repository as Xenova's exports lay them out: PyTorch and TF weights beside several ONNX variants.
const repo = [
  '.gitattributes',
  'README.md',
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
  'pytorch_model.bin',
  'model.safetensors',
  'tf_model.h5',
  'onnx/model.onnx',
  'onnx/model_fp16.onnx',
  'onnx/model_quantized.onnx',
  'onnx/model_q4.onnx',
  'onnx/model_q4.onnx_data',
].map(file);

const taken = (variant: Parameters<typeof runnableIncludes>[0]) => selectFiles(repo, runnableIncludes(variant), []).map((f) => f.path);

describe('"only what runs here" in the download form', () => {
  it('offers the repository’s ONNX variants, full precision first', () => {
    expect(onnxVariantsIn(repo.map((f) => f.path)).map((v) => v.variant)).toEqual(['fp32', 'q8', 'fp16', 'q4']);
  });

  it('takes one variant (with its external weights), the config and tokenizer files and the card — no other weights', () => {
    expect(taken('q8')).toEqual(['README.md', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'onnx/model_quantized.onnx']);
    expect(taken('q4')).toContain('onnx/model_q4.onnx_data');
    expect(taken('fp32')).not.toContain('onnx/model_fp16.onnx');
  });
});
