import { describe, expect, it } from 'vitest';
import type { DatasetDetail, InstalledModel, TrainedModel } from '@sokhan/common';
import {
  applyBaseModel,
  applyDataset,
  applyLabelColumn,
  baseModelChoices,
  buildRequest,
  canContinueFrom,
  defaultDraft,
  encoderChoices,
  labelClasses,
  newLayer,
  type SentimentClass,
  type TrainingDraft,
} from './form-model';

const uuid = '6f1c1f0e-8c1a-4c55-9a44-1f5f8f0b9a11';

function dataset(over: Partial<DatasetDetail> = {}): DatasetDetail {
  return {
    id: uuid,
    name: 'نظرها',
    description: null,
    type: 'text-classification',
    typeGiven: false,
    format: 'csv',
    originalName: 'reviews.csv',
    sizeBytes: 1000,
    recordCount: 300,
    columns: [
      { name: 'متن', type: 'text', missing: 0, distinct: 300, distinctCapped: false, min: null, max: null, mean: null, meanLength: 40, maxLength: 90, topValues: null },
      { name: 'برچسب', type: 'category', missing: 0, distinct: 2, distinctCapped: false, min: null, max: null, mean: null, meanLength: 4, maxLength: 5, topValues: null },
    ],
    textColumn: 'متن',
    labelColumn: 'برچسب',
    classCounts: [
      { value: 'مثبت', count: 150 },
      { value: 'منفی', count: 150 },
    ],
    headerRow: { present: true, decidedBy: 'detected', reason: 'names-like-a-header' },
    workbook: null,
    skippedRows: 0,
    skippedLines: [],
    inUse: false,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    preview: [],
    ...over,
  };
}

const ready = (patch: Partial<TrainingDraft> = {}) => ({ ...applyDataset(defaultDraft(), dataset()), ...patch });
const paths = (draft: TrainingDraft) => buildRequest(draft).issues.map((i) => (typeof i.path === 'string' ? i.path : i.path.join('.')));

describe('buildRequest', () => {
  it('turns the default form for a text dataset into a valid request', () => {
    const { request, issues } = buildRequest(ready());
    expect(issues).toEqual([]);
    expect(request).toMatchObject({
      datasetId: uuid,
      task: 'text-classification',
      textColumn: 'متن',
      labelColumn: 'برچسب',
      featureColumns: [],
      input: 'sparse',
      classWeight: 'sqrt',
      optimizer: 'adam',
      learningRate: 0.04,
      l2: 0.00002,
      epochs: 20,
      batchSize: 256,
      validationSplit: 0.1,
      earlyStopping: { monitor: 'val_loss', patience: 2, restoreBest: true },
      refit: true,
    });
    // The default is a linear (multinomial logistic) head over the sparse features.
    expect(request?.layers).toEqual([]);
  });

  it('refits only with early stopping', () => {
    expect(buildRequest(ready({ earlyStopping: false })).request).toMatchObject({ earlyStopping: null, refit: false });
  });

  it('reads numbers typed with Persian digits', () => {
    const { request } = buildRequest(ready({ learningRate: '۰٫۰۰۵', epochs: '۲۰', batchSize: '۱۶' }));
    expect(request).toMatchObject({ learningRate: 0.005, epochs: 20, batchSize: 16 });
  });

  it('points each bad value at its field', () => {
    const draft = ready({
      layers: [{ ...newLayer('dense'), units: '0' }, { ...newLayer('dropout'), rate: '1.5' }, { ...newLayer('dense'), units: 'abc' }],
      epochs: '2.5',
      learningRate: '5',
    });
    expect(paths(draft).sort()).toEqual(['epochs', 'layers.0.units', 'layers.1.rate', 'layers.2.units', 'learningRate']);
    expect(buildRequest(draft).request).toBeNull();
  });

  it('requires a validation split when early stopping watches a validation metric', () => {
    expect(paths(ready({ earlyStopping: true, monitor: 'val_loss', validationSplit: '0' }))).toEqual(['earlyStopping.monitor']);
    expect(paths(ready({ earlyStopping: true, monitor: 'loss', validationSplit: '0' }))).toEqual([]);
  });

  it('refuses the label column as the text input', () => {
    expect(paths(ready({ textColumn: 'برچسب' }))).toContain('textColumn');
  });

  it('builds tabular requests from the chosen feature columns', () => {
    const tabular = dataset({
      type: 'tabular-classification',
      textColumn: null,
      labelColumn: 'class',
      columns: [
        { name: 'x', type: 'number', missing: 0, distinct: 10, distinctCapped: false, min: 0, max: 1, mean: 0.5, meanLength: null, maxLength: null, topValues: null },
        { name: 'y', type: 'category', missing: 0, distinct: 3, distinctCapped: false, min: null, max: null, mean: null, meanLength: 1, maxLength: 1, topValues: null },
        { name: 'class', type: 'category', missing: 0, distinct: 2, distinctCapped: false, min: null, max: null, mean: null, meanLength: 1, maxLength: 1, topValues: null },
      ],
    });
    const draft = applyDataset(defaultDraft(), tabular);
    expect(draft.featureColumns).toEqual(['x', 'y']);
    expect(buildRequest(draft).request?.featureColumns).toEqual([{ name: 'x' }, { name: 'y' }]);
    expect(paths({ ...draft, featureColumns: [] })).toEqual(['featureColumns']);
  });

  it('asks for a dataset', () => {
    expect(paths({ ...defaultDraft(), datasetId: '' })).toContain('datasetId');
  });
});

describe('class names', () => {
  const word = (c: SentimentClass) => `word:${c}`;
  const sentipers = dataset({
    classCounts: ['0', '1', '-1', '2', '-2'].map((value, i) => ({ value, count: 100 - i })),
    columns: [
      { name: 'متن', type: 'text', missing: 0, distinct: 300, distinctCapped: false, min: null, max: null, mean: null, meanLength: 40, maxLength: 90, topValues: null },
      { name: 'برچسب', type: 'number', missing: 0, distinct: 5, distinctCapped: false, min: -2, max: 2, mean: 0, meanLength: null, maxLength: null, topValues: null },
      { name: 'منبع', type: 'category', missing: 0, distinct: 2, distinctCapped: false, min: null, max: null, mean: null, meanLength: 3, maxLength: 4, topValues: [{ value: 'وب', count: 200 }, { value: 'اپ', count: 100 }] },
    ],
  });

  it('lists numeric classes in order and prefills a sentiment scale with its words', () => {
    expect(labelClasses(sentipers, 'برچسب')).toEqual(['-2', '-1', '0', '1', '2']);
    const draft = applyDataset(defaultDraft(), sentipers, word);
    expect(draft.labelNames).toEqual({ '-2': 'word:veryNegative', '-1': 'word:negative', '0': 'word:neutral', '1': 'word:positive', '2': 'word:veryPositive' });
    expect(buildRequest(draft).request?.labelNames).toEqual(draft.labelNames);
  });

  it('prefills other classes with their values and sends only the names that differ', () => {
    const draft = applyDataset(defaultDraft(), dataset(), word);
    expect(draft.labelNames).toEqual({ مثبت: 'مثبت', منفی: 'منفی' });
    expect(buildRequest(draft).request).not.toHaveProperty('labelNames');
    const named = { ...draft, labelNames: { مثبت: ' خوب ', منفی: '' } };
    expect(buildRequest(named).request?.labelNames).toEqual({ مثبت: 'خوب' });
    // A regression has no classes: the names are not sent (the schema would refuse them).
    expect(paths({ ...named, task: 'tabular-regression' })).not.toContain('labelNames');
  });

  it('follows the label column: a category column lists its values, a column without a known list none', () => {
    const other = applyLabelColumn(applyDataset(defaultDraft(), sentipers, word), sentipers, 'منبع', word);
    expect(other.labelNames).toEqual({ وب: 'وب', اپ: 'اپ' });
    expect(labelClasses(sentipers, 'متن')).toEqual([]);
    expect(labelClasses(dataset({ type: 'tabular-regression' }), 'برچسب')).toEqual([]);
  });
});

describe('encoder and start point', () => {
  const encoderId = '0b6f0c41-5c8e-4f0e-9d0a-3a2c5b1e7f20';
  const trainedId = '9d3b2f0a-1c4e-4b8a-8f6e-2a7c9e5d1b30';

  function installed(over: Partial<InstalledModel> = {}): InstalledModel {
    return {
      id: encoderId,
      repoId: 'sokhan-lab/bert-fa-tiny-encoder',
      revision: 'main',
      commitSha: 'abc',
      name: 'bert-fa-tiny-encoder',
      type: 'feature-extraction',
      status: 'ready',
      path: null,
      sizeBytes: 1,
      fileCount: 1,
      pipelineTag: 'feature-extraction',
      libraryName: 'transformers.js',
      license: null,
      tags: [],
      ownerId: null,
      installedByMe: true,
      problems: [],
      runtime: {
        status: 'runnable',
        pipelines: ['feature-extraction'],
        variants: [{ variant: 'fp32', file: 'onnx/model.onnx', sizeBytes: 1 }],
        defaultVariant: 'fp32',
        text: { persian: true, digits: 'latin', keepDiacritics: false },
        maskToken: null,
        hiddenSize: 32,
        samplingRate: null,
        checkedAt: '',
      },
      canDelete: true,
      trainedOnIt: 0,
      createdAt: '',
      updatedAt: '',
      ...over,
    };
  }

  function trained(over: Partial<TrainedModel> = {}): TrainedModel {
    return {
      id: trainedId,
      name: 'پایه',
      status: 'ready',
      task: 'text-classification',
      inputs: [{ name: 'متن', kind: 'text' }],
      labels: ['مثبت', 'منفی'],
      labelNames: null,
      files: [],
      metrics: null,
      datasetId: uuid,
      trainingJobId: null,
      createdAt: '',
      importedAt: null,
      encoder: null,
      ...over,
    };
  }

  const onEncoder = {
    repoId: 'sokhan-lab/bert-fa-tiny-encoder',
    revision: 'abc',
    variant: 'fp32' as const,
    pooling: 'cls' as const,
    normalize: true,
    text: { persian: true, digits: 'latin' as const, keepDiacritics: false },
    installedId: encoderId,
    dim: 32,
    files: ['config.json', 'tokenizer.json', 'onnx/model.onnx'],
  };

  it('reads the text through the chosen encoder: no input kind is sent (the server refuses sparse with one)', () => {
    const { request, issues } = buildRequest(ready({ encoderId, encoderPooling: 'cls' }));
    expect(issues).toEqual([]);
    expect(request?.encoder).toEqual({ modelId: encoderId, pooling: 'cls' });
    expect(request).not.toHaveProperty('input');
    expect(request).not.toHaveProperty('textFeatures');
    expect(request).not.toHaveProperty('modelId');
  });

  it('sends no encoder without one, nor for a tabular task', () => {
    expect(buildRequest(ready()).request).not.toHaveProperty('encoder');
    const tabular = { ...ready({ encoderId }), task: 'tabular-classification' as const, textColumn: '', featureColumns: ['متن'] };
    const { request } = buildRequest(tabular);
    expect(request).not.toHaveProperty('encoder');
    expect(request?.input).toBe('sparse');
  });

  it('offers the installed models that run feature-extraction here, with their embedding length', () => {
    const list = [
      installed(),
      installed({ id: 'b', repoId: 'x/classifier', runtime: { ...installed().runtime, pipelines: ['text-classification'] } as InstalledModel['runtime'] }),
      installed({ id: 'c', repoId: 'x/pytorch', runtime: { status: 'unsupported', reasonCode: 'pytorch-only', reason: 'PyTorch only', checkedAt: '' } }),
      installed({ id: 'd', repoId: 'x/downloading', status: 'downloading' }),
    ];
    expect(encoderChoices(list)).toEqual([{ id: encoderId, repoId: 'sokhan-lab/bert-fa-tiny-encoder', dim: 32 }]);
  });

  it('continues only from my ready models of the same task', () => {
    const list = [trained(), trained({ id: 'p', status: 'training' }), trained({ id: 't', task: 'tabular-classification' })];
    expect(baseModelChoices(list, 'text-classification').map((m) => m.id)).toEqual([trainedId]);
    expect(baseModelChoices(list, 'tabular-classification').map((m) => m.id)).toEqual(['t']);
  });

  it('a continued model brings its text column and encoder, and the request names it', () => {
    const draft = applyBaseModel(ready({ textColumn: '' }), trained({ encoder: onEncoder }));
    expect(draft).toMatchObject({ baseModelId: trainedId, textColumn: 'متن', encoderId, encoderPooling: 'cls' });
    const { request, issues } = buildRequest(draft);
    expect(issues).toEqual([]);
    expect(request).toMatchObject({ modelId: trainedId, encoder: { modelId: encoderId, pooling: 'cls' } });
    // Back to a new model: the choice of encoder stays as it was set.
    const fresh = applyBaseModel(draft, null);
    expect(fresh.baseModelId).toBe('');
    expect(buildRequest(fresh).request).not.toHaveProperty('modelId');
  });

  it('a continued n-gram model clears the encoder; one whose encoder was removed cannot be continued from', () => {
    expect(applyBaseModel(ready({ encoderId }), trained()).encoderId).toBe('');
    expect(canContinueFrom(trained())).toBe(true);
    expect(canContinueFrom(trained({ encoder: onEncoder }))).toBe(true);
    expect(canContinueFrom(trained({ encoder: { ...onEncoder, installedId: null } }))).toBe(false);
  });

  it('another dataset starts from scratch; a tabular one drops the encoder', () => {
    const chosen = { ...ready({ encoderId }), baseModelId: trainedId };
    expect(applyDataset(chosen, dataset())).toMatchObject({ baseModelId: '', encoderId });
    const tabular = dataset({ type: 'tabular-classification', textColumn: null });
    expect(applyDataset(chosen, tabular)).toMatchObject({ baseModelId: '', encoderId: '' });
  });
});
