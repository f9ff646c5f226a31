import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelinesOf, surveyModel } from './model-survey.js';
import { SessionCache } from './session-cache.js';
import { prepareText, textPreparationFor } from '@sokhan/common';
import { alignTokens, groupEntities, tokenSurface } from './token-spans.js';

const roots: string[] = [];
afterAll(async () => {
  await Promise.all(roots.map((r) => fsp.rm(r, { recursive: true, force: true })));
});

async function repo(files: Record<string, string | number>): Promise<string> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-survey-'));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    await fsp.writeFile(abs, typeof content === 'number' ? Buffer.alloc(content) : content);
  }
  return root;
}

const BERT = JSON.stringify({ architectures: ['BertForSequenceClassification'], model_type: 'bert', label2id: { negative: 0, positive: 1 } });
const TOKENIZER = { 'tokenizer.json': '{}', 'tokenizer_config.json': '{}' };

describe('surveyModel', () => {
  it('lists the ONNX variants best first, with external weights counted', async () => {
    const dir = await repo({ 'config.json': BERT, ...TOKENIZER, 'onnx/model_quantized.onnx': 30, 'onnx/model.onnx': 100, 'onnx/model.onnx_data': 900, 'onnx/model_fp16.onnx': 50 });
    const s = await surveyModel(dir, 'text-classification');
    expect(s).toMatchObject({
      ok: true,
      pipelines: ['text-classification'],
      externalData: true,
      variants: [
        { variant: 'fp32', file: 'onnx/model.onnx', sizeBytes: 1000 },
        { variant: 'q8', file: 'onnx/model_quantized.onnx', sizeBytes: 30 },
        { variant: 'fp16', file: 'onnx/model_fp16.onnx', sizeBytes: 50 },
      ],
    });
  });

  it('gives the reason a model does not run', async () => {
    const reason = async (files: Record<string, string | number>, tag: string | null = null) => {
      const s = await surveyModel(await repo(files), tag);
      return s.ok ? 'ok' : `${s.reasonCode}: ${s.reason}`;
    };
    expect(await reason({ 'config.json': BERT, 'pytorch_model.bin': 10, 'vocab.txt': 'a' })).toBe('pytorch-only: weights are PyTorch only: no onnx/ folder');
    expect(await reason({ 'config.json': BERT, 'model.safetensors': 10 })).toBe('pytorch-only: weights are PyTorch only: no onnx/ folder');
    expect(await reason({ 'config.json': BERT, 'tf_model.h5': 10 })).toBe('tensorflow-only: weights are TensorFlow only: no onnx/ folder');
    expect(await reason({ 'config.json': BERT, 'onnx/decoder_model.onnx': 10 })).toMatch(/^no-onnx: no onnx\/model\.onnx/);
    expect(await reason({ 'config.json': BERT, 'onnx/model.onnx': 10, 'vocab.txt': 'a' })).toBe('no-tokenizer: no tokenizer.json and tokenizer_config.json: transformers.js reads the tokenizers format (vocab.txt alone is not enough)');
    expect(await reason({ 'voice.onnx': 10, 'voice.onnx.json': '{}' })).toMatch(/^piper-voice: a Piper voice \(voice\.onnx\)/);
    expect(await reason({ 'model.onnx': 10 })).toMatch(/^no-config: /);
    expect(await reason({ 'config.json': '[1, 2]', 'onnx/model.onnx': 10 })).toBe('no-config: config.json is not a JSON object');
    expect(await reason({ 'config.json': JSON.stringify({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' }), 'onnx/decoder_model_merged.onnx': 10 }, 'text-generation')).toMatch(
      /^unsupported-task: it does text-generation \(GPT2LMHeadModel\), which does not run here/,
    );
  });
});

describe('pipelinesOf', () => {
  it('maps architectures to pipelines, the pipeline tag first', () => {
    expect(pipelinesOf({ architectures: ['BertForTokenClassification'] }, null)).toEqual(['token-classification']);
    expect(pipelinesOf({ architectures: ['XLMRobertaForMaskedLM'], model_type: 'xlm-roberta' }, null)).toEqual(['fill-mask']);
    expect(pipelinesOf({ architectures: ['BertModel'], model_type: 'bert' }, 'sentence-similarity')).toEqual(['feature-extraction']);
    // A bare Model class of an architecture transformers.js does not run as an encoder is not guessed at.
    expect(pipelinesOf({ architectures: ['WhisperModel'], model_type: 'whisper' }, null)).toEqual([]);
    expect(pipelinesOf({ architectures: ['VitsModel'], model_type: 'vits' }, 'text-to-speech')).toEqual(['text-to-speech']);
    const nli = { architectures: ['RobertaForSequenceClassification'], label2id: { CONTRADICTION: 0, NEUTRAL: 1, ENTAILMENT: 2 } };
    expect(pipelinesOf(nli, null)).toEqual(['text-classification', 'zero-shot-classification']);
    expect(pipelinesOf(nli, 'zero-shot-classification')).toEqual(['zero-shot-classification', 'text-classification']);
  });
});

describe('text preparation', () => {
  it('normalises only for vocabularies in Persian letter forms', () => {
    expect(textPreparationFor(['[CLS]', 'کتاب', 'خیلی', '0', '##1'])).toEqual({ persian: true, digits: 'latin', keepDiacritics: false });
    // Arabic forms (an Arabic or older multilingual vocabulary): the text goes as typed.
    expect(textPreparationFor(['كتاب', 'في', 'کتاب'])).toMatchObject({ persian: false });
    expect(textPreparationFor(['the', 'book', '1'])).toMatchObject({ persian: false });
    expect(textPreparationFor(['ک', 'ی', '۱', 'َ'])).toEqual({ persian: true, digits: 'persian', keepDiacritics: true });
  });

  it('folds Arabic letters and digits, and keeps the mask token intact', () => {
    const prep = { persian: true, digits: 'latin' as const, keepDiacritics: false };
    expect(prepareText('كتاب ۱۲ ي', prep)).toBe('کتاب 12 ی');
    expect(prepareText('اين [MASK] بود', prep, '[MASK]')).toBe('این [MASK] بود');
    expect(prepareText('[MASK]ها', prep, '[MASK]')).toBe('[MASK]ها');
    expect(prepareText('كتاب', { ...prep, persian: false })).toBe('كتاب');
  });
});

describe('token spans', () => {
  it('finds tokens in the text past dropped ZWNJ, diacritics and case', () => {
    const text = 'علی می‌کند کتابِ Tehran';
    const spans = alignTokens(text, ['علی', 'میکند', 'کتاب', 'tehran', '[UNK]']);
    expect(spans.slice(0, 4).map((s) => text.slice(s!.start, s!.end))).toEqual(['علی', 'می‌کند', 'کتابِ', 'Tehran']);
    expect(spans[4]).toBeNull();
    expect(tokenSurface('##ها')).toBe('ها');
    expect(tokenSurface('▁سلام')).toBe('سلام');
  });

  it('merges B-/I- runs of adjacent tokens into entities with spans', () => {
    const text = 'علی رضایی در تهران';
    const tokens = [
      { label: 'B-PER', score: 0.9, span: { start: 0, end: 3 } },
      { label: 'I-PER', score: 0.7, span: { start: 4, end: 9 } },
      { label: 'I-LOC', score: 0.8, span: { start: 13, end: 18 } },
    ];
    const ents = groupEntities(text, tokens, (a, b) => b === a + 1);
    expect(ents.map((e) => [e.entity, e.word, e.start, e.end])).toEqual([['PER', 'علی رضایی', 0, 9], ['LOC', 'تهران', 13, 18]]);
    expect(ents[0]!.score).toBeCloseTo(0.8, 6);
    // Not adjacent (a token between them was left out): two entities, not one.
    expect(groupEntities(text, tokens.slice(0, 2), () => false)).toHaveLength(2);
  });
});

describe('SessionCache', () => {
  it('evicts the least recently used to fit, and refuses what cannot fit at all', async () => {
    const disposed: string[] = [];
    const cache = new SessionCache<string>(10, async (v) => {
      disposed.push(v);
    });
    const load = (v: string) => async () => v;
    expect((await cache.get('a', 4, load('A'))).cached).toBe(false);
    await cache.get('b', 4, load('B'));
    expect((await cache.get('a', 4, load('A2'))).value).toBe('A');
    await cache.get('c', 4, load('C'));
    expect(disposed).toEqual(['B']);
    expect(cache.keys()).toEqual(['a', 'c']);
    expect(cache.usedBytes).toBe(8);
    await expect(cache.get('huge', 11, load('H'))).rejects.toThrow(/more than the budget/);
  });
});
