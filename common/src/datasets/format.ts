import type { DatasetFormat } from '../contracts/datasets.js';

/** The format a file name suggests, or null. */
export function formatFromName(name: string | null | undefined): DatasetFormat | null {
  const m = /\.(csv|tsv|tab|jsonl|ndjson)$/i.exec(name ?? '');
  if (!m) return null;
  const ext = m[1]!.toLowerCase();
  return ext === 'csv' ? 'csv' : ext === 'jsonl' || ext === 'ndjson' ? 'jsonl' : 'tsv';
}
