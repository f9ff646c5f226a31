import type { TFunction } from 'i18next';
import { MODEL_ARCHIVE_REASONS, type ModelArchiveProblem } from '@sokhan/common';
import { ApiError } from '../../lib/api';

function isProblem(value: unknown): value is ModelArchiveProblem {
  const v = value as Partial<ModelArchiveProblem> | null;
  return !!v && typeof v.reason === 'string' && (MODEL_ARCHIVE_REASONS as readonly string[]).includes(v.reason);
}

/** An INVALID_MODEL_ARCHIVE answer in the user's language: what is wrong, and with which file of the archive. */
export function archiveProblem(t: TFunction, error: unknown): string | null {
  if (!(error instanceof ApiError) || error.code !== 'INVALID_MODEL_ARCHIVE') return null;
  const problem = error.details?.find(isProblem);
  if (!problem) return null;
  const reason = t(`playground.import.reasons.${problem.reason}`);
  return problem.entry ? t('playground.import.inEntry', { reason, entry: problem.entry }) : reason;
}
