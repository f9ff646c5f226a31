import { describe, expect, it } from 'vitest';
import { createI18n } from '../../app/i18n';
import { ApiError } from '../../lib/api';
import { datasetProblem } from './problems';
import { nameFromFile } from './UploadCard';

const { t } = createI18n('fa');
const fa = (n: number) => new Intl.NumberFormat('fa-IR').format(n);

describe('datasetProblem', () => {
  it('names the reason and the line in Persian', () => {
    const err = new ApiError(422, 'INVALID_DATASET', 'bad', [{ line: 3, reason: 'unterminated-quote', message: 'x' }]);
    expect(datasetProblem(t, err, fa)).toBe('یک نقل‌قول باز مانده و بسته نشده است. (سطر ۳)');
  });
  it('leaves out line 0 and ignores other errors', () => {
    expect(datasetProblem(t, new ApiError(422, 'INVALID_DATASET', 'bad', [{ line: 0, reason: 'empty-file', message: '' }]), fa)).toBe('فایل خالی است.');
    expect(datasetProblem(t, new ApiError(413, 'PAYLOAD_TOO_LARGE', 'big'), fa)).toBeNull();
    expect(datasetProblem(t, new ApiError(422, 'INVALID_DATASET', 'bad', [{ line: 1, reason: 'made-up', message: '' }]), fa)).toBeNull();
  });
});

describe('nameFromFile', () => {
  it('turns a file name into a readable dataset name', () => {
    expect(nameFromFile('نظرهای_کاربران-۱۴۰۳.csv')).toBe('نظرهای کاربران ۱۴۰۳');
    expect(nameFromFile('data.jsonl')).toBe('data');
  });
});
