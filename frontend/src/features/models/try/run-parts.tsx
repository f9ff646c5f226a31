import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { RUNTIME_REASON_CODES, runRequestSchema, type RunPipeline, type RunRequest, type RunResponse, type RuntimeReasonCode } from '@sokhan/common';
import { useFormat } from '../../../app/preferences';
import { useApi } from '../../../app/services';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { Button, DataValue } from '../../../components/ui';
import { ApiError } from '../../../lib/api';
import { serverFieldErrors, validateWith, type FieldErrors } from '../../../lib/validation';
import { runtimeApi } from '../runtime.api';
import { PipelineName } from '../RuntimeStatus';

/** The answer of one pipeline. */
export type RunOutput<P extends RunPipeline> = Extract<RunResponse, { pipeline: P }>;

/**
 * A run from a form: the body checked with the shared schema first (field errors by path), then sent; the
 * server's own field errors join them. `output` is the last answer, when it is this pipeline's.
 */
export function useRunForm<P extends RunPipeline>(modelId: string, pipeline: P, onAnswer?: (output: RunOutput<P>) => void) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const [errors, setErrors] = useState<FieldErrors>({});
  const run = useMutation({
    mutationFn: (body: RunRequest) => runtimeApi.run(api, modelId, body),
    onSuccess: (out) => {
      if (out.pipeline === pipeline) onAnswer?.(out as RunOutput<P>);
    },
  });
  const submit = (body: Extract<RunRequest, { pipeline: P }>, checks: FieldErrors = {}) => {
    const checked = validateWith(t, runRequestSchema, body, f.number);
    const found = { ...(checked.ok ? {} : checked.errors), ...checks };
    setErrors(found);
    if (Object.keys(found).length === 0) run.mutate(body);
  };
  const server = run.error instanceof ApiError && run.error.code === 'VALIDATION_FAILED' ? serverFieldErrors(t, run.error, f.number) : {};
  const output = run.data?.pipeline === pipeline ? (run.data as RunOutput<P>) : null;
  // The text that answer is for (the box may have changed since).
  const sent = run.variables && typeof run.variables.inputs === 'string' ? run.variables.inputs : undefined;
  return { run, submit, output, sent, errors: { ...server, ...errors } };
}

/** The first error of a field or of any of its items (`candidateLabels.2`). */
export function fieldError(errors: FieldErrors, field: string): string | undefined {
  return errors[field] ?? Object.entries(errors).find(([k]) => k.startsWith(`${field}.`))?.[1];
}

/** The form of one pipeline and, below it, a live region the answer is announced from. */
export function RunForm({
  onSubmit,
  busy,
  error,
  children,
  result,
  pipeline,
}: {
  onSubmit: () => void;
  busy: boolean;
  error: unknown;
  children: ReactNode;
  result: ReactNode;
  pipeline: RunPipeline;
}) {
  const { t } = useTranslation();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <div className="try-body" data-pipeline={pipeline}>
      <form className="form" onSubmit={submit} noValidate>
        {children}
        <RunError error={error} />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {t('run.submit')}
          </Button>
        </div>
      </form>
      <div className="run-result" aria-live="polite" aria-busy={busy || undefined} data-testid="run-result">
        {result}
      </div>
    </div>
  );
}

const isReason = (v: unknown): v is RuntimeReasonCode => typeof v === 'string' && (RUNTIME_REASON_CODES as readonly string[]).includes(v);

/** A failed run in the user's words, with what the code's details add (why it does not run, what it runs instead). */
export function RunError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  let action: ReactNode = null;
  if (error instanceof ApiError) {
    const detail = (error.details?.[0] ?? {}) as { reasonCode?: unknown; pipelines?: unknown };
    if (error.code === 'MODEL_NOT_RUNNABLE' && isReason(detail.reasonCode)) action = <p>{t(`run.reasons.${detail.reasonCode}`)}</p>;
    if (error.code === 'PIPELINE_NOT_SUPPORTED' && Array.isArray(detail.pipelines)) {
      action = (
        <p>
          {t('run.status.pipelines')}{' '}
          {(detail.pipelines as RunPipeline[]).map((p, i) => (
            <span key={p}>
              {i > 0 && t('run.listSep')}
              <PipelineName pipeline={p} />
            </span>
          ))}
        </p>
      );
    }
    if (error.code === 'RUN_TIMEOUT') action = <p>{t('run.timeoutHint')}</p>;
    if (error.code === 'SERVICE_UNAVAILABLE') action = <p>{t('run.busyHint')}</p>;
  }
  return <ErrorNotice error={error} action={action} />;
}

/** How the run went: the ONNX variant, the times, and what the model read when normalising the text changed it. */
export function RunMeta({ output, read, typed }: { output: RunResponse; read?: string; typed?: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const ms = (v: number) => f.number(v, { maximumFractionDigits: 0 });
  return (
    <div className="run-meta">
      {output.normalized && read !== undefined && read !== typed?.trim() && (
        <p className="muted" data-testid="run-normalized">
          {t('run.normalized')}{' '}
          <bdi dir="auto" lang="fa">
            {read}
          </bdi>
        </p>
      )}
      <p className="meta-line timing">
        <span>
          {t('run.variant')} <bdi dir="ltr">{output.variant}</bdi>
        </span>
        <span>{t('run.runTime', { ms: ms(output.runMs) })}</span>
        {!output.cached && <span>{t('run.loadTime', { ms: ms(output.loadMs) })}</span>}
      </p>
    </div>
  );
}

/** Labels with their scores as bars (best first, as given); `format` says a score in words (a percentage by default). */
export function ScoreBars({ items, format }: { items: { label: string; score: number }[]; format?: (score: number) => string }) {
  const f = useFormat();
  const say = format ?? ((s: number) => f.percent(s, 1));
  const top = items[0]?.label;
  return (
    <ul className="bars probs">
      {items.map((item) => {
        const bar = Math.max(0, Math.min(1, item.score));
        return (
          <li key={item.label} className={item.label === top ? 'bar-row bar-top' : 'bar-row'} data-testid="run-label" data-label={item.label}>
            <DataValue className="bar-label" value={item.label} />
            <div
              className="bar-track"
              role="meter"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(bar * 1000) / 10}
              aria-valuetext={say(item.score)}
              aria-label={item.label}
            >
              <div className="bar-fill" style={{ inlineSize: `${Math.max(0.5, bar * 100)}%` }} />
            </div>
            <span className="bar-value">{say(item.score)}</span>
          </li>
        );
      })}
    </ul>
  );
}
