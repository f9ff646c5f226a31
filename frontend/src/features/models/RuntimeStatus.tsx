import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ModelRuntime, RunPipeline, RuntimeReasonCode } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { CheckIcon } from '../../components/icons';
import { Badge, Ltr } from '../../components/ui';

/** A pipeline in the user's words. */
export function PipelineName({ pipeline }: { pipeline: RunPipeline }) {
  const { t } = useTranslation();
  return <>{t(`run.pipelines.${pipeline}`)}</>;
}

/** Why a model does not run, in the user's words (the stored reason, in English, stays beside it as the detail). */
export function ReasonText({ code }: { code: RuntimeReasonCode }) {
  const { t } = useTranslation();
  return <>{t(`run.reasons.${code}`)}</>;
}

/**
 * Whether an installed model runs here: «runs here» with what it does, or why not — a sentence in the user's
 * language and the server's technical reason (onnxruntime's words) as the detail. `detailed` adds the ONNX files.
 */
export function RuntimeStatus({ runtime, detailed = false }: { runtime: ModelRuntime; detailed?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  if (runtime.status === 'unchecked') {
    return (
      <div className="runtime-status" data-testid="runtime-status" data-status="unchecked">
        <Badge>{t('run.status.unchecked')}</Badge>
      </div>
    );
  }
  if (runtime.status === 'runnable') {
    return (
      <div className="runtime-status" data-testid="runtime-status" data-status="runnable">
        <div className="inline">
          <Badge tone="success">
            <CheckIcon />
            {t('run.status.runnable')}
          </Badge>
          <span className="muted">{t('run.status.pipelines')}</span>
          <ul className="inline-list" aria-label={t('run.status.pipelines')}>
            {runtime.pipelines.map((p) => (
              <li key={p} data-pipeline={p}>
                <PipelineName pipeline={p} />
              </li>
            ))}
          </ul>
        </div>
        {detailed && (
          <p className="meta-line">
            <span>{t('run.status.variants')}</span>
            {runtime.variants.map((v) => (
              <span key={v.variant}>
                <Ltr className="mono">{v.file}</Ltr> ({f.bytes(v.sizeBytes)}){v.variant === runtime.defaultVariant ? ` · ${t('run.status.default')}` : ''}
              </span>
            ))}
          </p>
        )}
      </div>
    );
  }
  const voice = runtime.reasonCode === 'piper-voice';
  return (
    <div className={`runtime-status runtime-reason${voice ? ' runtime-voice' : ''}`} data-testid="runtime-status" data-status="unsupported" data-reason={runtime.reasonCode}>
      <Badge tone={voice ? 'info' : 'warning'}>{voice ? t('run.status.voice') : t('run.status.unsupported')}</Badge>
      <p>
        <ReasonText code={runtime.reasonCode} /> {voice && <Link to="/speech">{t('run.toSpeech')}</Link>}
      </p>
      {!voice && (
        <p className="runtime-detail">
          <span className="muted">{t('run.status.detail')}</span>{' '}
          <bdi dir="ltr" lang="en" className="ltr" data-testid="runtime-reason">
            {runtime.reason}
          </bdi>
        </p>
      )}
    </div>
  );
}
