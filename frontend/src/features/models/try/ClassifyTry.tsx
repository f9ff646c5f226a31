import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OnnxVariant } from '@sokhan/common';
import { Field } from '../../../components/Field';
import { RunForm, RunMeta, ScoreBars, useRunForm } from './run-parts';

/** text-classification: a text in, every label of the model with its score. */
export function ClassifyTry({ modelId, variant }: { modelId: string; variant: OnnxVariant }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => t('run.samples.classify'));
  const { run, submit, output, sent, errors } = useRunForm(modelId, 'text-classification');
  const result = output?.results[0];
  return (
    <RunForm
      pipeline="text-classification"
      onSubmit={() => submit({ pipeline: 'text-classification', inputs: text, variant })}
      busy={run.isPending}
      error={run.error}
      result={
        output &&
        result && (
          <>
            <h3 className="subheading">{output.multiLabel ? t('run.classify.multiLabel') : t('run.classify.labels')}</h3>
            <ScoreBars items={result.labels} />
            <RunMeta output={output} read={result.text} typed={sent} />
          </>
        )
      }
    >
      <Field label={t('run.text')} error={errors.inputs}>
        <textarea className="textarea" dir="auto" lang="fa" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
    </RunForm>
  );
}
