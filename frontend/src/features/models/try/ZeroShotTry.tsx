import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OnnxVariant } from '@sokhan/common';
import { Field } from '../../../components/Field';
import { fieldError, RunForm, RunMeta, ScoreBars, useRunForm } from './run-parts';
import { splitLabels } from './try-text';

/** zero-shot-classification: a text and the labels the user types; the model (NLI) says which fits best. */
export function ZeroShotTry({ modelId, variant }: { modelId: string; variant: OnnxVariant }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => t('run.samples.zeroShot'));
  const [labels, setLabels] = useState(() => t('run.samples.zeroShotLabels'));
  const [template, setTemplate] = useState(() => t('run.samples.hypothesis'));
  const [multiLabel, setMultiLabel] = useState(false);
  const { run, submit, output, sent, errors } = useRunForm(modelId, 'zero-shot-classification');
  const onSubmit = () => {
    const candidateLabels = splitLabels(labels);
    submit(
      { pipeline: 'zero-shot-classification', inputs: text, candidateLabels, hypothesisTemplate: template, multiLabel, variant },
      {
        ...(candidateLabels.length === 0 ? { candidateLabels: t('run.zeroShot.needLabels') } : {}),
        ...(template.includes('{}') ? {} : { hypothesisTemplate: t('run.zeroShot.needSlot') }),
      },
    );
  };
  return (
    <RunForm
      pipeline="zero-shot-classification"
      onSubmit={onSubmit}
      busy={run.isPending}
      error={run.error}
      result={
        output && (
          <>
            <h3 className="subheading">{output.multiLabel ? t('run.classify.multiLabel') : t('run.classify.labels')}</h3>
            <ScoreBars items={output.labels} />
            <RunMeta output={output} read={output.text} typed={sent} />
          </>
        )
      }
    >
      <Field label={t('run.text')} error={errors.inputs}>
        <textarea className="textarea" dir="auto" lang="fa" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <Field label={t('run.zeroShot.labels')} hint={t('run.zeroShot.labelsHint')} error={fieldError(errors, 'candidateLabels')}>
        <input className="input" dir="auto" lang="fa" value={labels} onChange={(e) => setLabels(e.target.value)} />
      </Field>
      <Field label={t('run.zeroShot.template')} hint={t('run.zeroShot.templateHint')} error={errors.hypothesisTemplate}>
        <input className="input" dir="auto" lang="fa" value={template} onChange={(e) => setTemplate(e.target.value)} />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={multiLabel} onChange={(e) => setMultiLabel(e.target.checked)} />
        {t('run.zeroShot.multiLabel')}
      </label>
    </RunForm>
  );
}
