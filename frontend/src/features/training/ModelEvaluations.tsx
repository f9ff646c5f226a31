import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { LabelNames } from '@sokhan/common';
import { useFormat } from '../../app/preferences';
import { useApi } from '../../app/services';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { Button } from '../../components/ui';
import { datasetKeys, datasetsApi } from '../datasets/datasets.api';
import { EvaluationCard } from './EvaluationCard';
import { trainingApi, trainingKeys } from './training.api';

/** Evaluates a ready classification model on another of your datasets and lists those evaluations, newest first. */
export function ModelEvaluations({ modelId, labelNames }: { modelId: string; labelNames: LabelNames | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  const api = useApi();
  const queryClient = useQueryClient();
  const [datasetId, setDatasetId] = useState('');
  const datasets = useQuery({ queryKey: datasetKeys.list, queryFn: () => datasetsApi.list(api) });
  const evaluations = useQuery({ queryKey: trainingKeys.evaluations(modelId), queryFn: () => trainingApi.evaluations(api, modelId) });
  const run = useMutation({
    mutationFn: () => trainingApi.evaluate(api, modelId, datasetId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: trainingKeys.evaluations(modelId) }),
  });
  const names = new Map((datasets.data?.items ?? []).map((d) => [d.id, d.name]));
  const others = (evaluations.data?.items ?? []).filter((e) => e.split === 'dataset');
  return (
    <div className="form" data-testid="model-evaluations">
      <div className="form-row">
        <Field label={t('training.evaluation.dataset')}>
          <select className="select" name="evaluationDataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">{t('training.evaluation.pickDataset')}</option>
            {(datasets.data?.items ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
        <Button variant="primary" busy={run.isPending} disabled={!datasetId} onClick={() => run.mutate()}>
          {t('training.evaluation.run')}
        </Button>
      </div>
      <ErrorNotice error={run.error} />
      {run.data && run.data.skipped > 0 && <p className="muted">{t('training.evaluation.skipped', { n: f.number(run.data.skipped) })}</p>}
      {others.map((e) => (
        <section key={e.id} className="stack">
          <h3>{t('training.evaluation.onDataset', { name: (e.datasetId && names.get(e.datasetId)) ?? t('training.evaluation.deletedDataset'), date: f.date(e.createdAt) })}</h3>
          <EvaluationCard evaluation={e} bestEpoch={null} labelNames={labelNames} />
        </section>
      ))}
    </div>
  );
}
