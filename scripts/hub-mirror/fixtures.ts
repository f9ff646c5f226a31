import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fixtureBytes, piperVoiceConfig, safetensors, tfjsLayersModel, writeRandomFile } from './fixture-content.js';
import { runnableFixtureSpecs } from './onnx-fixtures.js';
import { buildPiperLikeOnnx } from './piper-onnx.js';
import { DEFAULT_LFS_THRESHOLD_BYTES, gitBlobOid, isLfsFile, lfsPointer, sha256Hex } from './hashing.js';
import type { GatedMode, RepoKind, RepoMetaFile } from './repo-store.js';
import type { MirrorTokens } from './types.js';

export { sha256File, gitBlobOid, lfsPointer } from './hashing.js';
export { fixtureBytes } from './fixture-content.js';

/** File content for a fixture: text, bytes, or N deterministic pseudo-random bytes. */
export type FixtureContent = string | Buffer | { randomBytes: number; seed?: string };

export interface FixtureRepoSpec {
  /** owner/name */
  id: string;
  kind?: RepoKind;
  /** Written as `.hub.json`. */
  meta?: RepoMetaFile;
  files: Record<string, FixtureContent>;
}

export interface FixtureFile {
  path: string;
  size: number;
  sha256: string;
  /** Whether the mirror serves it as an LFS file (302 to the file host). */
  lfs: boolean;
  /** The oid the Hub reports (tree `oid`, siblings `blobId`, and the resolve ETag of non-LFS files). */
  oid: string;
  absPath: string;
}

export interface FixtureRepo {
  id: string;
  owner: string;
  name: string;
  kind: RepoKind;
  dir: string;
  meta: RepoMetaFile;
  gated: GatedMode;
  private: boolean;
  files: FixtureFile[];
  /** Sum of file sizes. */
  totalSize: number;
}

export interface BuildFixtureOptions {
  /** Write the built-in Persian repositories (default true). */
  includeDefaults?: boolean;
  extraRepos?: FixtureRepoSpec[];
  /** Also write a repository with one big pseudo-random LFS file of this many MiB (streamed to disk). */
  bigFileMB?: number;
  /** Default `sokhan-lab/fa-tts-large`. */
  bigRepoId?: string;
  /** Default `model.safetensors`. */
  bigFileName?: string;
  /** Write `tokens.json` with FIXTURE_TOKENS (default true). */
  writeTokens?: boolean;
  /** Also write the runnable transformers.js repositories and their two negatives (see onnx-fixtures.ts). */
  runnableModels?: boolean;
}

/** Tokens the fixture `tokens.json` holds: one granted the gated repo, one plain, one owning sokhan-lab. */
export const FIXTURE_TOKEN = {
  granted: 'hf_SokhanMirrorGrantedReader00000000001',
  plain: 'hf_SokhanMirrorPlainReader000000000002',
  owner: 'hf_SokhanMirrorLabOwner0000000000000003',
} as const;

export const FIXTURE_TOKENS: MirrorTokens = {
  [FIXTURE_TOKEN.granted]: { name: 'sokhan-researcher', fullname: 'پژوهشگر سخن', grants: ['gated-org/fa-tts-gated'] },
  [FIXTURE_TOKEN.plain]: { name: 'sokhan-guest', fullname: 'مهمان سخن' },
  [FIXTURE_TOKEN.owner]: { name: 'sokhan-lab', fullname: 'Sokhan Lab', role: 'write' },
};

export const GATED_REPO_ID = 'gated-org/fa-tts-gated';
export const PRIVATE_REPO_ID = 'sokhan-lab/private-fa-voice';

const GITATTRIBUTES = [
  '*.bin filter=lfs diff=lfs merge=lfs -text',
  '*.h5 filter=lfs diff=lfs merge=lfs -text',
  '*.onnx filter=lfs diff=lfs merge=lfs -text',
  '*.pt filter=lfs diff=lfs merge=lfs -text',
  '*.safetensors filter=lfs diff=lfs merge=lfs -text',
  '*.tflite filter=lfs diff=lfs merge=lfs -text',
  '',
].join('\n');

function card(front: Record<string, string | string[]>, body: string): string {
  const lines = Object.entries(front).map(([k, v]) =>
    Array.isArray(v) ? `${k}:\n${v.map((x) => `- ${x}`).join('\n')}` : `${k}: ${v}`,
  );
  return `---\n${lines.join('\n')}\n---\n\n${body.trim()}\n`;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

const PERSIAN_LETTERS = 'آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی'.split('');

function bertVocab(): string {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const words = [
    'من', 'تو', 'او', 'ما', 'شما', 'آنها', 'است', 'بود', 'هست', 'نیست', 'این', 'آن', 'که', 'را', 'به', 'از', 'در', 'با',
    'برای', 'فیلم', 'کتاب', 'غذا', 'خوب', 'بد', 'عالی', 'افتضاح', 'دوست', 'داشتم', 'نداشتم', 'خیلی', 'کمی', 'واقعا',
    'کیفیت', 'قیمت', 'خرید', 'پیشنهاد', 'می\u200cکنم', 'نمی\u200cکنم', 'راضی', 'ناراضی', 'سریع', 'کند', 'زیبا', 'زشت',
  ];
  const pieces = ['##ها', '##های', '##ی', '##م', '##ت', '##ش', '##ان', '##تر', '##ترین', '##ه'];
  return `${[...special, ...PERSIAN_LETTERS, ...words, ...pieces, '.', '،', '؟', '!'].join('\n')}\n`;
}

function charVocab(): Record<string, number> {
  const chars = ['<pad>', ' ', ...PERSIAN_LETTERS, 'ئ', 'ء', 'أ', 'ؤ', '\u200c', '.', '،', '؟', '!', '<unk>'];
  return Object.fromEntries(chars.map((c, i) => [c, i]));
}

/** The built-in repositories: Persian TTS, ASR and NLP models in the shapes their libraries use. */
export function defaultFixtureSpecs(): FixtureRepoSpec[] {
  const bertLabels = { 0: 'negative', 1: 'neutral', 2: 'positive' };
  const kws = tfjsLayersModel('kws', 40, 16, 5);
  return [
    {
      id: 'sokhan-lab/vits-fa-female',
      meta: {
        pipeline_tag: 'text-to-speech',
        library_name: 'transformers',
        tags: ['vits', 'mms', 'persian', 'safetensors'],
        license: 'mit',
        downloads: 12840,
        likes: 87,
        trendingScore: 14,
        createdAt: '2024-03-02T08:15:00.000Z',
        lastModified: '2024-11-20T10:30:00.000Z',
      },
      files: {
        '.gitattributes': GITATTRIBUTES,
        'README.md': card(
          { license: 'mit', language: ['fa'], pipeline_tag: 'text-to-speech', library_name: 'transformers', tags: ['vits', 'mms'] },
          '# VITS — صدای زن فارسی\n\nمدل تبدیل متن به گفتار فارسی (VITS) با صدای زن، نرخ نمونه‌برداری ۱۶ کیلوهرتز.\n\n```python\nfrom transformers import VitsModel, AutoTokenizer\nmodel = VitsModel.from_pretrained("sokhan-lab/vits-fa-female")\n```\n',
        ),
        'config.json': json({
          architectures: ['VitsModel'],
          model_type: 'vits',
          hidden_size: 192,
          num_hidden_layers: 6,
          num_attention_heads: 2,
          flow_size: 192,
          spectrogram_bins: 513,
          sampling_rate: 16000,
          vocab_size: Object.keys(charVocab()).length,
          speaking_rate: 1.0,
          noise_scale: 0.667,
          noise_scale_duration: 0.8,
          torch_dtype: 'float32',
          transformers_version: '4.40.0',
        }),
        'tokenizer_config.json': json({
          tokenizer_class: 'VitsTokenizer',
          language: 'fas',
          add_blank: true,
          normalize: true,
          is_uroman: false,
          pad_token: '<pad>',
          unk_token: '<unk>',
        }),
        'vocab.json': json(charVocab()),
        'special_tokens_map.json': json({ pad_token: '<pad>', unk_token: '<unk>' }),
        'model.safetensors': safetensors('vits-fa-female', [
          { name: 'text_encoder.embed_tokens.weight', shape: [48, 192] },
          { name: 'text_encoder.project.weight', shape: [384, 192] },
          { name: 'decoder.conv_pre.weight', shape: [128, 192] },
        ]),
      },
    },
    {
      id: 'sokhan-lab/piper-fa-amir-medium',
      meta: {
        pipeline_tag: 'text-to-speech',
        library_name: 'onnx',
        tags: ['piper', 'onnx', 'tts', 'persian'],
        license: 'cc-by-4.0',
        downloads: 30411,
        likes: 142,
        trendingScore: 31,
        createdAt: '2023-11-12T16:00:00.000Z',
        lastModified: '2024-12-01T09:00:00.000Z',
      },
      files: {
        '.gitattributes': GITATTRIBUTES,
        'README.md': card(
          { license: 'cc-by-4.0', language: ['fa'], pipeline_tag: 'text-to-speech', library_name: 'onnx', tags: ['piper'] },
          '# Piper — fa_IR amir (medium)\n\nصدای مرد فارسی برای [Piper](https://github.com/rhasspy/piper)، کیفیت متوسط، ۲۲٫۰۵ کیلوهرتز.\n\n```sh\necho "سلام دنیا" | piper --model fa_IR-amir-medium.onnx --output_file salam.wav\n```\n',
        ),
        'MODEL_CARD': '# Model card for amir (medium)\n\n* Language: fa_IR (Persian, Iran)\n* Speakers: 1\n* Quality: medium\n* Samplerate: 22,050Hz\n',
        // A real (tiny, generated) Piper-shaped voice that onnxruntime runs: the offline first run speaks with it.
        // 1,500 samples per phoneme id (~68 ms at 22.05 kHz) keeps the file ~1.5 MB, big enough to watch a download.
        'fa_IR-amir-medium.onnx': Buffer.from(buildPiperLikeOnnx({ numSymbols: 256, hop: 1500, sampleRate: 22050 })),
        'fa_IR-amir-medium.onnx.json': json(piperVoiceConfig('amir', 'medium', 22050)),
      },
    },
    {
      id: 'persian-nlp/bert-fa-sentiment',
      meta: {
        pipeline_tag: 'text-classification',
        library_name: 'transformers',
        tags: ['bert', 'sentiment', 'persian', 'safetensors'],
        license: 'apache-2.0',
        downloads: 55210,
        likes: 64,
        trendingScore: 9,
        createdAt: '2022-06-18T12:00:00.000Z',
        lastModified: '2024-05-07T14:45:00.000Z',
      },
      files: {
        '.gitattributes': GITATTRIBUTES,
        'README.md': card(
          { license: 'apache-2.0', language: ['fa'], pipeline_tag: 'text-classification', tags: ['bert', 'sentiment'] },
          '# BERT فارسی — تحلیل احساسات\n\nدسته‌بندی نظرهای فارسی به منفی، خنثی و مثبت.\n',
        ),
        'config.json': json({
          architectures: ['BertForSequenceClassification'],
          model_type: 'bert',
          hidden_size: 768,
          num_attention_heads: 12,
          num_hidden_layers: 12,
          intermediate_size: 3072,
          max_position_embeddings: 512,
          vocab_size: 100000,
          type_vocab_size: 2,
          hidden_act: 'gelu',
          hidden_dropout_prob: 0.1,
          attention_probs_dropout_prob: 0.1,
          initializer_range: 0.02,
          layer_norm_eps: 1e-12,
          pad_token_id: 0,
          id2label: bertLabels,
          label2id: { negative: 0, neutral: 1, positive: 2 },
          problem_type: 'single_label_classification',
          torch_dtype: 'float32',
          transformers_version: '4.40.0',
        }),
        'tokenizer_config.json': json({
          tokenizer_class: 'BertTokenizer',
          do_lower_case: false,
          model_max_length: 512,
          cls_token: '[CLS]',
          sep_token: '[SEP]',
          pad_token: '[PAD]',
          mask_token: '[MASK]',
          unk_token: '[UNK]',
        }),
        'special_tokens_map.json': json({ cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]', unk_token: '[UNK]' }),
        'vocab.txt': bertVocab(),
        'model.safetensors': safetensors('bert-fa-sentiment', [
          { name: 'bert.embeddings.word_embeddings.weight', shape: [128, 768] },
          { name: 'classifier.weight', shape: [3, 768] },
          { name: 'classifier.bias', shape: [3] },
        ]),
      },
    },
    {
      id: 'parsi-speech/whisper-small-fa',
      meta: {
        pipeline_tag: 'automatic-speech-recognition',
        library_name: 'transformers',
        tags: ['whisper', 'persian', 'common_voice', 'safetensors'],
        license: 'apache-2.0',
        downloads: 21002,
        likes: 113,
        trendingScore: 22,
        createdAt: '2023-01-09T07:30:00.000Z',
        lastModified: '2024-09-15T18:20:00.000Z',
      },
      files: {
        '.gitattributes': GITATTRIBUTES,
        'README.md': card(
          {
            license: 'apache-2.0',
            language: ['fa'],
            pipeline_tag: 'automatic-speech-recognition',
            library_name: 'transformers',
            datasets: ['mozilla-foundation/common_voice_11_0'],
          },
          '# Whisper Small — فارسی\n\nتبدیل گفتار فارسی به متن، تنظیم‌شده روی Common Voice فارسی.\n',
        ),
        'config.json': json({
          architectures: ['WhisperForConditionalGeneration'],
          model_type: 'whisper',
          d_model: 768,
          encoder_layers: 12,
          decoder_layers: 12,
          encoder_attention_heads: 12,
          decoder_attention_heads: 12,
          num_mel_bins: 80,
          vocab_size: 51865,
          max_source_positions: 1500,
          max_target_positions: 448,
          torch_dtype: 'float32',
          transformers_version: '4.40.0',
        }),
        'generation_config.json': json({
          lang_to_id: { '<|fa|>': 50300, '<|en|>': 50259 },
          task_to_id: { transcribe: 50359, translate: 50358 },
          language: 'fa',
          task: 'transcribe',
          max_length: 448,
          no_timestamps_token_id: 50363,
        }),
        'preprocessor_config.json': json({
          feature_extractor_type: 'WhisperFeatureExtractor',
          feature_size: 80,
          sampling_rate: 16000,
          n_fft: 400,
          hop_length: 160,
          chunk_length: 30,
          n_samples: 480000,
          nb_max_frames: 3000,
          padding_side: 'right',
          padding_value: 0.0,
          return_attention_mask: false,
        }),
        'tokenizer.json': json({
          version: '1.0',
          truncation: null,
          padding: null,
          added_tokens: [{ id: 50300, content: '<|fa|>', special: true }],
          model: {
            type: 'BPE',
            vocab: Object.fromEntries(
              PERSIAN_LETTERS.flatMap((a) => PERSIAN_LETTERS.slice(0, 12).map((b) => `${a}${b}`)).map((tok, i) => [tok, i + 256]),
            ),
            merges: [],
          },
        }),
        'model.safetensors': safetensors('whisper-small-fa', [
          { name: 'model.encoder.conv1.weight', shape: [768, 80, 3] },
          { name: 'model.decoder.embed_tokens.weight', shape: [64, 768] },
        ]),
      },
    },
    {
      id: GATED_REPO_ID,
      meta: {
        pipeline_tag: 'text-to-speech',
        library_name: 'onnx',
        tags: ['tts', 'persian', 'onnx'],
        license: 'cc-by-nc-4.0',
        gated: 'manual',
        downloads: 980,
        likes: 19,
        trendingScore: 3,
        createdAt: '2024-07-21T11:00:00.000Z',
        lastModified: '2024-10-02T13:10:00.000Z',
      },
      files: {
        '.gitattributes': GITATTRIBUTES,
        'README.md': card(
          {
            license: 'cc-by-nc-4.0',
            language: ['fa'],
            pipeline_tag: 'text-to-speech',
            extra_gated_prompt: 'برای دسترسی، شرایط استفادهٔ غیرتجاری را بپذیرید.',
          },
          '# گفتار فارسی (دسترسی محدود)\n\nاین مدل فقط پس از تأیید درخواست دسترسی در دسترس است.\n',
        ),
        'config.json': json({ model_type: 'vits', sampling_rate: 22050, speakers: ['maryam', 'reza'] }),
        'tokens.txt': `${Object.entries(charVocab())
          .map(([c, i]) => `${c === ' ' ? '<space>' : c} ${i}`)
          .join('\n')}\n`,
        'model.onnx': { randomBytes: 262_144, seed: 'gated-fa-tts' },
      },
    },
    {
      id: 'sokhan-lab/tfjs-fa-keyword-spotter',
      meta: {
        pipeline_tag: 'audio-classification',
        library_name: 'tensorflowjs',
        tags: ['tfjs', 'keyword-spotting', 'persian'],
        license: 'mit',
        downloads: 3120,
        likes: 25,
        trendingScore: 5,
        createdAt: '2024-02-14T10:00:00.000Z',
        lastModified: '2024-08-30T08:00:00.000Z',
      },
      files: {
        '.gitattributes': GITATTRIBUTES,
        'README.md': card(
          { license: 'mit', language: ['fa'], pipeline_tag: 'audio-classification', library_name: 'tensorflowjs' },
          '# تشخیص کلیدواژه‌های فارسی (TF.js)\n\nمدل کوچک لایه‌ای TF.js روی ۴۰ ویژگی MFCC: بله، نه، سلام، خداحافظ، سکوت.\n',
        ),
        'tfjs/model.json': kws.modelJson,
        'tfjs/group1-shard1of2.bin': kws.shard1,
        'tfjs/group1-shard2of2.bin': kws.shard2,
        'labels/fa.txt': 'بله\nنه\nسلام\nخداحافظ\nسکوت\n',
        'onnx/quantized/model_int8.onnx': { randomBytes: 65_536, seed: 'kws-int8' },
        'samples/README.md': '# نمونه‌ها\n\nنمونه‌های صوتی ۱۶ کیلوهرتز، تک‌کاناله.\n',
      },
    },
    {
      id: PRIVATE_REPO_ID,
      meta: {
        pipeline_tag: 'text-to-speech',
        library_name: 'onnx',
        private: true,
        license: 'other',
        downloads: 0,
        likes: 0,
        createdAt: '2024-12-05T09:00:00.000Z',
        lastModified: '2024-12-06T09:00:00.000Z',
      },
      files: {
        'README.md': card({ license: 'other', language: ['fa'] }, '# صدای خصوصی\n\nفقط برای اعضای آزمایشگاه.\n'),
        'model.onnx': { randomBytes: 32_768, seed: 'private-voice' },
      },
    },
    {
      id: 'acme-ai/tiny-gpt-en',
      meta: {
        pipeline_tag: 'text-generation',
        library_name: 'transformers',
        tags: ['gpt2'],
        license: 'mit',
        downloads: 99000,
        likes: 240,
        trendingScore: 40,
        createdAt: '2021-04-01T00:00:00.000Z',
        lastModified: '2023-03-03T00:00:00.000Z',
      },
      files: {
        'README.md': card({ license: 'mit', language: ['en'], pipeline_tag: 'text-generation' }, '# Tiny GPT (English)\n'),
        'config.json': json({ architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_layer: 2, n_embd: 64, vocab_size: 50257 }),
        'model.safetensors': safetensors('tiny-gpt-en', [{ name: 'transformer.wte.weight', shape: [256, 64] }]),
      },
    },
    {
      id: 'sokhan-lab/fa-tts-sentences',
      kind: 'dataset',
      meta: { license: 'cc-by-4.0', downloads: 450, likes: 12, createdAt: '2024-04-04T00:00:00.000Z', lastModified: '2024-04-10T00:00:00.000Z' },
      files: {
        'README.md': card(
          { license: 'cc-by-4.0', language: ['fa'], task_categories: ['text-to-speech'] },
          '# جمله‌های فارسی برای TTS\n',
        ),
        'data/train.csv': 'id,text\n1,سلام، حال شما چطور است؟\n2,امروز هوا آفتابی است.\n3,کتاب را روی میز گذاشتم.\n',
        'data/validation.csv': 'id,text\n1,فردا به کتابخانه می\u200cروم.\n',
      },
    },
  ];
}

function contentBytes(content: Exclude<FixtureContent, { randomBytes: number }>): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

async function writeRepo(root: string, spec: FixtureRepoSpec): Promise<FixtureRepo> {
  const kind = spec.kind ?? 'model';
  const [owner = '', name = ''] = spec.id.split('/');
  const dir = kind === 'dataset' ? path.join(root, 'datasets', owner, name) : path.join(root, owner, name);
  await fsp.mkdir(dir, { recursive: true });
  const meta = spec.meta ?? {};
  if (spec.meta) await fsp.writeFile(path.join(dir, '.hub.json'), json(spec.meta));
  const threshold = meta.lfsThresholdBytes ?? DEFAULT_LFS_THRESHOLD_BYTES;
  const files: FixtureFile[] = [];
  for (const [rel, content] of Object.entries(spec.files)) {
    const abs = path.join(dir, ...rel.split('/'));
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    let size: number;
    let sha256: string;
    let blobOid: () => string;
    if (typeof content === 'object' && !Buffer.isBuffer(content)) {
      const seed = content.seed ?? `${spec.id}/${rel}`;
      size = content.randomBytes;
      sha256 = await writeRandomFile(abs, size, seed);
      blobOid = () => gitBlobOid(fixtureBytes(seed, size));
    } else {
      const bytes = contentBytes(content);
      await fsp.writeFile(abs, bytes);
      size = bytes.length;
      sha256 = sha256Hex(bytes);
      blobOid = () => gitBlobOid(bytes);
    }
    const lfs = isLfsFile(rel, size, threshold);
    const oid = lfs ? gitBlobOid(lfsPointer(sha256, size)) : blobOid();
    files.push({ path: rel, size, sha256, lfs, oid, absPath: abs });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    id: spec.id,
    owner,
    name,
    kind,
    dir,
    meta,
    gated: meta.gated ?? false,
    private: meta.private === true,
    files,
    totalSize: files.reduce((sum, f) => sum + f.size, 0),
  };
}

/**
 * Writes fixture repositories under `dir` in the mirror's layout and returns what was written, with each
 * file's size and sha256, so tests can assert on them.
 */
export async function buildFixtureRepos(dir: string, opts: BuildFixtureOptions = {}): Promise<FixtureRepo[]> {
  await fsp.mkdir(dir, { recursive: true });
  const specs = [
    ...(opts.includeDefaults === false ? [] : defaultFixtureSpecs()),
    ...(opts.runnableModels ? runnableFixtureSpecs() : []),
    ...(opts.extraRepos ?? []),
  ];
  if (opts.bigFileMB && opts.bigFileMB > 0) {
    const fileName = opts.bigFileName ?? 'model.safetensors';
    specs.push({
      id: opts.bigRepoId ?? 'sokhan-lab/fa-tts-large',
      meta: {
        pipeline_tag: 'text-to-speech',
        library_name: 'transformers',
        tags: ['persian', 'benchmark'],
        license: 'mit',
        downloads: 10,
        likes: 1,
        createdAt: '2024-06-01T00:00:00.000Z',
        lastModified: '2024-06-01T00:00:00.000Z',
      },
      files: {
        'README.md': card({ license: 'mit', language: ['fa'], pipeline_tag: 'text-to-speech' }, `# مدل بزرگ (${opts.bigFileMB} MiB)\n`),
        'config.json': json({ model_type: 'vits', sampling_rate: 22050 }),
        [fileName]: { randomBytes: Math.round(opts.bigFileMB * 1024 * 1024), seed: `big:${opts.bigFileMB}` },
      },
    });
  }
  const repos: FixtureRepo[] = [];
  for (const spec of specs) repos.push(await writeRepo(dir, spec));
  if (opts.writeTokens !== false) await fsp.writeFile(path.join(dir, 'tokens.json'), json(FIXTURE_TOKENS));
  return repos;
}
