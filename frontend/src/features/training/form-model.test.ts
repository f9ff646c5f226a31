import { describe, expect, it } from 'vitest';
import type { DatasetDetail } from '@sokhan/common';
import { applyDataset, buildRequest, defaultDraft, newLayer, type TrainingDraft } from './form-model';

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
