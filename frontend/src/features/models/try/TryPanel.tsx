import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelRuntime, OnnxVariant, RunPipeline } from '@sokhan/common';
import { useFormat } from '../../../app/preferences';
import { Card } from '../../../components/ui';
import { PipelineName } from '../RuntimeStatus';
import { ClassifyTry } from './ClassifyTry';
import { EntitiesTry } from './EntitiesTry';
import { FillMaskTry } from './FillMaskTry';
import { SimilarityTry } from './SimilarityTry';
import { SpeakTry } from './SpeakTry';
import { ZeroShotTry } from './ZeroShotTry';

type Runnable = Extract<ModelRuntime, { status: 'runnable' }>;

/**
 * Try an installed model on your own text: one form per pipeline it runs (chosen above it when there are
 * several), the ONNX variant to run when it has more than one.
 */
export function TryPanel({ modelId, repoId, runtime }: { modelId: string; repoId: string; runtime: Runnable }) {
  const { t } = useTranslation();
  const f = useFormat();
  const variantId = useId();
  const [pipeline, setPipeline] = useState<RunPipeline>(runtime.pipelines[0]!);
  const [variant, setVariant] = useState<OnnxVariant>(runtime.defaultVariant);
  const props = { modelId, variant };
  return (
    <Card title={t('run.title')} className="try-panel">
      <div data-testid="try-panel" className="try-panel-body">
        <p className="muted">{t('run.intro')}</p>
        <div className="row-between try-controls">
          {runtime.pipelines.length > 1 ? (
            <div className="chips" role="group" aria-label={t('run.choosePipeline')}>
              {runtime.pipelines.map((p) => (
                <button key={p} type="button" className="chip" aria-pressed={pipeline === p} onClick={() => setPipeline(p)} data-pipeline={p}>
                  <PipelineName pipeline={p} />
                </button>
              ))}
            </div>
          ) : (
            <h3 className="subheading">
              <PipelineName pipeline={pipeline} />
            </h3>
          )}
          {runtime.variants.length > 1 && (
            <div className="inline">
              <label className="field-label" htmlFor={variantId}>
                {t('run.variant')}
              </label>
              <select id={variantId} className="select select-inline" value={variant} onChange={(e) => setVariant(e.target.value as OnnxVariant)}>
                {runtime.variants.map((v) => (
                  <option key={v.variant} value={v.variant}>
                    {`${v.variant} · ${f.bytes(v.sizeBytes)}`}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        {/* Keyed by pipeline: switching starts that pipeline's form afresh. */}
        {pipeline === 'text-classification' && <ClassifyTry key={pipeline} {...props} />}
        {pipeline === 'zero-shot-classification' && <ZeroShotTry key={pipeline} {...props} />}
        {pipeline === 'token-classification' && <EntitiesTry key={pipeline} {...props} />}
        {pipeline === 'feature-extraction' && <SimilarityTry key={pipeline} {...props} />}
        {pipeline === 'fill-mask' && runtime.maskToken && <FillMaskTry key={pipeline} {...props} maskToken={runtime.maskToken} />}
        {pipeline === 'text-to-speech' && <SpeakTry key={pipeline} {...props} repoId={repoId} />}
      </div>
    </Card>
  );
}
