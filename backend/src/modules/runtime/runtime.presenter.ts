import type { ModelRuntime } from '@sokhan/common';
import type { RuntimeRow } from './runtime.repository.js';

export const UNCHECKED: ModelRuntime = { status: 'unchecked' };

export function presentRuntime(row: RuntimeRow | null): ModelRuntime {
  if (!row) return UNCHECKED;
  const checkedAt = new Date(row.checked_at).toISOString();
  if (!row.runnable || !row.default_variant) {
    return { status: 'unsupported', reasonCode: row.reason_code ?? 'onnx-load-failed', reason: row.reason ?? 'it does not run here', checkedAt };
  }
  const d = row.details;
  return {
    status: 'runnable',
    pipelines: row.pipelines,
    variants: row.variants,
    defaultVariant: row.default_variant,
    text: d.text ?? { persian: false, digits: 'keep', keepDiacritics: true },
    maskToken: d.maskToken ?? null,
    hiddenSize: d.hiddenSize ?? null,
    samplingRate: d.samplingRate ?? null,
    checkedAt,
  };
}
