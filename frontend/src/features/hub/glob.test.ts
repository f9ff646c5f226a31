import { describe, expect, it } from 'vitest';
import type { HubModelFile } from '@sokhan/common';
import { parsePatterns, selectFiles } from './glob';

const file = (path: string): HubModelFile => ({ path, size: 1, sha256: null, lfs: false });
const files = ['README.md', 'config.json', '.gitattributes', 'model.onnx', 'model.onnx.json', 'onnx/decoder.onnx', 'tokenizer/vocab.txt', 'pytorch_model.bin'].map(file);
const paths = (include: string, exclude: string) => selectFiles(files, parsePatterns(include), parsePatterns(exclude)).map((f) => f.path);

describe('download file selection', () => {
  it('takes every file without patterns', () => {
    expect(paths('', '')).toHaveLength(files.length);
  });
  it('matches like the server: root-level globs, ** for folders, dot files included', () => {
    expect(paths('*.onnx', '')).toEqual(['model.onnx']);
    expect(paths('**/*.onnx', '')).toEqual(['model.onnx', 'onnx/decoder.onnx']);
    expect(paths('.*', '')).toEqual(['.gitattributes']);
  });
  it('lets exclude win over include', () => {
    expect(paths('*.onnx, *.json', 'config.json')).toEqual(['model.onnx', 'model.onnx.json']);
    expect(paths('', '*.bin, onnx/**')).not.toContain('pytorch_model.bin');
  });
  it('splits patterns on commas (Latin or Persian) and new lines', () => {
    expect(parsePatterns(' *.onnx ،*.json\n\n tokenizer/** ')).toEqual(['*.onnx', '*.json', 'tokenizer/**']);
  });
});
