import type { TFunction } from 'i18next';
import type { ApiError } from './api';

/** The parts of a zod v4 issue the messages use (kept structural so no zod import is needed here). */
export interface IssueLike {
  code: string;
  path: ReadonlyArray<PropertyKey> | string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  origin?: string;
  format?: string;
  expected?: string;
  keys?: string[];
}

export type FieldErrors = Record<string, string>;

interface SafeParseLike<T> {
  success: boolean;
  data?: T;
  error?: { issues: ReadonlyArray<IssueLike> };
}

function pathKey(path: IssueLike['path']): string {
  if (typeof path === 'string') return path;
  return path.map((p) => String(p)).join('.');
}

/** A localized sentence for one issue; numbers in it use the caller's number formatter. */
export function issueMessage(t: TFunction, issue: IssueLike, formatNumber: (n: number) => string): string {
  const n = (v: number | bigint | undefined) => formatNumber(Number(v ?? 0));
  switch (issue.code) {
    case 'too_small':
      if (issue.minimum === undefined) return t('validation.invalid');
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1 ? t('validation.required') : t('validation.minChars', { min: n(issue.minimum) });
      }
      if (issue.origin === 'array') return t('validation.minItems', { min: n(issue.minimum) });
      return t('validation.minValue', { min: n(issue.minimum) });
    case 'too_big':
      if (issue.maximum === undefined) return t('validation.invalid');
      if (issue.origin === 'string') return t('validation.maxChars', { max: n(issue.maximum) });
      if (issue.origin === 'array') return t('validation.maxItems', { max: n(issue.maximum) });
      if (issue.origin === 'file') return t('validation.fileTooBig', { max: n(issue.maximum) });
      return t('validation.maxValue', { max: n(issue.maximum) });
    case 'invalid_format':
      if (issue.format === 'email') return t('validation.email');
      if (issue.format === 'regex') return t('validation.pattern');
      return t('validation.format');
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return t('validation.number');
      return t('validation.required');
    case 'not_multiple_of':
      return t('validation.integer');
    case 'invalid_value':
      return t('validation.choice');
    case 'unrecognized_keys':
      return t('validation.unknownField');
    default:
      return t('validation.invalid');
  }
}

/** The first message per field: what the form shows beside each input. */
export function issuesToFieldErrors(
  t: TFunction,
  issues: ReadonlyArray<IssueLike>,
  formatNumber: (n: number) => string,
): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = pathKey(issue.path) || '_form';
    if (!(key in out)) out[key] = issueMessage(t, issue, formatNumber);
  }
  return out;
}

export function validateWith<T>(
  t: TFunction,
  schema: { safeParse(value: unknown): SafeParseLike<T> },
  value: unknown,
  formatNumber: (n: number) => string,
): { ok: true; data: T } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data as T };
  return { ok: false, errors: issuesToFieldErrors(t, result.error?.issues ?? [], formatNumber) };
}

/** The server's VALIDATION_FAILED details carry a path and a zod code, but no bounds: a generic message per code. */
export function serverFieldErrors(t: TFunction, error: ApiError, formatNumber: (n: number) => string): FieldErrors {
  return issuesToFieldErrors(
    t,
    error.fieldIssues.map((i) => ({ code: i.code, path: i.path })),
    formatNumber,
  );
}
