/**
 * Does a CSV/TSV file start with a header row? Many labelled corpora (SentiPers among them) have none, and reading
 * their first sentence as column names silently loses a row. Decided from the first records, the same way on the
 * upload form (before sending) and on the server (when the form did not say).
 */
export type HeaderReason = 'numbers-in-first-row' | 'long-first-row' | 'repeated-names' | 'names-like-a-header' | 'single-row';

export interface HeaderGuess {
  present: boolean;
  reason: HeaderReason;
}

const NUMBER = /^[-+−]?(?:\d+|\d*[.٫]\d+)(?:e[+-]?\d+)?$/i;
const isNumber = (s: string) => NUMBER.test(s.trim().replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
/** Longer than any column name people write: a sentence. */
const LONG = 60;

export function guessHeaderRow(records: string[][]): HeaderGuess {
  const [first, ...rest] = records;
  if (!first || rest.length === 0) return { present: true, reason: 'single-row' };
  // A number where the rows below hold numbers too is data (a label column −2…2, a count); a header says a name.
  for (let c = 0; c < first.length; c++) {
    if (!isNumber(first[c] ?? '')) continue;
    const below = rest.map((r) => r[c] ?? '').filter((v) => v.trim() !== '');
    if (below.length > 0 && below.filter(isNumber).length / below.length >= 0.8) return { present: false, reason: 'numbers-in-first-row' };
  }
  if (first.some((v) => v.trim().length > LONG)) return { present: false, reason: 'long-first-row' };
  const names = first.map((v) => v.trim()).filter(Boolean);
  if (new Set(names).size < names.length) return { present: false, reason: 'repeated-names' };
  return { present: true, reason: 'names-like-a-header' };
}

/** Column names for a file without a header row: column_1, column_2 … (the names blank header cells get too). */
export const generatedColumnNames = (count: number): string[] => Array.from({ length: count }, (_, i) => `column_${i + 1}`);
