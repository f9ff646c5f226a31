import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RUN_MAX_INPUTS, type OnnxVariant } from '@sokhan/common';
import { useFormat } from '../../../app/preferences';
import { Field } from '../../../components/Field';
import { Badge } from '../../../components/ui';
import { RunForm, RunMeta, ScoreBars, useRunForm } from './run-parts';
import { rankBySimilarity, splitLines } from './try-text';

/** feature-extraction: one sentence and a few others, embedded; the others ranked by cosine similarity to it. */
export function SimilarityTry({ modelId, variant }: { modelId: string; variant: OnnxVariant }) {
  const { t } = useTranslation();
  const f = useFormat();
  const [query, setQuery] = useState(() => t('run.samples.query'));
  const [others, setOthers] = useState(() => t('run.samples.sentences'));
  const { run, submit, output, errors } = useRunForm(modelId, 'feature-extraction');
  const ranked = useMemo(() => (output ? rankBySimilarity(output.texts, output.embeddings) : []), [output]);
  const onSubmit = () => {
    const sentences = splitLines(others);
    submit(
      { pipeline: 'feature-extraction', inputs: [query, ...sentences], variant },
      sentences.length === 0 ? { sentences: t('run.similarity.needSentences') } : {},
    );
  };
  const nearest = ranked[0];
  // inputs.0 is the sentence compared; the others' problems (or too many of them) belong to the list.
  const othersError = errors.sentences ?? Object.entries(errors).find(([k]) => k.startsWith('inputs.') && k !== 'inputs.0')?.[1] ?? errors.inputs;
  return (
    <RunForm
      pipeline="feature-extraction"
      onSubmit={onSubmit}
      busy={run.isPending}
      error={run.error}
      result={
        output && (
          <>
            {nearest && (
              <p className="nearest" data-testid="nearest">
                <Badge tone="success">{t('run.similarity.nearest')}</Badge>{' '}
                <bdi dir="auto" lang="fa">
                  {nearest.text}
                </bdi>
              </p>
            )}
            <h3 className="subheading">{t('run.similarity.ranked', { n: f.number(output.dimensions) })}</h3>
            <ScoreBars items={ranked.map((r) => ({ label: r.text, score: r.score }))} format={(s) => f.number(s, { maximumFractionDigits: 3, minimumFractionDigits: 3 })} />
            <RunMeta output={output} />
          </>
        )
      }
    >
      <Field label={t('run.similarity.query')} error={errors['inputs.0']}>
        <input className="input" dir="auto" lang="fa" value={query} onChange={(e) => setQuery(e.target.value)} />
      </Field>
      <Field
        label={t('run.similarity.sentences')}
        hint={t('run.similarity.sentencesHint', { max: f.number(RUN_MAX_INPUTS - 1) })}
        error={othersError}
      >
        <textarea className="textarea" dir="auto" lang="fa" rows={4} value={others} onChange={(e) => setOthers(e.target.value)} />
      </Field>
    </RunForm>
  );
}
