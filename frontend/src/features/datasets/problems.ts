import type { TFunction } from 'i18next';
import type { DatasetProblem } from '@sokhan/common';
import { ApiError } from '../../lib/api';

const REASONS: ReadonlyArray<DatasetProblem['reason']> = [
  'empty-file',
  'not-text',
  'no-rows',
  'invalid-utf8',
  'invalid-text',
  'line-too-long',
  'ragged-rows',
  'unterminated-quote',
  'invalid-json',
  'not-an-object',
  'too-many-columns',
  'single-class',
  'unknown-label-column',
  'no-sheet',
  'invalid-workbook',
];

function isProblem(value: unknown): value is DatasetProblem {
  const v = value as Partial<DatasetProblem> | null;
  return !!v && typeof v.line === 'number' && typeof v.reason === 'string' && (REASONS as readonly string[]).includes(v.reason);
}

/** An INVALID_DATASET answer says what is wrong and on which line; the sentence is ours, in the user's language. */
export function datasetProblem(t: TFunction, error: unknown, formatNumber: (n: number) => string): string | null {
  if (!(error instanceof ApiError) || error.code !== 'INVALID_DATASET') return null;
  const problem = error.details?.find(isProblem);
  if (!problem) return null;
  const reason = problem.reason === 'not-text' ? t(`datasets.notText.${problem.kind ?? 'binary'}`) : t(`datasets.problems.${problem.reason}`);
  return problem.line > 0 ? t('datasets.problemAtLine', { reason, line: formatNumber(problem.line) }) : reason;
}
