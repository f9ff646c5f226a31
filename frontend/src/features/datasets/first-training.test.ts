import { describe, expect, it } from 'vitest';
import { createTrainingRequestSchema, TRAINING_DEFAULTS, type DatasetDetail } from '@sokhan/common';
import { firstTrainingRequest } from './first-training';

const column = (name: string, type: 'text' | 'category') => ({ name, type, missing: 0, distinct: 3, distinctCapped: false, min: null, max: null, mean: null, meanLength: 40, maxLength: 90, topValues: null });

/** A copy of the sentiment sample as the server describes it. */
const sample: DatasetDetail = {
  id: '0b5a8f7e-3c2d-4e1f-9a8b-7c6d5e4f3a2b',
  name: 'نظرهای فارسی',
  description: null,
  type: 'text-classification',
  typeGiven: true,
  format: 'csv',
  originalName: 'fa-sentiment.csv',
  sizeBytes: 40_000,
  recordCount: 400,
  columns: [column('متن', 'text'), column('برچسب', 'category')],
  textColumn: 'متن',
  labelColumn: 'برچسب',
  classCounts: [
    { value: 'مثبت', count: 136 },
    { value: 'منفی', count: 132 },
    { value: 'خنثی', count: 132 },
  ],
  headerRow: { present: true, decidedBy: 'user', reason: null },
  workbook: null,
  skippedRows: 0,
  skippedLines: [],
  inUse: false,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  preview: [],
};

describe('firstTrainingRequest', () => {
  it("is the new-training form's request for the dataset, left at its defaults", () => {
    const request = firstTrainingRequest(sample);
    expect(request).toMatchObject({
      datasetId: sample.id,
      task: 'text-classification',
      textColumn: 'متن',
      labelColumn: 'برچسب',
      input: 'sparse',
      layers: TRAINING_DEFAULTS.layers,
      optimizer: TRAINING_DEFAULTS.optimizer,
      learningRate: TRAINING_DEFAULTS.learningRate,
      epochs: TRAINING_DEFAULTS.epochs,
      batchSize: TRAINING_DEFAULTS.batchSize,
      validationSplit: TRAINING_DEFAULTS.validationSplit,
      classWeight: TRAINING_DEFAULTS.classWeight,
      earlyStopping: { monitor: TRAINING_DEFAULTS.earlyStopping.monitor, patience: TRAINING_DEFAULTS.earlyStopping.patience },
    });
    expect(request).not.toHaveProperty('seed');
    expect(createTrainingRequestSchema.safeParse(request).success).toBe(true);
  });

  it('refuses a dataset the defaults cannot train instead of sending a request the server would reject', () => {
    expect(() => firstTrainingRequest({ ...sample, textColumn: null, labelColumn: null, columns: [] })).toThrow(/default training settings/);
  });
});
